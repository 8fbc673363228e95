// Consent through a real IAB TCF v2.2 CMP (`./cmp.mjs`): measurement refused
// means no experiment; which purpose consents are read; a CMP slower than
// the anti-flicker hold.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cmpScript, tcString } from "./cmp.mjs";
import { demoStore, editPages, kitchenProfile, servePage, watchedPage, widgetOrder, widgetsSettled } from "./harness.mjs";

const env = demoStore();

const ALL = [1, 5, 6, 8];
const NO_MEASUREMENT = [1, 5, 6];
const ARM_KEY = "shelfwise:v1:arm";

/** A context whose demo pages carry `attributes` instead of `data-holdout="0"`; `sent` lists its beacon requests. */
async function shopper(attributes) {
  const context = await env.browser.newContext();
  await editPages(context, (html) => html.replace('data-holdout="0"', attributes));
  const sent = [];
  context.on("request", (request) => {
    if (request.url().includes("/collect")) sent.push(request.url());
  });
  return { context, sent };
}

/** A page of `context` with the real CMP answering `tc` at once. */
async function withCmp(context, tc) {
  const watched = await watchedPage(context);
  await watched.page.addInitScript(await cmpScript({ tc }));
  return watched;
}

const arm = (page) => page.evaluate((key) => localStorage.getItem(key), ARM_KEY);
const state = (page, selector) => page.getAttribute(selector, "data-shelfwise-state");

test("measurement refused (purposes 1, 5, 6 without 8): personalized, no beacon, no arm kept, never held out", async () => {
  // Everyone who is in the experiment is held out here. The test asserts what is decided, not
  // how soon: the pages hold for 5 s, so that a loaded machine still decides inside the hold.
  const { context, sent } = await shopper('data-holdout="1" data-hold-timeout="5000"');
  // An earlier visit that allowed measurement: in the holdout, with its arm stored.
  const earlier = await withCmp(context, tcString({ global: ALL }));
  await earlier.page.goto(`${env.server.url}/product/sku-03005.html`);
  await widgetsSettled(earlier.page);
  assert.equal(await state(earlier.page, "[data-shelfwise-widget=similar]"), "merchant", "held out");
  assert.ok(await arm(earlier.page), "the arm is kept while measured");
  await earlier.page.evaluate(() => window.shelfwise.flush());
  assert.ok(sent.length > 0, "beacons while measured");
  // The shopper changes their mind in the CMP: the arm goes at once.
  await earlier.page.evaluate((tc) => window.__cmp.update(tc, false), tcString({ global: NO_MEASUREMENT }));
  await earlier.page.waitForFunction((key) => localStorage.getItem(key) === null, ARM_KEY);
  await earlier.page.close();

  // The next page, measurement still refused: nobody's arm, personalized, nothing sent.
  const before = sent.length;
  const { page, log } = await withCmp(context, tcString({ global: NO_MEASUREMENT }));
  await page.goto(`${env.server.url}/product/sku-03006.html`);
  await widgetsSettled(page);
  assert.equal(await state(page, "[data-shelfwise-widget=similar]"), "personalized");
  const kept = await page.evaluate(() => window.shelfwise.export());
  assert.equal(kept.arm, "personalized");
  assert.equal(kept.persistent, true, "the profile is kept (purposes 1, 5, 6)");
  assert.deepEqual(Object.keys(kept.stored).filter((k) => k === ARM_KEY || k.endsWith(":outbox")), []);
  assert.equal(await arm(page), null);
  await page.evaluate(() => window.shelfwise.flush());
  assert.equal(sent.length, before, "no beacon without purpose 8");
  assert.deepEqual([log.errors, log.warnings], [[], []]);
  await context.close();
});

// [case, script-tag attributes, global purposes, publisher purposes, whether the profile is kept]
const PURPOSES = [
  ["global purposes only (the CMP records no publisher purpose)", "", ALL, [], true],
  ["publisher purposes only", "", [], ALL, true],
  ["the publisher's refused, the global granted", "", ALL, [2], false],
  ["the same, data-tcf-purposes=global", 'data-tcf-purposes="global"', ALL, [2], true],
  ["global granted, no publisher purpose, data-tcf-purposes=publisher", 'data-tcf-purposes="publisher"', ALL, [], false],
];

for (const [name, attributes, global, publisher, keeps] of PURPOSES) {
  test(`which consents apply — ${name}: profile ${keeps ? "kept" : "not kept"}`, async () => {
    const { context } = await shopper(`data-holdout="0" ${attributes}`);
    const { page, log } = await withCmp(context, tcString({ global, publisher }));
    await page.goto(`${env.server.url}/product/sku-03005.html`);
    await widgetsSettled(page);
    const kept = await page.evaluate(() => window.shelfwise.export());
    assert.equal(kept.persistent, keeps);
    assert.equal(await page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith("shelfwise:"))), keeps);
    assert.deepEqual([log.errors, log.warnings], [[], []]);
    await context.close();
  });
}

/** Cards of demo items: three of other categories before two kitchen items. */
const cards = ["sku-01001", "sku-02001", "sku-09001", "sku-06001", "sku-06002"].map((id) => `<div data-item-id="${id}">${id}</div>`).join("");

/** A page with a widget in view and one far below it; no render-blocking stylesheet, no collector. */
const TALL_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>A slow CMP</title><link rel="icon" href="data:,">
<script async src="/dist/shelfwise.js" data-model="/model.swm"></script></head><body>
<div id="top" data-shelfwise-widget="reorder">${cards}</div>
<div style="height:3000px"></div>
<div id="bottom" data-shelfwise-widget="reorder">${cards}</div>
</body></html>`;

/** A shopper with a kitchen history on the tall page, whose CMP answers only when the test says. */
async function slowCmpShopper(server) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(kitchenProfile);
  await context.addInitScript(await cmpScript({ tc: tcString({ global: ALL }), delay: null }));
  const watched = await watchedPage(context);
  await watched.page.goto(`${server.url}/tall.html`);
  // The hold (300 ms) ends before the CMP answers.
  await watched.page.waitForFunction(() => document.getElementById("top").hasAttribute("data-shelfwise-state"));
  return { context, ...watched };
}

test("a CMP answering after the hold: the widget in view keeps the merchant's order, the one below the fold is personalized", async () => {
  const server = await servePage("/tall.html", TALL_PAGE);
  const { context, page, log } = await slowCmpShopper(server);
  const merchant = await widgetOrder(page, "#top");
  assert.equal(await state(page, "#top"), "merchant");
  assert.equal(await state(page, "#bottom"), null, "undecided while out of sight");
  await page.evaluate(() => window.__cmpAnswer());
  await page.evaluate(() => window.shelfwise.init());
  assert.deepEqual(await widgetOrder(page, "#top"), merchant, "what was in view never moved");
  assert.equal(await state(page, "#top"), "merchant");
  assert.equal(await state(page, "#bottom"), "personalized");
  assert.match((await widgetOrder(page, "#bottom"))[0], /^sku-06/, "kitchen first");
  assert.deepEqual([log.errors, log.warnings], [[], []]);
  await context.close();
  await server.close();
});

test("a CMP answering after the shopper scrolled to the lower widget: it stays in the order they saw", async () => {
  const server = await servePage("/tall.html", TALL_PAGE);
  const { context, page, log } = await slowCmpShopper(server);
  const merchant = await widgetOrder(page, "#bottom");
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForFunction(() => document.getElementById("bottom").hasAttribute("data-shelfwise-state"));
  await page.evaluate(() => window.__cmpAnswer());
  await page.evaluate(() => window.shelfwise.init()); // resolves once every widget is decided
  assert.equal(await state(page, "#bottom"), "merchant");
  assert.deepEqual(await widgetOrder(page, "#bottom"), merchant);
  assert.deepEqual([log.errors, log.warnings], [[], []]);
  await context.close();
  await server.close();
});
