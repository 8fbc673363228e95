// A sharded model in the browser: the manifest, then only the parts the
// page's seeds need, each checked against its digest; failures cost one
// warning and the items in the failed files; an earlier visit's items are
// never asked of the network.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { demoStore, editPages, kitchenProfile, loadWarm, merchantOrder, site, watchedPage, widgetOrder, widgetsSettled } from "./harness.mjs";

const env = demoStore();

const HOME_REORDER = "main [data-shelfwise-widget=reorder]";
const MANIFEST = "/sharded/manifest.swm";
const PARTS = fs.readdirSync(path.join(site, "sharded")).filter((f) => f.endsWith(".swp"));

/** Pages that load the sharded build of the demo model instead of the single file. */
function sharded(context, attributes = "") {
  return editPages(context, (html) => html.replace('data-model="/model.swm"', `data-model="${MANIFEST}"${attributes}`));
}

/** Records the model files `page` asks the network for (names, in order). */
function modelRequests(page) {
  const names = [];
  page.on("request", (request) => {
    const name = new URL(request.url()).pathname;
    if (/\.sw[mip]$/.test(name)) names.push(path.basename(name));
  });
  return names;
}

test("a sharded model ranks exactly as the single file, fetching a few parts without credentials", async () => {
  const orders = {};
  for (const model of ["whole", "sharded"]) {
    const context = await env.browser.newContext();
    await context.addInitScript(kitchenProfile);
    await context.addCookies([{ name: "session", value: "secret", url: env.server.url }]);
    if (model === "sharded") await sharded(context, ' data-prefetch="off"');
    const { page, log } = await watchedPage(context);
    const requests = [];
    page.on("request", (request) => {
      if (request.url().endsWith(".swp")) requests.push(request);
    });
    await loadWarm(page, log, `${env.server.url}/`);
    orders[model] = await widgetOrder(page, HOME_REORDER);
    assert.equal(await page.getAttribute(HOME_REORDER, "data-shelfwise-state"), "personalized", model);
    if (model === "sharded") {
      // The three kitchen items' parts, on the first load; from the HTTP cache after.
      const parts = new Set(requests.map((r) => r.url()));
      assert.ok(parts.size >= 1 && parts.size <= 3, `${parts.size} parts of ${PARTS.length}`);
      for (const request of requests) assert.equal((await request.allHeaders()).cookie, undefined, "no credentials");
    }
    await context.close();
  }
  assert.deepEqual(orders.sharded, orders.whole);
});

/** How a part request can go wrong, as a Playwright route handler. */
const BAD_PARTS = {
  "404": (route) => route.fulfill({ status: 404, contentType: "text/html", body: "<h1>Not found</h1>" }),
  // Longer than the 3 s the runtime gives a model's files.
  "timing out": (route) => setTimeout(() => route.fulfill({ status: 200, body: "late" }).catch(() => {}), 5000),
  truncated: async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    await route.fulfill({ response, body: body.subarray(0, body.length >> 1) });
  },
  corrupt: async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length - 5] ^= 0xff;
    await route.fulfill({ response, body });
  },
  "another part": async (route) => {
    const asked = path.basename(new URL(route.request().url()).pathname);
    const other = PARTS.find((p) => p !== asked);
    await route.fulfill({ status: 200, contentType: "application/octet-stream", body: fs.readFileSync(path.join(site, "sharded", other)) });
  },
};

for (const [name, handler] of Object.entries(BAD_PARTS)) {
  test(`parts ${name}: one warning, their items unknown, the page intact`, async () => {
    const merchant = await merchantOrder(env, "/", HOME_REORDER);
    const context = await env.browser.newContext();
    await context.addInitScript(kitchenProfile);
    await sharded(context, ' data-prefetch="off"');
    await context.route("**/sharded/*.swp", handler);
    const { page, log } = await watchedPage(context, {
      // Chromium's own messages about the refused responses.
      errors: [/^Failed to load resource/, /integrity/i],
      warnings: [/shelfwise: \d+ file\(s\) of the model at \/sharded\/manifest\.swm could not be loaded/],
    });
    await page.goto(`${env.server.url}/`);
    await widgetsSettled(page);
    // Resolves once every file has arrived or failed (or 3 s have passed).
    const started = await page.evaluate(() => window.shelfwise.init());
    assert.equal(started.personalized, true, "the manifest loaded");
    // No part arrived: no seed is known, and the widget keeps the merchant's
    // order (trimmed to its limit when it was arranged before the hold ended).
    const order = await widgetOrder(page, HOME_REORDER);
    assert.deepEqual(order, merchant.slice(0, order.length));
    assert.equal(log.warnings.length, 1, String(log.warnings));
    await context.close();
  });
}

test("destroy() while parts are on their way: nothing more is fetched or said", async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(kitchenProfile);
  await sharded(context);
  let asked = 0;
  await context.route("**/sharded/*.swp", async (route) => {
    asked += 1;
    if (asked === 1) await page.evaluate(() => window.shelfwise.destroy());
    await route.continue();
  });
  const { page } = await watchedPage(context);
  await page.goto(`${env.server.url}/`);
  // init() resolves once the runtime has given up on the model's files.
  const result = await page.evaluate(() => window.shelfwise.init());
  assert.ok(asked >= 1, "a part was on its way");
  assert.equal(result.warning, "destroyed");
  await context.close();
});

test("a corrupt manifest: one warning, the merchant's order", async () => {
  const merchant = await merchantOrder(env, "/", HOME_REORDER);
  const context = await env.browser.newContext();
  await context.addInitScript(kitchenProfile);
  await sharded(context);
  const manifest = Buffer.from(fs.readFileSync(path.join(site, MANIFEST)));
  manifest[manifest.length - 3] ^= 0xff;
  await context.route(`**${MANIFEST}`, (route) => route.fulfill({ status: 200, contentType: "application/octet-stream", body: manifest }));
  const { page, log } = await watchedPage(context, { warnings: [/shelfwise: the model at \/sharded\/manifest\.swm was rejected/] });
  await page.goto(`${env.server.url}/`);
  await widgetsSettled(page);
  assert.deepEqual(await widgetOrder(page, HOME_REORDER), merchant);
  assert.equal(await page.getAttribute(HOME_REORDER, "data-shelfwise-state"), "merchant");
  assert.equal(log.warnings.length, 1, String(log.warnings));
  await context.close();
});

test("a returning shopper's requests name only the page's items: earlier visits' parts come from the device's cache or not at all", async () => {
  const context = await env.browser.newContext();
  await sharded(context, ' data-prefetch="off"');
  const { page, log } = await watchedPage(context);
  // Every request reaches the network (the server), none is answered by the HTTP cache.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const requests = modelRequests(page);
  const visit = async (product) => {
    requests.length = 0;
    await page.goto(`${env.server.url}/product/${product}.html`);
    await widgetsSettled(page);
    await page.evaluate(() => window.shelfwise.init());
    return requests.filter((name) => name.endsWith(".swp"));
  };
  const cachedParts = () => page.evaluate(async () => (await (await caches.open("shelfwise-model")).keys()).map((r) => r.url.split("/").pop()));
  const becauseOf = (item) => page.evaluate(async (item) => (await window.shelfwise.recommend({ limit: 50 })).some((r) => r.because === item), item);

  // First visit: a pair of shoes. Its part is fetched, and kept on the device.
  const shoes = await visit("sku-01001");
  assert.equal(shoes.length, 1, String(shoes));
  await page.waitForFunction((name) => caches.open("shelfwise-model").then((c) => c.match(name)).then(Boolean), shoes[0]);

  // Two hours later, a new visit: another product (in another part).
  const earlier = (text) => text.replace(/\d{13}/g, (ms) => String(Number(ms) - 2 * 3600 * 1000));
  await page.evaluate((profile) => localStorage.setItem("shelfwise:v1:profile", profile), earlier(await page.evaluate(() => localStorage.getItem("shelfwise:v1:profile"))));
  const second = await visit("sku-05001");
  assert.equal(second.length, 1, String(second));
  assert.ok(!second.includes(shoes[0]), "the earlier visit's part is not requested");
  assert.ok(await becauseOf("sku-01001"), "the shoes still count: their part came from the device's cache");

  // The device's cache evicted: the earlier visit's items are not asked for, and cost no warning.
  await page.evaluate(() => caches.delete("shelfwise-model"));
  await page.evaluate((profile) => localStorage.setItem("shelfwise:v1:profile", profile), earlier(await page.evaluate(() => localStorage.getItem("shelfwise:v1:profile"))));
  const third = await visit("sku-09001");
  assert.equal(third.length, 1, String(third));
  assert.ok(!third.includes(shoes[0]) && !third.includes(second[0]), String(third));
  assert.ok(!(await becauseOf("sku-01001")));
  assert.deepEqual(await cachedParts(), [third[0]]);
  assert.deepEqual(log.warnings, []);

  // forget() erases the cache of parts with the profile.
  await page.evaluate(() => window.shelfwise.forget());
  await page.waitForFunction(() => caches.has("shelfwise-model").then((has) => !has));
  await context.close();
});
