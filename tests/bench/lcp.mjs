// What the hold costs the largest paint, in Chromium itself rather than in
// Lighthouse's simulation: the demo store's home and category pages (their
// largest element is a product picture in the first widget, which the hold
// hides until Shelfwise has placed it) loaded LOADS times on a phone-sized
// viewport with Lighthouse's mobile network (150 ms RTT, 1.6 Mbps) and the
// CPU throttled 4× (CDP), without Shelfwise, with it, and with it but
// without the README's anti-flicker rule ("norule": then only what is out
// of view when the script starts is held; what is in view keeps the
// merchant's order), interleaved. Cold: a new shopper, empty cache. Warm:
// the kitchen profile, the load measured 2 s after one unthrottled load
// that filled the cache. Each load's largest contentful paint is the last
// `largest-contentful-paint` entry once the widgets are decided;
// "revealed" is when the first widget was decided (`data-shelfwise-state`
// set), both from navigation start; "personalized" counts the loads whose
// first widget ended personalized. Prints one JSON line per (page, cache)
// (`cargo xtask bench`).
//
// usage: node tests/bench/lcp.mjs [LOADS [PAGE [CACHE]]]
import { kitchenProfile, launch } from "../e2e/harness.mjs";
import { SLOW_MOBILE } from "./network.mjs";
import { median, range } from "./stats.mjs";
import { PAGES, serveStore } from "./store.mjs";

const loads = Number(process.argv[2] ?? 10);
const [onlyPage, onlyCache] = process.argv.slice(3);
const VIEWPORT = { width: 412, height: 823 };

/** Page init script: the largest paints, and when the first widget was decided. */
function recordPaints() {
  window.__lcp = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__lcp.push({ time: e.startTime, size: e.size, image: Boolean(e.url), inWidget: Boolean(e.element?.closest("[data-shelfwise-widget]")) });
    }
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new MutationObserver((records, observer) => {
    if (records.some((r) => r.target.matches?.("[data-shelfwise-widget]"))) {
      window.__revealed = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-shelfwise-state"] });
}

/** Waits until no widget is undecided (at most 5 s: the page without Shelfwise never decides). */
async function settled(page, withShelfwise) {
  await page.waitForLoadState("load");
  if (withShelfwise) {
    await page.waitForFunction(() => !document.querySelector("[data-shelfwise-widget]:not([data-shelfwise-state])"), null, { timeout: 5000 });
  }
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 100)))));
}

/** One measured load of `url`. */
async function measure(browser, url, warm, withShelfwise) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  if (warm) await context.addInitScript(kitchenProfile);
  await context.addInitScript(recordPaints);
  const page = await context.newPage();
  if (warm) {
    await page.goto(url);
    await settled(page, withShelfwise);
    // As a shopper reads before the next click: by then Chromium has
    // cached the compiled wasm, as it has for a returning shopper.
    await page.waitForTimeout(2000);
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_MOBILE);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await page.goto(url);
  await settled(page, withShelfwise);
  const r = await page.evaluate(() => ({
    lcp: window.__lcp.at(-1) ?? null,
    revealed: window.__revealed ?? null,
    personalized: document.querySelector("[data-shelfwise-widget]")?.getAttribute("data-shelfwise-state") === "personalized",
  }));
  await context.close();
  return r;
}

const server = await serveStore();
const browser = await launch();
try {
  for (const [name, pathname] of PAGES.filter(([name]) => !onlyPage || name === onlyPage)) {
    for (const cache of ["warm", "cold"].filter((c) => !onlyCache || c === onlyCache)) {
      const sides = { without: [], with: [], norule: [] };
      for (let i = 0; i < loads; i++) {
        for (const side of Object.keys(sides)) {
          const url = `${server.url}${side === "with" ? "" : `/${side}`}${pathname}`;
          sides[side].push(await measure(browser, url, cache === "warm", side !== "without"));
        }
      }
      const out = { bench: "lcp_chromium", page: name, cache, loads };
      for (const [side, rs] of Object.entries(sides)) {
        const times = rs.map((r) => r.lcp?.time ?? NaN).filter(Number.isFinite);
        out[`${side}_lcp_ms`] = Math.round(median(times));
        out[`${side}_lcp_range`] = range(times);
        out[`${side}_image_in_widget`] = rs.filter((r) => r.lcp?.image && r.lcp.inWidget).length;
      }
      for (const side of ["with", "norule"]) {
        out[`${side}_revealed_ms`] = Math.round(median(sides[side].map((r) => r.revealed).filter((t) => t !== null)));
        out[`${side}_personalized`] = sides[side].filter((r) => r.personalized).length;
      }
      console.log(JSON.stringify(out));
    }
  }
} finally {
  await browser.close();
  await server.close();
}
