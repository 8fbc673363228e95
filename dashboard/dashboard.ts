// The collector's dashboard: reads /api/report and draws each metric per
// arm and per day (uPlot, bundled at build time), the lift with its 95 %
// interval as a table and a forest plot, whether the personalized arm's
// widgets were shown personalized (and why not) per day, and what the
// collector refused.
// Refreshes every 15 seconds. The page holds no data: the report needs the
// admin token, which the dashboard asks for (or takes once from the
// address's `#token=` fragment, never sent to the server) and keeps for
// this tab only (sessionStorage).

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";

type Interval = { difference: number; low: number; high: number; relative: number | null } | null;
type Cell = { visits: number; suppressed: boolean; orders?: number; revenue?: number } & Record<string, unknown>;
interface Anomalies {
  refused: Record<string, number>;
  excluded_visits: { orders: number; events: number };
  beyond_fence: { fence: number | null; visits: Record<"personalized" | "holdout", number> };
  bounds: { orders_per_visit: number; events_per_visit: number };
  client_dropped: number;
}
/** The personalized arm's exposures by how their widget was shown; `null` for too few visits. */
type Shown = { personalized_share: number | null; [reason: string]: number | null } | null;
interface Report {
  /** What the collector was told to say above the figures (e.g. that they are simulated). */
  notice: string | null;
  currency: string | null;
  min_visits: number;
  anomalies: Anomalies;
  arms: Record<"personalized" | "holdout", Cell>;
  lift: Record<string, Interval> | null;
  shown: Shown;
  /** Each campaign (a targeted variant): its exposed visits per arm, and the lift. */
  campaigns: Record<string, { arms: Record<"personalized" | "holdout", Cell>; lift: Record<string, Interval> | null }>;
  days: Array<{ day: string; arms: Record<"personalized" | "holdout", Cell>; lift: Record<string, Interval> | null; shown: Shown }>;
}

type Kind = "rate" | "money" | "count";
/** Metric, label, kind, and whether lower is better. */
const METRICS: Array<[string, string, Kind, boolean]> = [
  ["visits", "Visits", "count", false],
  ["conversion_rate", "Conversion rate", "rate", false],
  ["bounce_rate", "Bounce rate", "rate", true],
  ["add_to_cart_rate", "Add-to-cart rate", "rate", false],
  ["cart_abandonment", "Cart abandonment", "rate", true],
  ["aov", "Average order value", "money", false],
  ["revenue_per_visit", "Revenue per visit", "money", false],
  ["aov_robust", "Average order value (robust)", "money", false],
  ["revenue_per_visit_robust", "Revenue per visit (robust)", "money", false],
  ["widget_ctr", "Widget click-through", "rate", false],
  ["exit_recovery", "Exit-intent recovery", "rate", false],
];
const COLORS = { personalized: "#3e6ec0", holdout: "#c0573e" };
/** How a widget was shown, in the report's words, with the column heading. */
const SHOWN: Array<[string, string]> = [
  ["personalized", "Personalized"],
  ["timeout", "Timeout"],
  ["no-model", "No model"],
  ["no-history", "No history"],
  ["consent", "No consent"],
  ["error", "Error"],
  ["unreported", "Not reported"],
];
const REFRESH_MS = 15_000;
const TOKEN_KEY = "shelfwise-admin-token";
/** What each refusal reason means, for the anomalies table. */
const REFUSALS: Record<string, string> = {
  no_origin: "Requests without an Origin header",
  origin: "Requests from an origin not allowed",
  rate: "Requests over the rate limit",
  too_large: "Requests with a body over 64 KiB",
  malformed: "Malformed batches",
  batch_events: "Batches with too many events",
  order_value: "Orders over the maximum order value",
};

const plots: uPlot[] = [];

function format(value: unknown, kind: Kind, currency: string | null, signed = false): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  const sign = signed && value > 0 ? "+" : "";
  if (kind === "rate") return `${sign}${(value * 100).toFixed(1)}${signed ? " pp" : " %"}`;
  if (kind === "money") return `${sign}${value.toFixed(2)}${currency ? ` ${currency}` : ""}`;
  return `${sign}${Math.round(value)}`;
}

function cellText(cell: Cell, metric: string, kind: Kind, currency: string | null): string {
  if (metric !== "visits" && cell.suppressed) return `< ${report?.min_visits ?? 10} visits`;
  return format(cell[metric], kind, currency);
}

let report: Report | null = null;

function summary(r: Report): void {
  const body = document.querySelector("#summary tbody") as HTMLTableSectionElement;
  body.replaceChildren();
  for (const [metric, label, kind, lowerBetter] of METRICS) {
    const row = labelledRow(body, label);
    row.insertCell().textContent = cellText(r.arms.personalized, metric, kind, r.currency);
    row.insertCell().textContent = cellText(r.arms.holdout, metric, kind, r.currency);
    const lift = metric === "visits" ? null : r.lift?.[metric] ?? null;
    const liftCell = row.insertCell();
    liftCell.className = "lift";
    const forest = row.insertCell();
    forest.className = "forest-cell";
    if (!lift) {
      liftCell.textContent = metric === "visits" ? "" : "–";
      continue;
    }
    const relative = lift.relative === null ? "" : ` (${lift.relative > 0 ? "+" : ""}${(lift.relative * 100).toFixed(0)} %)`;
    liftCell.textContent = `${format(lift.difference, kind, r.currency, true)}${relative} [${format(lift.low, kind, r.currency, true)}, ${format(lift.high, kind, r.currency, true)}]`;
    const better = lowerBetter ? lift.high < 0 : lift.low > 0;
    const worse = lowerBetter ? lift.low > 0 : lift.high < 0;
    if (better) liftCell.classList.add("up");
    if (worse) liftCell.classList.add("down");
    forest.append(forestPlot(lift));
  }
}

/** A new row of `body` headed by `label`. */
function labelledRow(body: HTMLTableSectionElement, label: string): HTMLTableRowElement {
  const row = body.insertRow();
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = label;
  row.append(th);
  return row;
}

/** Whether the personalized arm's widgets were shown personalized, and why not: in all, then per day. */
function shown(r: Report): void {
  const body = document.querySelector("#shown tbody") as HTMLTableSectionElement;
  body.replaceChildren();
  const rows: Array<[string, Shown]> = [["All days", r.shown], ...r.days.map((d): [string, Shown] => [d.day, d.shown])];
  for (const [label, counts] of rows) {
    const row = labelledRow(body, label);
    if (!counts) {
      const cell = row.insertCell();
      cell.colSpan = SHOWN.length + 1;
      cell.textContent = `< ${r.min_visits} visits`;
      continue;
    }
    row.insertCell().textContent = format(counts.personalized_share, "rate", null);
    for (const [key] of SHOWN) row.insertCell().textContent = String(counts[key] ?? 0);
  }
}

/** Each campaign's exposed visits, click-through and conversion per arm, and the conversion lift. */
function campaigns(r: Report): void {
  const body = document.querySelector("#campaigns tbody") as HTMLTableSectionElement;
  body.replaceChildren();
  const entries = Object.entries(r.campaigns ?? {});
  (document.getElementById("campaigns-none") as HTMLElement).hidden = entries.length > 0;
  for (const [name, campaign] of entries) {
    const row = labelledRow(body, name);
    for (const arm of ["personalized", "holdout"] as const) {
      const cell = campaign.arms[arm];
      row.insertCell().textContent = cellText(cell, "visits", "count", r.currency);
      row.insertCell().textContent = cellText(cell, "widget_ctr", "rate", r.currency);
      row.insertCell().textContent = cellText(cell, "conversion_rate", "rate", r.currency);
    }
    const lift = campaign.lift?.conversion_rate ?? null;
    const liftCell = row.insertCell();
    liftCell.className = "lift";
    liftCell.textContent = lift ? `${format(lift.difference, "rate", null, true)} [${format(lift.low, "rate", null, true)}, ${format(lift.high, "rate", null, true)}]` : "–";
    if (lift && lift.low > 0) liftCell.classList.add("up");
    if (lift && lift.high < 0) liftCell.classList.add("down");
  }
}

/** The lift's interval against zero, scaled to the row. */
function forestPlot(lift: NonNullable<Interval>): HTMLElement {
  const box = document.createElement("div");
  box.className = "forest";
  box.setAttribute("role", "img");
  box.setAttribute("aria-label", `interval from ${lift.low.toPrecision(3)} to ${lift.high.toPrecision(3)}`);
  const span = Math.max(Math.abs(lift.low), Math.abs(lift.high), 1e-9) * 1.1;
  const at = (x: number) => `${50 + (50 * x) / span}%`;
  const part = (cls: string, style: Partial<CSSStyleDeclaration>) => {
    const el = document.createElement("span");
    el.className = cls;
    Object.assign(el.style, style);
    box.append(el);
  };
  part("zero", { left: at(0) });
  part("bar", { left: at(lift.low), width: `${(50 * (lift.high - lift.low)) / span}%` });
  part("dot", { left: at(lift.difference) });
  return box;
}

function charts(r: Report): void {
  const box = document.getElementById("charts") as HTMLElement;
  for (const plot of plots.splice(0)) plot.destroy();
  box.replaceChildren();
  const xs = r.days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
  if (xs.length === 0) {
    const empty = document.createElement("p");
    empty.className = "empty";
    empty.textContent = "No beacons yet.";
    box.append(empty);
    return;
  }
  for (const [metric, label, kind] of METRICS) {
    const value = (cell: Cell | undefined) => {
      const v = cell && (metric === "visits" || !cell.suppressed) ? cell[metric] : null;
      return typeof v === "number" ? (kind === "rate" ? v * 100 : v) : null;
    };
    const data: uPlot.AlignedData = [
      xs,
      r.days.map((d) => value(d.arms.personalized)),
      r.days.map((d) => value(d.arms.holdout)),
    ];
    chart(box, label, data, [
      { label: "personalized", stroke: COLORS.personalized, width: 2, points: { show: true } },
      { label: "holdout", stroke: COLORS.holdout, width: 2, points: { show: true } },
    ], kind === "rate" ? "%" : "");
  }
  const share = r.days.map((d) => {
    const s = d.shown?.personalized_share;
    return typeof s === "number" ? s * 100 : null;
  });
  chart(box, "Widgets shown personalized (personalized arm)", [xs, share], [
    { label: "shown personalized", stroke: COLORS.personalized, width: 2, points: { show: true } },
  ], "%")?.root.setAttribute("data-chart", "shown");
  // The conversion lift per day, its interval as a band.
  const lift = (pick: (l: NonNullable<Interval>) => number) =>
    r.days.map((d) => {
      const l = d.lift?.conversion_rate;
      return l ? pick(l) * 100 : null;
    });
  const plot = chart(box, "Conversion lift per day (pp, 95 % interval)", [xs, lift((l) => l.difference), lift((l) => l.low), lift((l) => l.high)], [
    { label: "lift", stroke: "#1d2330", width: 2, points: { show: true } },
    { label: "low", stroke: "#9aa0ab", dash: [4, 4] },
    { label: "high", stroke: "#9aa0ab", dash: [4, 4] },
  ], "pp", [{ series: [3, 2], fill: "rgba(62,110,192,0.15)" }]);
  plot?.root.setAttribute("data-chart", "lift");
}

function chart(box: HTMLElement, title: string, data: uPlot.AlignedData, series: uPlot.Series[], unit: string, bands?: uPlot.Band[]): uPlot | null {
  const card = document.createElement("figure");
  card.className = "chart";
  const heading = document.createElement("h3");
  heading.textContent = title;
  const area = document.createElement("div");
  area.className = "plot";
  card.append(heading, area);
  box.append(card);
  const width = Math.max(260, area.clientWidth);
  const plot = new uPlot(
    {
      width,
      height: 200,
      series: [{}, ...series],
      bands,
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${t}${unit === "%" ? "%" : ""}`) }],
      scales: { x: { time: true } },
      legend: { live: false },
    },
    data,
    area,
  );
  plots.push(plot);
  return plot;
}

function resize(): void {
  for (const plot of plots) {
    const area = plot.root.parentElement;
    if (area) plot.setSize({ width: Math.max(260, area.clientWidth), height: 200 });
  }
}

/** What the collector refused or left out, counted. */
function anomalies(a: Anomalies): void {
  const body = document.querySelector("#anomalies tbody") as HTMLTableSectionElement;
  body.replaceChildren();
  const rows: Array<[string, number]> = [
    ...Object.entries(REFUSALS).map(([reason, label]): [string, number] => [label, a.refused[reason] ?? 0]),
    [`Visits left out: more than ${a.bounds.orders_per_visit} orders`, a.excluded_visits.orders],
    [`Visits left out: more than ${a.bounds.events_per_visit} events`, a.excluded_visits.events],
    ["Events browsers dropped from a full outbox", a.client_dropped],
    [`Visits beyond the revenue fence${a.beyond_fence.fence === null ? "" : ` (${Math.round(a.beyond_fence.fence)})`}, personalized`, a.beyond_fence.visits.personalized],
    ["Visits beyond the revenue fence, holdout", a.beyond_fence.visits.holdout],
  ];
  for (const [label, n] of rows) {
    const row = labelledRow(body, label);
    row.insertCell().textContent = String(n);
  }
}

/** The admin token: from the address's fragment once (then removed from the address), else this tab's. */
function adminToken(): string | null {
  const given = new URLSearchParams(location.hash.slice(1)).get("token");
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Shows the token form (with why) and hides the report. */
function askForToken(why: string): void {
  document.body.dataset.locked = "true";
  (document.getElementById("login") as HTMLFormElement).hidden = false;
  (document.getElementById("login-error") as HTMLElement).textContent = why;
  (document.getElementById("status") as HTMLElement).textContent = "The report needs the collector's admin token.";
}

document.getElementById("login")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("token") as HTMLInputElement;
  sessionStorage.setItem(TOKEN_KEY, input.value.trim());
  input.value = "";
  (document.getElementById("login") as HTMLFormElement).hidden = true;
  delete document.body.dataset.locked;
  void refresh();
});

async function refresh(): Promise<void> {
  const status = document.getElementById("status") as HTMLElement;
  const token = adminToken();
  if (!token) {
    askForToken("");
    return;
  }
  if (document.body.dataset.locked) return;
  try {
    const response = await fetch("../api/report", { cache: "no-store", headers: { Authorization: `Bearer ${token}` } });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      askForToken("That token was not accepted.");
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    report = (await response.json()) as Report;
    (document.getElementById("min-visits") as HTMLElement).textContent = String(report.min_visits);
    const notice = document.getElementById("notice") as HTMLElement;
    notice.textContent = report.notice ?? "";
    notice.hidden = !report.notice;
    summary(report);
    shown(report);
    campaigns(report);
    charts(report);
    anomalies(report.anomalies);
    const visits = report.arms.personalized.visits + report.arms.holdout.visits;
    status.textContent = `${visits} visits over ${report.days.length} day(s) · updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.ready = "true";
  } catch (error) {
    status.textContent = `The report could not be loaded (${(error as Error).message}); retrying.`;
  }
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(resize, 100);
});
void refresh();
setInterval(() => void refresh(), REFRESH_MS);
