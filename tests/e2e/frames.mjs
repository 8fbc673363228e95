// What the shopper sees, frame by frame: a recorder for the no-flicker
// promise, shared by its test (flicker.test.mjs) and its benchmark
// (tests/bench/browser.mjs).
//
// The recorder runs in every animation frame, which Chromium runs before it
// paints the frame: what it reads is what that frame shows. For each widget
// in the viewport and not hidden, it keeps the visible order whenever that
// order differs from the last one seen — except that an order which only
// grows at its end replaces the last one (the parser adding children, not
// a change). A widget whose list has two entries changed while the shopper
// could see it: reordered, trimmed or replaced. Layout shifts are kept too,
// each marked whether Shelfwise could have caused it: Shelfwise changes only
// what is inside widgets and banners, which in the page's flow moves only
// what comes after the first of them. A shift of something earlier — a
// button growing when the parser reaches its text, in a frame Chromium drew
// mid-parse under a slow CPU (seen once in a few hundred loads) — is the
// page's own, and counted apart.

import { watchedPage, widgetsSettled } from "./harness.mjs";

/**
 * Page init script (for `addInitScript`): records every widget's visible
 * orders, when each was first visible, and every layout shift into
 * `window.__frames`.
 */
export function recordFrames() {
  const seen = new Map();
  const firstSeen = new Map();
  const shifts = [];
  /** A widget's key: its id, else its kind and index on the page. */
  const key = (w, index) => w.id || `${w.getAttribute("data-shelfwise-widget")}#${index}`;
  window.__frames = { seen, firstSeen, shifts, key };
  const visible = (el) => {
    if (document.visibilityState !== "visible" || getComputedStyle(el).visibility === "hidden") return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < innerHeight && rect.right > 0 && rect.left < innerWidth;
  };
  const tick = () => {
    document.querySelectorAll("[data-shelfwise-widget]").forEach((w, index) => {
      if (!visible(w)) return;
      const ids = Array.from(w.children)
        .filter((c) => c.hasAttribute("data-item-id") && getComputedStyle(c).display !== "none")
        .map((c) => c.getAttribute("data-item-id"))
        .join(",");
      const k = key(w, index);
      if (!firstSeen.has(k)) firstSeen.set(k, performance.now());
      const orders = seen.get(k) ?? [];
      const last = orders[orders.length - 1];
      if (last !== undefined && ids.startsWith(last) && (ids.length === last.length || ids[last.length] === ",")) orders[orders.length - 1] = ids;
      else if (last !== ids) orders.push(ids);
      seen.set(k, orders);
    });
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // Each shift with what moved (tag, class, the start of its text, the rectangles): a shift
  // must be explained, not only counted.
  const describe = (s) =>
    `${s.node?.nodeName ?? "?"}.${s.node?.className ?? ""} "${(s.node?.textContent ?? "").trim().slice(0, 30)}" ` +
    `${JSON.stringify(s.previousRect)} -> ${JSON.stringify(s.currentRect)}`;
  const mayBeOurs = (source) => {
    const first = document.querySelector("[data-shelfwise-widget],[data-shelfwise-banner]");
    if (!first) return false;
    const node = source.node;
    return !node || first.contains(node) || Boolean(first.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING);
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      const sources = e.sources ?? [];
      shifts.push({ value: e.value, at: Math.round(e.startTime), ours: sources.length === 0 || sources.some(mayBeOurs), sources: sources.map(describe) });
    }
  }).observe({ type: "layout-shift", buffered: true });
}

/**
 * What a page showed, read once its widgets have settled and `quietMs` more
 * have passed: `{ widgets: { key: [orders…] }, firstSeen: { key: ms }, shift
 * (the sum of those Shelfwise may have caused), pageShift (the sum of the
 * page's own), shifts (each, with what moved), states: { key: state } }`, a
 * widget's key being its id, else its kind and index on the page. A CPU
 * slowed 6× may take that long to settle.
 */
export async function shown(page, quietMs = 400) {
  await widgetsSettled(page, 20_000);
  await page.waitForTimeout(quietMs);
  return page.evaluate(() => ({
    widgets: Object.fromEntries(window.__frames.seen),
    firstSeen: Object.fromEntries(window.__frames.firstSeen),
    shift: window.__frames.shifts.reduce((sum, s) => sum + (s.ours ? s.value : 0), 0),
    pageShift: window.__frames.shifts.reduce((sum, s) => sum + (s.ours ? 0 : s.value), 0),
    shifts: window.__frames.shifts,
    states: Object.fromEntries(
      Array.from(document.querySelectorAll("[data-shelfwise-widget]"), (w, index) => [
        window.__frames.key(w, index),
        w.getAttribute("data-shelfwise-state"),
      ]),
    ),
  }));
}

/**
 * Loads `url` `loads` times in one browser context with Chromium's CPU
 * slowed `rate` times (CDP `Emulation.setCPUThrottlingRate`), after one
 * unthrottled load that warms the HTTP cache; `setup(context)` prepares the
 * context first (a profile, a route). Resolves with the number of loads in
 * which a visible widget changed order (`flickered`, with their frames in
 * `examples`), the largest layout shift Shelfwise may have caused (with the
 * first few loads' shifts and what moved, in `shifts`), how many loads had
 * a shift of the page's own (`pageShifts`), and for each widget how many
 * loads ended with it personalized (`personalized`).
 */
export async function throttledLoads(browser, url, { rate, loads, setup = async () => {} }) {
  const context = await browser.newContext();
  await setup(context);
  await context.addInitScript(recordFrames);
  const { page, log } = await watchedPage(context);
  await page.goto(url);
  await shown(page, 0);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  const result = { rate, loads, flickered: 0, maxShift: 0, pageShifts: 0, shifts: [], personalized: {}, examples: [], errors: log.errors };
  for (let i = 0; i < loads; i++) {
    await page.goto(url);
    const seen = await shown(page);
    const changed = Object.entries(seen.widgets).filter(([, orders]) => orders.length > 1);
    if (changed.length > 0) {
      result.flickered += 1;
      if (result.examples.length < 3) result.examples.push(Object.fromEntries(changed));
    }
    result.maxShift = Math.max(result.maxShift, seen.shift);
    if (seen.pageShift > 0) result.pageShifts += 1;
    if (seen.shift > 0 && result.shifts.length < 3) result.shifts.push({ load: i, states: seen.states, shifts: seen.shifts });
    for (const [key, state] of Object.entries(seen.states)) {
      result.personalized[key] = (result.personalized[key] ?? 0) + (state === "personalized" ? 1 : 0);
    }
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await context.close();
  return result;
}
