// The demo store, end to end, through the real script tag and dist/.
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoStore, merchantOrder, serve, servePage, site, watchedPage, widgetOrder, widgetsSettled } from "./harness.mjs";

const env = demoStore();

const HOME_REORDER = "main [data-shelfwise-widget=reorder]";
const hatsOf = (ids) => ids.filter((id) => id.startsWith("sku-03"));


test("three views of one category put that category first, and a reload keeps it", async () => {
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  const merchant = await merchantOrder(env, "/", HOME_REORDER);
  const hats = hatsOf(merchant);
  assert.ok(hats.length >= 2, "the home widget offers hats");
  assert.notDeepEqual(merchant.slice(0, hats.length), hats, "merchant order does not already lead with hats");

  for (const id of ["sku-03005", "sku-03006", "sku-03007"]) {
    await page.goto(`${env.server.url}/product/${id}.html`);
    await widgetsSettled(page);
  }
  await page.goto(`${env.server.url}/`);
  await widgetsSettled(page);
  const first = await widgetOrder(page, HOME_REORDER);
  assert.deepEqual(first.slice(0, hats.length).sort(), [...hats].sort(), `hats lead: ${first}`);
  assert.equal(await page.getAttribute(HOME_REORDER, "data-shelfwise-state"), "personalized");
  assert.equal(first.length, 8, "data-shelfwise-limit trims to 8");

  await page.reload();
  await widgetsSettled(page);
  assert.deepEqual(await widgetOrder(page, HOME_REORDER), first, "a reload keeps the order");

  // The category page itself: the viewed hats and their neighbours (the
  // sample shoppers browse nearby items) lead its grid of 20 hats.
  await page.goto(`${env.server.url}/category/hats.html`);
  await widgetsSettled(page);
  const grid = await widgetOrder(page, "main section:first-of-type [data-shelfwise-widget]");
  // Within three of a viewed hat (05, 06, 07): the sample shoppers' reach.
  const near = (id) => [5, 6, 7].some((viewed) => Math.abs(Number(id.slice(-3)) - viewed) <= 3);
  assert.ok(grid.slice(0, 5).every(near), `the viewed neighbourhood leads the grid: ${grid.slice(0, 5)}`);
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.warnings, []);
  await context.close();
});

test("with localStorage blocked the page shows the merchant order and logs no error", async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  const { page, log } = await watchedPage(context, { warnings: [/localStorage is unavailable/] });
  const merchant = await merchantOrder(env, "/", HOME_REORDER);
  for (const path of ["/product/sku-03005.html", "/product/sku-03006.html", "/product/sku-03007.html", "/"]) {
    log.warnings.length = 0;
    await page.goto(`${env.server.url}${path}`);
    await widgetsSettled(page);
    assert.equal(log.warnings.length, 1, `one warning on ${path}: ${log.warnings}`);
    assert.match(log.warnings[0], /localStorage is unavailable/);
  }
  assert.deepEqual(await widgetOrder(page, HOME_REORDER), merchant.slice(0, 8));
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("add-to-cart markup, the cart widget and a GA4 purchase feed the profile", async () => {
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  await page.goto(`${env.server.url}/product/sku-05003.html`);
  await widgetsSettled(page);
  await page.click("button.add");
  await page.waitForFunction(() => (localStorage.getItem("shelfwise:v1:profile") ?? "").includes("\nc\t"));
  await page.goto(`${env.server.url}/cart.html`);
  await widgetsSettled(page);
  const together = await widgetOrder(page, "[data-shelfwise-widget=bought-together]");
  assert.ok(together[0].startsWith("sku-05"), `watches go with a watch: ${together}`);
  assert.ok(!together.includes("sku-05003"), "the cart's own item is not pushed");

  await page.goto(`${env.server.url}/checkout.html`);
  await widgetsSettled(page).catch(() => {});
  await page.click("#checkout button");
  await page.waitForFunction(() => (localStorage.getItem("shelfwise:v1:profile") ?? "").includes("\np\t"));
  const profile = await page.evaluate(() => localStorage.getItem("shelfwise:v1:profile"));
  assert.match(profile, /\np\t\d+\tsku-05003/);
  assert.doesNotMatch(profile, /\nc\t/, "the purchase emptied the cart");
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("dataLayer pushes made before the SDK loaded, snippet calls and early calls are all kept", async () => {
  const page_ = `<!doctype html><html><head>
<script>
  window.dataLayer = [{ event: "view_item", ecommerce: { items: [{ item_id: "sku-07001", item_category: "Bedding" }] } }];
  window.shelfwise = [["track", "Product Viewed", { product_id: "sku-07002", category: "Bedding" }]];
</script>
<script async src="/dist/shelfwise.js" data-model="/model.swm" onload="shelfwise.track('Product Added', { product_id: 'sku-07003', category: 'Bedding' })"></script>
</head><body><p>third party</p></body></html>`;
  const custom = await servePage("/early.html", page_);
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  await page.goto(`${custom.url}/early.html`);
  await page.waitForFunction(() => {
    const p = localStorage.getItem("shelfwise:v1:profile") ?? "";
    return ["sku-07001", "sku-07002", "sku-07003"].every((id) => p.includes(id));
  });
  await page.evaluate(() => window.dataLayer.push({ event: "add_to_cart", ecommerce: { items: [{ item_id: "sku-07004" }] } }));
  await page.waitForFunction(() => (localStorage.getItem("shelfwise:v1:profile") ?? "").includes("sku-07004"));
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.warnings, []);
  await context.close();
  await custom.close();
});

test("a product page still arriving when the engine starts is recorded once its markup is in", async () => {
  // A slow network or a long page: the script tag comes early in the HTML,
  // and the element declaring the product only after the wasm is running.
  const html = fs.readFileSync(path.join(site, "product/sku-01001.html"), "utf8");
  const cut = html.indexOf("<div class=\"product\"");
  assert.ok(cut > 0 && html.indexOf("data-shelfwise-view") > cut, "the product's element comes after the script tag");
  let wasmServed;
  const wasm = new Promise((resolve) => (wasmServed = resolve));
  const streamed = (req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    // Padding: Chromium parses (and starts the async script) without waiting for more.
    res.write(`${html.slice(0, cut)}<!--${" ".repeat(4096)}-->`);
    void wasm.then(() => setTimeout(() => res.end(html.slice(cut)), 500));
  };
  const custom = await serve(site, { "/product/streamed.html": streamed }, (pathname) => pathname.endsWith(".wasm") && wasmServed());
  const context = await env.browser.newContext();
  const { page } = await watchedPage(context);
  await page.goto(`${custom.url}/product/streamed.html`);
  await widgetsSettled(page);
  const { profile } = await page.evaluate(() => window.shelfwise.export());
  const views = profile.interactions.filter((i) => i.kind === "view").map((i) => i.item);
  assert.deepEqual(views, ["sku-01001"], "the page's product is recorded, once");
  await context.close();
  await custom.close();
});

test("the script included twice runs once", async () => {
  const html = `<!doctype html><html><head>
<script async src="/dist/shelfwise.js" data-model="/model.swm"></script>
<script async src="/dist/shelfwise.js?again" data-model="/model.swm"></script>
</head><body><div data-shelfwise-widget="reorder"><div data-item-id="sku-01001"></div><div data-item-id="sku-03001"></div></div></body></html>`;
  const custom = await servePage("/twice.html", html);
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  await page.goto(`${custom.url}/twice.html`);
  await widgetsSettled(page);
  await page.waitForLoadState("load");
  const wasmLoads = await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm")).length);
  assert.equal(wasmLoads, 1);
  assert.equal(await page.evaluate(() => typeof window.shelfwise.track), "function");
  assert.deepEqual(log.errors, []);
  await context.close();
  await custom.close();
});
