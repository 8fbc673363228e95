// Segment's analytics.js on the same page: its track calls feed Shelfwise
// without extra code. The library is the real one (`@segment/analytics-next`,
// its standalone build, as Segment's CDN serves it), answered offline: the
// CDN and the tracking API are routed to files and to a recorder.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { demoStore, root, servePage, watchedPage } from "./harness.mjs";

const env = demoStore();

const UMD = path.join(root, "node_modules/@segment/analytics-next/dist/umd");
const KEY = "shelfwiseTestKey";

/**
 * Segment's install snippet reduced to what it does: a buffer of calls that
 * analytics.js replays when it loads. `segment` is `data-segment`'s value.
 */
function page(segment) {
  const attribute = segment ? ` data-segment="${segment}"` : "";
  return `<!doctype html><html><head>
<script>
  window.analytics = [];
  for (const method of ["track", "page", "on", "off", "ready"]) {
    analytics[method] = (...args) => (analytics.push([method, ...args]), analytics);
  }
  analytics._writeKey = "${KEY}";
  analytics.page();
  analytics.track("Product Viewed", { product_id: "sku-03002", category: "Hats" });
</script>
<script async src="https://cdn.segment.com/analytics.js/v1/${KEY}/analytics.min.js"></script>
<script async src="/dist/shelfwise.js" data-model="/model.swm"${attribute}></script>
</head><body><p>a shop with Segment</p></body></html>`;
}

/**
 * Routes Segment's CDN and API for `context`; analytics.js is answered once
 * `release` resolves. Returns the track events the API received.
 */
async function offlineSegment(context, release) {
  const sent = [];
  await context.route("https://cdn.segment.com/**", async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith("/analytics.min.js")) {
      await release;
      return route.fulfill({ path: path.join(UMD, "standalone.js"), contentType: "text/javascript" });
    }
    if (url.pathname === `/v1/projects/${KEY}/settings`) {
      return route.fulfill({ json: { integrations: { "Segment.io": { apiKey: KEY } }, plan: {} } });
    }
    const bundle = path.join(UMD, path.basename(url.pathname));
    if (url.pathname.startsWith("/analytics-next/bundles/") && fs.existsSync(bundle)) {
      return route.fulfill({ path: bundle, contentType: "text/javascript" });
    }
    return route.fulfill({ status: 404, body: "" });
  });
  await context.route("https://api.segment.io/**", (route) => {
    const body = route.request().postDataJSON?.() ?? {};
    for (const event of body.batch ?? [body]) if (event.type === "track") sent.push(event.event);
    return route.fulfill({ json: { success: true } });
  });
  return sent;
}

/** The product ids of the views in the stored profile. */
async function views(p) {
  const kept = await p.evaluate(() => window.shelfwise.export());
  return kept.profile.interactions.filter((i) => i.kind === "view").map((i) => i.item);
}

test("track calls buffered before analytics.js loaded and made after it both reach the profile, once each", async () => {
  const context = await env.browser.newContext();
  let loadSegment;
  const sent = await offlineSegment(context, new Promise((resolve) => (loadSegment = resolve)));
  const custom = await servePage("/segment.html", page());
  const { page: p, log } = await watchedPage(context);
  // Not waiting for `load`: analytics.js, an async script, holds it back.
  await p.goto(`${custom.url}/segment.html`, { waitUntil: "domcontentloaded" });
  // Shelfwise runs first: it finds the snippet's buffer, not the library.
  await p.waitForFunction(() => window.shelfwise?.init);
  await p.evaluate(() => window.shelfwise.init());
  assert.equal(await p.evaluate(() => Array.isArray(window.analytics)), true, "analytics.js not loaded yet");
  loadSegment();
  await p.waitForFunction(() => !Array.isArray(window.analytics));
  // The library's track resolves once it has dispatched and told its listeners.
  await p.evaluate(() => window.analytics.track("Product Viewed", { product_id: "sku-03003", category: "Hats" }));
  assert.deepEqual(await views(p), ["sku-03002", "sku-03003"]);
  assert.deepEqual(sent, ["Product Viewed", "Product Viewed"], "Segment delivered its events as usual");
  assert.deepEqual(log.errors, []);
  await context.close();
  await custom.close();
});

test("analytics.js loaded before Shelfwise: later track calls are picked up", async () => {
  const context = await env.browser.newContext();
  await offlineSegment(context, Promise.resolve());
  const html = page().replace(`<script async src="/dist/shelfwise.js" data-model="/model.swm"></script>`, "");
  const custom = await servePage("/segment-first.html", html);
  const { page: p, log } = await watchedPage(context);
  await p.goto(`${custom.url}/segment-first.html`);
  await p.waitForFunction(() => !Array.isArray(window.analytics));
  await p.addScriptTag({ url: "/dist/shelfwise.js" });
  await p.evaluate(() => window.shelfwise.init());
  await p.evaluate(() => window.analytics.track("Product Added", { product_id: "sku-03004", category: "Hats", price: 12 }));
  const kept = await p.evaluate(() => window.shelfwise.export());
  assert.deepEqual(kept.profile.cart.map((c) => [c.item, c.price_cents]), [["sku-03004", 1200]]);
  assert.deepEqual(log.errors, []);
  await context.close();
  await custom.close();
});

test('data-segment="ignore" leaves analytics.js alone', async () => {
  const context = await env.browser.newContext();
  const sent = await offlineSegment(context, Promise.resolve());
  const custom = await servePage("/segment-ignored.html", page("ignore"));
  const { page: p, log } = await watchedPage(context);
  await p.goto(`${custom.url}/segment-ignored.html`);
  await p.waitForFunction(() => !Array.isArray(window.analytics) && window.shelfwise?.init);
  await p.evaluate(() => window.shelfwise.init());
  await p.evaluate(() => window.analytics.track("Product Viewed", { product_id: "sku-03003", category: "Hats" }));
  assert.deepEqual(sent, ["Product Viewed", "Product Viewed"], "Segment itself saw both");
  assert.deepEqual(await views(p), []);
  assert.deepEqual(log.errors, []);
  await context.close();
  await custom.close();
});
