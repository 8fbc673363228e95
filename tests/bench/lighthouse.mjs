// What Shelfwise costs a store in Lighthouse: the demo store's home and
// category pages measured by Lighthouse (the version pinned in
// package.json; performance only; simulated throttling, as PageSpeed
// Insights runs it) with the mobile and desktop presets, with and without
// the Shelfwise tag, cold (a new shopper: Lighthouse clears caches and
// storage) and warm (a returning shopper: the kitchen profile, the script,
// wasm and model in the HTTP cache from a load just before). RUNS runs of
// each; prints one JSON line per (page, preset, cache) with the medians of
// LCP, TBT, CLS and the score without and with Shelfwise (and the range of
// the runs' LCP and TBT), and in how many
// runs with Shelfwise the recommendation widget ended personalized
// (`cargo xtask bench`).
//
// "Without Shelfwise": see `store.mjs`.
//
// usage: node tests/bench/lighthouse.mjs [RUNS [PAGE [PRESET [CACHE]]]] (the last three narrow the
// runs to one page, preset or cache, e.g. `5 home mobile warm`)
import lighthouse, { desktopConfig } from "lighthouse";
import puppeteer from "puppeteer-core";
import { kitchenProfile } from "../e2e/harness.mjs";
import { median, range } from "./stats.mjs";
import { PAGES, serveStore } from "./store.mjs";

const runs = Number(process.argv[2] ?? 3);
const [onlyPage, onlyPreset, onlyCache] = process.argv.slice(3);

/** One Lighthouse run of `url` in a fresh tab; `warm` keeps what the load before left. */
async function measure(browser, url, preset, warm) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  if (warm) {
    await page.evaluateOnNewDocument(kitchenProfile);
    await page.goto(url, { waitUntil: "networkidle0" });
  }
  const flags = { output: "json", logLevel: "error", onlyCategories: ["performance"], disableStorageReset: warm };
  const result = await lighthouse(url, flags, preset === "desktop" ? desktopConfig : undefined, page);
  const personalized = await page.evaluate(
    () => document.querySelector("[data-shelfwise-widget=reorder]")?.getAttribute("data-shelfwise-state") === "personalized",
  );
  const lhr = result.lhr;
  const audit = (id) => lhr.audits[id].numericValue;
  const r = {
    lcp: audit("largest-contentful-paint"),
    tbt: audit("total-blocking-time"),
    cls: audit("cumulative-layout-shift"),
    score: lhr.categories.performance.score,
    personalized,
    error: lhr.runtimeError?.code,
  };
  await context.close();
  return r;
}

const server = await serveStore();
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  for (const [name, pathname] of PAGES.filter(([name]) => !onlyPage || name === onlyPage)) {
    for (const preset of ["mobile", "desktop"].filter((p) => !onlyPreset || p === onlyPreset)) {
      for (const cache of ["warm", "cold"].filter((c) => !onlyCache || c === onlyCache)) {
        const out = { bench: "lighthouse", page: name, preset, cache, runs };
        // Interleaved, so that whatever else the machine does weighs on both sides alike.
        const sides = { without: [], with: [] };
        for (let i = 0; i < runs; i++) {
          for (const side of ["without", "with"]) {
            const url = `${server.url}${side === "without" ? "/without" : ""}${pathname}`;
            sides[side].push(await measure(browser, url, preset, cache === "warm"));
          }
        }
        for (const side of ["without", "with"]) {
          const rs = sides[side];
          out[`${side}_lcp_ms`] = Math.round(median(rs.map((r) => r.lcp)));
          out[`${side}_tbt_ms`] = Math.round(median(rs.map((r) => r.tbt)));
          for (const metric of ["lcp", "tbt"]) out[`${side}_${metric}_range`] = range(rs.map((r) => r[metric]));
          out[`${side}_cls`] = +median(rs.map((r) => r.cls)).toFixed(3);
          out[`${side}_score`] = median(rs.map((r) => r.score));
          const errors = rs.map((r) => r.error).filter(Boolean);
          if (errors.length) out[`${side}_errors`] = errors;
        }
        out.personalized = sides.with.filter((r) => r.personalized).length;
        console.log(JSON.stringify(out));
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}
