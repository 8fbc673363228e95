// A page written the way a merchant would, using only the documented
// script tag, anti-flicker rule and markup, against dist/ copied under a nested path, with a
// model built by the real CLI from Segment JSON lines.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, loadWarm, outsideWidgets, thirdPartySite, watchedPage, widgetOrder } from "./harness.mjs";

let site;
let server;
let browser;
before(async () => {
  site = thirdPartySite();
  server = await serve(site.dir);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  site?.remove();
});

test("a merchant's own page is personalized through the documented snippet alone", async () => {
  const context = await browser.newContext();
  const { page: plain } = await watchedPage(context);
  await plain.route("**/shelfwise.js", (route) => route.fulfill({ body: "", contentType: "text/javascript" }));
  await plain.goto(`${server.url}/`);
  const baseline = await outsideWidgets(plain);
  await plain.close();

  const { page, log } = await watchedPage(context);
  await loadWarm(page, log, `${server.url}/`);
  assert.deepEqual(await widgetOrder(page, "#similar"), ["espresso-crema", "espresso-milano", "filter-kenia"]);
  // The page's own product is not shown on its page; the merchant's item fills (data-shelfwise-fill).
  assert.deepEqual(await widgetOrder(page, "#recent"), ["filter-kenia"]);
  assert.equal(await outsideWidgets(page), baseline, "nothing outside the widgets changed");
  await page.click("button");
  await page.waitForFunction(() => (localStorage.getItem("shelfwise:v1:profile") ?? "").includes("\nc\t"));
  assert.equal(await page.evaluate(() => typeof window.shelfwise.rank), "function");
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.warnings, []);
  await context.close();
});
