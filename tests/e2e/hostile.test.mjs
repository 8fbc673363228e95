// The hostile pages (`HOSTILE` in xtask/src/demo.rs, their own scripts in
// www/hostile/setup/): a third-party script on pages it does
// not control. Each must end with no uncaught exception or unhandled
// rejection, at most one warning per failure class, the page outside the
// widget exactly as without Shelfwise, and the widget personalized or in the
// merchant's order as the case allows.

import { test } from "node:test";
import assert from "node:assert/strict";
import { demoStore, outsideWidgets, watchedPage, widgetOrder } from "./harness.mjs";

const env = demoStore();
const MERCHANT = ["sku-01001", "sku-09004", "sku-03006", "sku-03004"];

/** Browser messages about the page's own policies, not Shelfwise errors. */
const BROWSER = /Content Security Policy|Content-Security-Policy|wasm-unsafe-eval|Failed to load resource|ERR_/;

const PAGES = [
  // page, the widget's state, the warnings expected (one per class), extra check
  ["storage-getter-throws", "personalized", [/localStorage is unavailable/]],
  ["storage-quota", "personalized", [/localStorage is unavailable/]],
  ["storage-corrupt", "personalized", [], async (page) => {
    assert.equal(await page.evaluate(() => ({}).polluted), undefined, "no prototype pollution");
    assert.equal(await page.evaluate(() => Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")), false);
  }],
  ["csp-wasm", "personalized", []],
  ["csp-no-wasm", "merchant", [/WebAssembly could not start/]],
  ["trusted-types", "personalized", []],
  ["network-blocked", "merchant", [/could not be loaded/, /WebAssembly could not start/]],
  ["network-patched", "personalized", [], async (page) => {
    assert.ok((await page.evaluate(() => window.__wrapped.fetch)) > 0, "went through the page's wrapper");
  }],
  ["twice", "personalized", [], async (page) => {
    assert.equal(await page.evaluate(() => document.querySelectorAll("[data-shelfwise-state]").length), 1);
  }],
  ["track-loop", "personalized", [/events at once/], async (page) => {
    await page.waitForFunction(() => window.__looped === true);
  }],
  ["children-removed", null, [], async (page) => {
    assert.equal(await page.evaluate(() => document.getElementById("w").children.length), 0, "the page's own change stands");
  }],
];

for (const [name, state, warnings, check] of PAGES) {
  test(`hostile page: ${name}`, async () => {
    const url = `${env.server.url}/hostile/${name}.html`;
    const context = await env.browser.newContext();
    // The same page without Shelfwise, for the DOM outside the widget.
    const { page: plain } = await watchedPage(context, { errors: [BROWSER] });
    await plain.route("**/dist/shelfwise.js*", (route) => route.fulfill({ body: "", contentType: "text/javascript" }));
    await plain.goto(url);
    const baseline = await outsideWidgets(plain);
    await plain.close();

    const { page, log } = await watchedPage(context, { errors: [BROWSER], warnings });
    const rejections = [];
    await page.exposeFunction("__rejected", (reason) => rejections.push(reason));
    await page.addInitScript(() => window.addEventListener("unhandledrejection", (e) => window.__rejected(String(e.reason))));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("w").hasAttribute("data-shelfwise-state"), null, { timeout: 10_000 });
    await page.waitForTimeout(1_500);
    if (state) {
      assert.equal(await page.getAttribute("#w", "data-shelfwise-state"), state);
      if (state === "merchant") assert.deepEqual(await widgetOrder(page, "#w"), MERCHANT);
      else assert.notDeepEqual(await widgetOrder(page, "#w"), MERCHANT);
    }
    await check?.(page);
    assert.equal(await outsideWidgets(page), baseline, "the page outside the widget is unchanged");
    assert.deepEqual(rejections, [], "no unhandled rejection");
    const errors = log.errors.filter((e, i) => !(BROWSER.test(e) && !e.startsWith("pageerror")));
    assert.deepEqual(errors, [], "no exception");
    assert.equal(log.warnings.length, warnings.length, String(log.warnings));
    warnings.forEach((pattern, i) => assert.ok(log.warnings.some((w) => pattern.test(w)), `${pattern} in ${log.warnings}`));
    await context.close();
  });
}
