// No flicker and no layout shift: with the SDK and model cached, the widget
// is in its final order in the first frame it is visible; when the model
// is slow, the hold ends at its timeout with the merchant's order, which
// then never changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoStore, kitchenProfile, watchedPage, widgetsSettled } from "./harness.mjs";

const env = demoStore();

/** Records, every animation frame, the visible order of the home widget, and every layout shift. */
function recordFrames() {
  window.__frames = [];
  window.__shifts = [];
  const started = performance.now();
  const tick = () => {
    const w = document.querySelector("main [data-shelfwise-widget=reorder]");
    if (w && getComputedStyle(w).visibility !== "hidden") {
      const ids = Array.from(w.children)
        .filter((c) => getComputedStyle(c).display !== "none")
        .map((c) => c.getAttribute("data-item-id"))
        .join(",");
      const last = window.__frames[window.__frames.length - 1];
      if (!last || last.ids !== ids) window.__frames.push({ t: performance.now(), ids });
    }
    if (performance.now() - started < 2500) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__shifts.push({ value: e.value, t: e.startTime });
  }).observe({ type: "layout-shift", buffered: true });
}

async function frames(page) {
  await page.waitForTimeout(2600);
  return page.evaluate(() => ({ frames: window.__frames, shifts: window.__shifts }));
}

test("warm cache: the widget's first visible frame is its final order, with no layout shift", async () => {
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  for (const id of ["sku-06003", "sku-06004", "sku-06005"]) {
    await page.goto(`${env.server.url}/product/${id}.html`);
    await widgetsSettled(page);
  }
  await page.goto(`${env.server.url}/`); // warms the cache for the home page's assets
  await widgetsSettled(page);
  await context.addInitScript(recordFrames);
  await page.goto(`${env.server.url}/`);
  const { frames: seen, shifts } = await frames(page);
  const final = await page.$$eval("main [data-shelfwise-widget=reorder] > [data-item-id]", (els) =>
    els.filter((e) => getComputedStyle(e).display !== "none").map((e) => e.getAttribute("data-item-id")).join(","),
  );
  assert.equal(await page.getAttribute("main [data-shelfwise-widget=reorder]", "data-shelfwise-state"), "personalized");
  assert.ok(final.startsWith("sku-06"), `kitchen leads: ${final}`);
  assert.deepEqual(seen.map((f) => f.ids), [final], "one visible order, the final one");
  assert.deepEqual(shifts, []);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("a slow model: the hold ends at its timeout with the merchant order, which never changes", async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(kitchenProfile);
  await context.addInitScript(recordFrames);
  await context.route("**/model.swm", async (route) => {
    const response = await route.fetch();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.fulfill({ response });
  });
  const { page, log } = await watchedPage(context);
  await page.goto(`${env.server.url}/`);
  const { frames: seen, shifts } = await frames(page);
  await widgetsSettled(page);
  assert.equal(await page.getAttribute("main [data-shelfwise-widget=reorder]", "data-shelfwise-state"), "merchant");
  assert.equal(seen.length, 1, `one visible order: ${JSON.stringify(seen)}`);
  assert.ok(seen[0].ids.startsWith("sku-01001,sku-02001"), "the merchant's order");
  assert.ok(seen[0].t < 1000, `visible after the 300 ms hold, long before the model: ${seen[0].t} ms`);
  assert.deepEqual(shifts, []);
  assert.deepEqual(log.errors, []);
  await context.close();
});
