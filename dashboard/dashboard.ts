// The collector's dashboard: reads /api/report and draws each metric per
// arm and per day (uPlot, bundled at build time), the lift with its 95 %
// interval as a table and a forest plot. Refreshes every 15 seconds.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";

type Interval = { difference: number; low: number; high: number; relative: number | null } | null;
type Cell = { visits: number; suppressed: boolean; orders?: number; revenue?: number } & Record<string, unknown>;
interface Report {
  currency: string | null;
  min_visits: number;
  arms: Record<"personalized" | "holdout", Cell>;
  lift: Record<string, Interval> | null;
  days: Array<{ day: string; arms: Record<"personalized" | "holdout", Cell>; lift: Record<string, Interval> | null }>;
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
  ["widget_ctr", "Widget click-through", "rate", false],
  ["exit_recovery", "Exit-intent recovery", "rate", false],
];
const COLORS = { personalized: "#3e6ec0", holdout: "#c0573e" };
const REFRESH_MS = 15_000;

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
    const row = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = label;
    row.append(th);
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

async function refresh(): Promise<void> {
  const status = document.getElementById("status") as HTMLElement;
  try {
    const response = await fetch("../api/report", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    report = (await response.json()) as Report;
    (document.getElementById("min-visits") as HTMLElement).textContent = String(report.min_visits);
    summary(report);
    charts(report);
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
