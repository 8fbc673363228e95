// Bad input never breaks the page: one clear console warning, the
// merchant's order, nothing thrown.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { HOLD_STYLE, demoStore, loadWarm, merchantOrder, servePage, site, watchedPage, widgetOrder, widgetsSettled } from "./harness.mjs";

const env = demoStore();

const HOME_REORDER = "main [data-shelfwise-widget=reorder]";
const MODEL = fs.readFileSync(path.join(site, "model.swm"));

/** A context whose shopper already viewed three hats. */
async function returningShopper() {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    if (localStorage.getItem("shelfwise:v1:profile")) return;
    const now = Date.now();
    const views = ["sku-03005", "sku-03006", "sku-03007"].map((id) => `i\tv\t${now}\t${id}\tHats`).join("\n");
    localStorage.setItem("shelfwise:v1:profile", `swp1\nt\t${now}\t${now}\n${views}\ng\t${now}\t3000\tHats\n`);
  });
  return context;
}

const merchantHome = (options) => merchantOrder(env, "/", HOME_REORDER, options);

const flipped = Buffer.from(MODEL);
flipped[flipped.length - 10] ^= 0xff;
const future = Buffer.from(MODEL);
future[8] = 9;
const BAD_MODELS = {
  truncated: { status: 200, contentType: "application/octet-stream", body: MODEL.subarray(0, MODEL.length >> 1) },
  corrupt: { status: 200, contentType: "application/octet-stream", body: flipped },
  "wrong version": { status: 200, contentType: "application/octet-stream", body: future },
  "404": { status: 404, contentType: "text/html", body: "<h1>Not found</h1>" },
  "wrong content type": { status: 200, contentType: "text/html", body: "<!doctype html><p>a login page</p>" },
  "empty body": { status: 200, contentType: "application/octet-stream", body: Buffer.alloc(0) },
};

for (const [name, response] of Object.entries(BAD_MODELS)) {
  test(`a ${name} model gives one warning and the merchant order`, async () => {
    const merchant = await merchantHome({ shown: true });
    const context = await returningShopper();
    await context.route("**/model.swm", (route) => route.fulfill(response));
    const { page, log } = await watchedPage(context, { errors: [/^Failed to load resource/], warnings: [/shelfwise: the model at/] });
    await page.goto(`${env.server.url}/`);
    await widgetsSettled(page);
    // Untouched: what the merchant's page shows without Shelfwise, no more, no less, and
    // nothing hidden by Shelfwise.
    assert.deepEqual(await widgetOrder(page, HOME_REORDER), merchant);
    assert.equal(await page.locator(`${HOME_REORDER} > [data-shelfwise-trimmed]`).count(), 0);
    assert.equal(await page.getAttribute(HOME_REORDER, "data-shelfwise-state"), "merchant");
    // Chromium itself logs an HTTP error response as "Failed to load
    // resource"; that browser message about the model URL is the only one allowed.
    const ours = log.errors.filter((text, i) => !(text.startsWith("Failed to load resource") && log.errorSources[i].endsWith("/model.swm")));
    assert.deepEqual(ours, []);
    assert.equal(log.warnings.length, 1, String(log.warnings));
    assert.match(log.warnings[0], /shelfwise: the model at \/model\.swm (was rejected|could not be loaded)/);
    await context.close();
  });
}

test("the same returning shopper with a good model is personalized (control)", async () => {
  const merchant = await merchantHome();
  const context = await returningShopper();
  const { page, log } = await watchedPage(context);
  await loadWarm(page, log, `${env.server.url}/`);
  assert.notDeepEqual(await widgetOrder(page, HOME_REORDER), merchant.slice(0, 8));
  assert.deepEqual([log.errors, log.warnings], [[], []]);
  await context.close();
});

test("malformed data- attributes are each warned about once and ignored", async () => {
  const html = `<!doctype html><html><head>
<script async src="/dist/shelfwise.js" data-model="/model.swm" data-hold-timeout="soon" data-holdout="lots"></script>
</head><body>
<div id="w" data-shelfwise-widget="reorder" data-shelfwise-limit="-2"><div data-item-id="sku-01001"></div><div data-item-id="sku-03006"></div></div>
<div id="x" data-shelfwise-widget="carousel"><div data-item-id="sku-01001"></div><div data-item-id="sku-03006"></div></div>
</body></html>`;
  const custom = await servePage("/t.html", html);
  const context = await returningShopper();
  const { page, log } = await watchedPage(context, { warnings: [/data-hold-timeout|data-holdout|data-shelfwise-limit|unknown data-shelfwise-widget kind/] });
  await loadWarm(page, log, `${custom.url}/t.html`);
  assert.deepEqual(await widgetOrder(page, "#w"), ["sku-03006", "sku-01001"], "the limit is ignored, the widget still personalized");
  assert.deepEqual(await widgetOrder(page, "#x"), ["sku-01001", "sku-03006"], "an unknown kind is left alone");
  assert.deepEqual(log.errors, []);
  const classes = ["data-hold-timeout", "data-holdout", "data-shelfwise-limit", "unknown data-shelfwise-widget kind"];
  for (const c of classes) assert.equal(log.warnings.filter((w) => w.includes(c)).length, 1, `${c}: ${log.warnings}`);
  assert.equal(log.warnings.length, classes.length, String(log.warnings));
  await context.close();
  await custom.close();
});

test("an unknown data-consent value is treated as pending: nothing stored, merchant order", async () => {
  const html = `<!doctype html><html><head>
<script async src="/dist/shelfwise.js" data-model="/model.swm" data-consent="maybe"></script>
</head><body data-shelfwise-view="sku-02002" data-shelfwise-category="Jackets">
<div id="w" data-shelfwise-widget="similar"><div data-item-id="sku-01001"></div><div data-item-id="sku-02003"></div></div>
</body></html>`;
  const custom = await servePage("/t.html", html);
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context, { warnings: [/data-consent="maybe"/] });
  await page.goto(`${custom.url}/t.html`);
  await widgetsSettled(page);
  assert.deepEqual(await widgetOrder(page, "#w"), ["sku-01001", "sku-02003"]);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("shelfwise:")).length), 0);
  assert.deepEqual(log.errors, []);
  assert.equal(log.warnings.length, 1, String(log.warnings));
  assert.match(log.warnings[0], /data-consent="maybe"/);
  await context.close();
  await custom.close();
});

test("item ids with quotes, HTML and non-ASCII text are data, never markup", async () => {
  const ids = [`say "hi"`, `<img src=x onerror="window.__pwned=1">`, `ünïcødé ✓ 商品`, `it's`];
  const attr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const children = ids.map((id) => `<div data-item-id="${attr(id)}">x</div>`).join("");
  const html = `<!doctype html><html><head>${HOLD_STYLE}
<script async src="/dist/shelfwise.js" data-model="/model.swm"></script>
</head><body><div data-shelfwise-view="${attr(ids[1])}" data-shelfwise-category="${attr(ids[0])}"></div>
<div id="w" data-shelfwise-widget="recently-viewed">${children}</div>
<script>window.addEventListener("load", () => { for (const id of ${JSON.stringify(ids)}) shelfwise.track("Product Viewed", { product_id: id }); });</script>
</body></html>`;
  const custom = await servePage("/t.html", html);
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  await page.goto(`${custom.url}/t.html`);
  await widgetsSettled(page);
  await page.waitForFunction(() => (localStorage.getItem("shelfwise:v1:profile") ?? "").includes("it's"));
  await page.reload();
  await widgetsSettled(page);
  // The page's own product (ids[1]) is not shown on its page.
  assert.deepEqual(await widgetOrder(page, "#w"), [...ids].reverse().filter((id) => id !== ids[1]), "most recently viewed first, ids intact");
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(log.errors, []);
  await context.close();
  await custom.close();
});

test("a full localStorage (setItem throws QuotaExceededError) keeps personalization for the page", async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    const real = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (String(key).startsWith("shelfwise:")) throw new DOMException("quota", "QuotaExceededError");
      return real.call(this, key, value);
    };
  });
  // setItem fails from the first write, the probe: that reads as storage unavailable.
  const { page, log } = await watchedPage(context, { warnings: [/localStorage is unavailable/] });
  await loadWarm(page, log, `${env.server.url}/product/sku-04004.html`);
  assert.equal(await page.getAttribute("[data-shelfwise-widget=similar]", "data-shelfwise-state"), "personalized");
  assert.deepEqual(log.errors, []);
  assert.equal(log.warnings.length, 1, String(log.warnings));
  await context.close();
});
