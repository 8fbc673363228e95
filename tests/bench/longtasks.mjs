// Long main-thread work Shelfwise causes on a slow phone: the demo store's
// home page loaded warm LOADS times in Chromium with the CPU throttled RATE
// times (CDP `Emulation.setCPUThrottlingRate`), a returning shopper (the
// kitchen profile: every load personalizes), recording the page's long
// tasks (over 50 ms) and its long-animation-frame entries with their
// scripts' attribution (each entry point over 5 ms). A long task counts
// against Shelfwise when Shelfwise's scripts (the script tag, its chunks,
// the wasm they call) ran in it long enough that without them it would not
// be long. A long animation frame may hold several tasks (a frame is drawn
// only at the display's rate), so frames are reported apart: how many had
// more than 50 ms of Shelfwise's scripts, summed over their tasks. The
// first timed load is the script's second in this browser: the one after
// which V8 writes its code cache, in the script's own task (the worst task
// names its load). Prints one JSON line per rate (`cargo xtask bench`).
//
// usage: node tests/bench/longtasks.mjs [LOADS]
import { kitchenProfile, launch, serve, site, widgetsSettled } from "../e2e/harness.mjs";

const loads = Number(process.argv[2] ?? 40);

/** Page init script: every long task, and every long animation frame with its scripts. */
function recordLongWork() {
  window.__tasks = [];
  window.__frames = [];
  new PerformanceObserver((list) => {
    for (const t of list.getEntries()) window.__tasks.push({ start: t.startTime, duration: t.duration });
  }).observe({ type: "longtask", buffered: true });
  new PerformanceObserver((list) => {
    for (const f of list.getEntries()) {
      window.__frames.push({
        duration: f.duration,
        scripts: f.scripts.map((s) => ({ url: s.sourceURL, fn: s.sourceFunctionName, invoker: s.invoker, start: s.startTime, duration: s.duration })),
      });
    }
  }).observe({ type: "long-animation-frame", buffered: true });
}

/** Shelfwise's scripts among `scripts` (a frame's, or all of a load's). */
const ours = (scripts) => scripts.filter((s) => /shelfwise/.test(s.url));
/** How long `scripts` ran, together. */
const total = (scripts) => scripts.reduce((sum, s) => sum + s.duration, 0);

const server = await serve(site);
const browser = await launch();
try {
  for (const rate of [4]) {
    const context = await browser.newContext();
    await context.addInitScript(kitchenProfile);
    await context.addInitScript(recordLongWork);
    const page = await context.newPage();
    const url = `${server.url}/index.html`;
    await page.goto(url);
    await widgetsSettled(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    const r = {
      bench: "longtasks_chromium", rate, loads, personalized: 0,
      long_tasks: 0, shelfwise_tasks: 0, max_task_ms: 0, worst_task: "",
      long_frames: 0, shelfwise_frames: 0, max_shelfwise_ms: 0, worst: "", shelfwise_ms: [],
    };
    let worstTaskMs = 0;
    for (let i = 0; i < loads; i++) {
      await page.goto(url);
      await widgetsSettled(page, 30_000);
      // Whatever Shelfwise does after the widgets (exposures, the idle prefetch) has time to run.
      await page.waitForTimeout(1000);
      if ((await page.getAttribute("[data-shelfwise-widget=reorder]", "data-shelfwise-state")) === "personalized") r.personalized += 1;
      const { tasks, frames } = await page.evaluate(() => ({ tasks: window.__tasks, frames: window.__frames }));
      const scripts = ours(frames.flatMap((f) => f.scripts));
      for (const task of tasks) {
        r.long_tasks += 1;
        r.max_task_ms = Math.max(r.max_task_ms, task.duration);
        const inside = scripts.filter((s) => s.start >= task.start - 1 && s.start + s.duration <= task.start + task.duration + 1);
        // Long only because of Shelfwise's scripts in it.
        if (inside.length === 0 || task.duration - total(inside) > 50) continue;
        r.shelfwise_tasks += 1;
        if (task.duration > worstTaskMs) {
          worstTaskMs = task.duration;
          r.worst_task = `load ${i + 1} of ${loads}, ${Math.round(task.duration)} ms task: ${inside.map((s) => `${s.invoker} ${Math.round(s.duration)} ms`).join("; ")}`;
        }
      }
      let worst = 0;
      for (const f of frames) {
        r.long_frames += 1;
        const mine = ours(f.scripts);
        const sum = total(mine);
        // What ran in the frame with the most of Shelfwise: each script's entry point and time.
        if (sum > Math.max(worst, r.max_shelfwise_ms)) r.worst = mine.map((s) => `${s.invoker} ${s.fn} ${Math.round(s.duration)} ms`).join("; ");
        worst = Math.max(worst, sum);
        if (sum > 50) r.shelfwise_frames += 1;
      }
      r.shelfwise_ms.push(worst);
      r.max_shelfwise_ms = Math.max(r.max_shelfwise_ms, worst);
    }
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
    await context.close();
    const sorted = r.shelfwise_ms.sort((a, b) => a - b);
    r.median_shelfwise_ms = +sorted[sorted.length >> 1].toFixed(1);
    r.max_shelfwise_ms = +r.max_shelfwise_ms.toFixed(1);
    r.max_task_ms = +r.max_task_ms.toFixed(1);
    delete r.shelfwise_ms;
    console.log(JSON.stringify(r));
  }
} finally {
  await browser.close();
  await server.close();
}
