// Long main-thread work Shelfwise causes on a slow phone: the demo store's
// home page loaded warm LOADS times in Chromium with the CPU throttled RATE
// times (CDP `Emulation.setCPUThrottlingRate`), a returning shopper (the
// kitchen profile: every load personalizes), recording the page's
// long-animation-frame entries (frames over 50 ms) with their scripts'
// attribution. A frame counts against Shelfwise when Shelfwise's scripts
// (the script tag, its chunks, the wasm they call) ran in it for more than
// 50 ms. Prints one JSON line per rate (`cargo xtask bench`).
//
// usage: node tests/bench/longtasks.mjs [LOADS]
import { kitchenProfile, launch, serve, site, widgetsSettled } from "../e2e/harness.mjs";

const loads = Number(process.argv[2] ?? 40);

/** Page init script: every long animation frame, with its scripts. */
function recordLongFrames() {
  window.__frames = [];
  new PerformanceObserver((list) => {
    for (const f of list.getEntries()) {
      window.__frames.push({
        duration: f.duration,
        blocking: f.blockingDuration,
        scripts: f.scripts.map((s) => ({ url: s.sourceURL, fn: s.sourceFunctionName, invoker: s.invoker, duration: s.duration })),
      });
    }
  }).observe({ type: "long-animation-frame", buffered: true });
}

const server = await serve(site);
const browser = await launch();
try {
  for (const rate of [4]) {
    const context = await browser.newContext();
    await context.addInitScript(kitchenProfile);
    await context.addInitScript(recordLongFrames);
    const page = await context.newPage();
    const url = `${server.url}/index.html`;
    await page.goto(url);
    await widgetsSettled(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    const r = { bench: "longtasks_chromium", rate, loads, personalized: 0, long_frames: 0, shelfwise_frames: 0, max_shelfwise_ms: 0, max_frame_ms: 0, worst: "", shelfwise_ms: [] };
    for (let i = 0; i < loads; i++) {
      await page.goto(url);
      await widgetsSettled(page, 30_000);
      // Whatever Shelfwise does after the widgets (exposures, the idle prefetch) has time to run.
      await page.waitForTimeout(1000);
      if ((await page.getAttribute("[data-shelfwise-widget=reorder]", "data-shelfwise-state")) === "personalized") r.personalized += 1;
      const frames = await page.evaluate(() => window.__frames);
      let worst = 0;
      for (const f of frames) {
        r.long_frames += 1;
        r.max_frame_ms = Math.max(r.max_frame_ms, f.duration);
        const scripts = f.scripts.filter((s) => /shelfwise/.test(s.url));
        const ours = scripts.reduce((sum, s) => sum + s.duration, 0);
        // What ran in the frame with the most of Shelfwise: each script's entry point and time.
        if (ours > Math.max(worst, r.max_shelfwise_ms)) r.worst = scripts.map((s) => `${s.invoker} ${s.fn} ${Math.round(s.duration)} ms`).join("; ");
        worst = Math.max(worst, ours);
        if (ours > 50) r.shelfwise_frames += 1;
      }
      r.shelfwise_ms.push(worst);
      r.max_shelfwise_ms = Math.max(r.max_shelfwise_ms, worst);
    }
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
    await context.close();
    const sorted = r.shelfwise_ms.sort((a, b) => a - b);
    r.median_shelfwise_ms = +sorted[sorted.length >> 1].toFixed(1);
    r.max_shelfwise_ms = +r.max_shelfwise_ms.toFixed(1);
    r.max_frame_ms = +r.max_frame_ms.toFixed(1);
    delete r.shelfwise_ms;
    console.log(JSON.stringify(r));
  }
} finally {
  await browser.close();
  await server.close();
}
