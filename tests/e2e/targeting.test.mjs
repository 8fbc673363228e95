// Targeting, segments and stated preferences on the device: the demo
// store's returning-visitor greeting, newsletter banner and preference
// control, and a page of targeted elements, in Chromium with Playwright's
// clock and time zones. Layout shift is measured on every page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoStore, editPages, servePage, watchedPage, widgetsSettled } from "./harness.mjs";

const env = demoStore();

const HOUR = 3_600_000;
/** A November morning: autumn in Berlin, spring in Sydney. */
const NOVEMBER = new Date("2026-11-16T09:30:00Z");

/** Records layout shifts from the page's start, read back by {@link shifted}. */
function recordShifts() {
  window.__shifts = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__shifts += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
}

const shifted = (page) => page.evaluate(() => window.__shifts);

/** Every targeted element decided (`data-shelfwise-state` set). */
function targetedSettled(page) {
  return page.waitForFunction(() => {
    const targeted = document.querySelectorAll("[data-shelfwise-when]:not([data-shelfwise-banner] > *)");
    return targeted.length > 0 && Array.from(targeted).every((e) => e.hasAttribute("data-shelfwise-state"));
  }, null, { timeout: 10_000 });
}

/** `{ state, visibility, height }` of the element at `selector`. */
function shown(page, selector) {
  return page.$eval(selector, (e) => ({
    state: e.getAttribute("data-shelfwise-state"),
    visibility: getComputedStyle(e).visibility,
    height: e.getBoundingClientRect().height,
  }));
}

/**
 * A page of targeted elements. These tests assert what is decided, not how
 * soon: the hold is long enough for a busy machine (its expiry is tested in
 * failures.test.mjs and the flicker tests).
 */
const TARGETS = `<!doctype html><html><head>
<link rel="stylesheet" href="/assets/style.css">
<script async src="/dist/shelfwise.js" data-model="/model.swm" data-holdout="HOLDOUT" data-collector="/collect" data-hold-timeout="5000"></script>
</head><body>
<p id="new" data-shelfwise-when="new">Hello, first-timer</p>
<p id="returning" data-shelfwise-when="returning">Welcome back</p>
<p id="spring" data-shelfwise-when="season:spring">Spring sale</p>
<p id="autumn" data-shelfwise-when="season:autumn">Autumn sale</p>
<p id="kitchen" data-shelfwise-when="category:Kitchen cart:items">Your kitchen basket</p>
<p id="vegan" data-shelfwise-when="pref:diet=vegan">Vegan picks</p>
<p id="bad" data-shelfwise-when="cart:items vip">Broken rule</p>
<p id="below">After the targeted elements</p>
</body></html>`;

test("targeting: first visit, a visit hours later, a cart, preferences and forget()", async () => {
  const server = await servePage("/targets.html", TARGETS.replace("HOLDOUT", "0"));
  const context = await env.browser.newContext({ timezoneId: "Europe/Berlin" });
  const { page } = await watchedPage(context, { warnings: [/data-shelfwise-when="cart:items vip" is not a rule \(a known term at byte 11\)/] });
  await page.clock.install({ time: NOVEMBER });
  await page.addInitScript(recordShifts);
  const url = `${server.url}/targets.html`;
  await page.goto(url);
  await targetedSettled(page);
  const below = await page.$eval("#below", (e) => e.getBoundingClientRect().top);

  assert.deepEqual(await shown(page, "#new"), { state: "shown", visibility: "visible", height: await page.$eval("#new", (e) => e.getBoundingClientRect().height) });
  for (const id of ["#returning", "#spring", "#kitchen", "#vegan", "#bad"]) {
    const s = await shown(page, id);
    assert.equal(s.state, "hidden", id);
    assert.equal(s.visibility, "hidden", id);
    assert.ok(s.height > 0, `${id} keeps its box`);
  }
  assert.equal((await shown(page, "#autumn")).state, "shown", "Berlin in November is autumn");
  const segments = await page.evaluate(() => window.shelfwise.segments());
  assert.ok(segments.includes("new") && segments.includes("season:autumn") && segments.includes("cart:empty"), segments.join(" "));

  // Kitchen views and a cart add, then a page later in the same visit.
  await page.evaluate(() => {
    for (const id of ["sku-06003", "sku-06004"]) window.shelfwise.track("Product Viewed", { product_id: id, category: "Kitchen" });
    window.shelfwise.track("Product Added", { product_id: "sku-06004", category: "Kitchen", price: 20 });
    window.shelfwise.setPreference("diet", "vegan");
  });
  await page.clock.fastForward(60_000);
  await page.goto(url);
  await targetedSettled(page);
  assert.equal((await shown(page, "#kitchen")).state, "shown");
  assert.equal((await shown(page, "#vegan")).state, "shown");
  assert.equal((await shown(page, "#new")).state, "shown", "the same visit");
  assert.equal((await shown(page, "#returning")).state, "hidden");
  const kept = await page.evaluate(() => window.shelfwise.export());
  assert.deepEqual(kept.profile.preferences, { diet: "vegan" });
  assert.equal(kept.profile.context.season, "autumn");

  // Hours later: a new visit of a returning shopper.
  await page.clock.fastForward(5 * HOUR);
  await page.goto(url);
  await targetedSettled(page);
  assert.equal((await shown(page, "#returning")).state, "shown");
  assert.equal((await shown(page, "#new")).state, "hidden");
  assert.ok((await page.evaluate(() => window.shelfwise.segments())).includes("returning"));
  assert.equal(await page.$eval("#below", (e) => e.getBoundingClientRect().top), below, "nothing moved");
  assert.equal(await shifted(page), 0, "no layout shift");

  // forget(): nothing stated, nothing remembered.
  await page.evaluate(() => window.shelfwise.forget());
  const after = await page.evaluate(() => window.shelfwise.segments());
  assert.ok(!after.some((t) => t.startsWith("pref:") || t === "returning" || t === "cart:items"), after.join(" "));
  await page.goto(url);
  await targetedSettled(page);
  assert.equal((await shown(page, "#vegan")).state, "hidden");
  assert.equal((await shown(page, "#new")).state, "shown");
  await context.close();
  await server.close();
});

test("targeting: the season follows the time zone's hemisphere", async () => {
  const server = await servePage("/targets.html", TARGETS.replace("HOLDOUT", "0"));
  for (const [timezoneId, season] of [["Europe/Berlin", "autumn"], ["Australia/Sydney", "spring"]]) {
    const context = await env.browser.newContext({ timezoneId });
    const { page } = await watchedPage(context, { warnings: [/is not a rule/] });
    await page.clock.install({ time: NOVEMBER });
    await page.goto(`${server.url}/targets.html`);
    await targetedSettled(page);
    assert.equal((await shown(page, `#${season}`)).state, "shown", timezoneId);
    assert.equal((await shown(page, season === "spring" ? "#autumn" : "#spring")).state, "hidden", timezoneId);
    assert.ok((await page.evaluate(() => window.shelfwise.segments())).includes(`season:${season}`), timezoneId);
    await context.close();
  }
  await server.close();
});

test("targeting: the holdout sees the page without Shelfwise (targeted elements hidden, default banner)", async () => {
  const server = await servePage("/targets.html", TARGETS.replace("HOLDOUT", "1"));
  const context = await env.browser.newContext();
  const { page } = await watchedPage(context, { warnings: [/is not a rule/] });
  await page.goto(`${server.url}/targets.html`);
  await targetedSettled(page);
  for (const id of ["#new", "#returning", "#autumn", "#spring", "#kitchen", "#vegan", "#bad"]) {
    assert.equal((await shown(page, id)).state, "hidden", id);
  }
  assert.equal(await page.evaluate(() => window.shelfwise.export().then((k) => k.arm)), "holdout");
  await context.close();

  // The demo store's home page from a newsletter: the offer in the personalized arm only.
  for (const [holdout, offer] of [["0", true], ["1", false]]) {
    const store = await env.browser.newContext();
    const { page: home } = await watchedPage(store);
    await home.route("**/index.html*", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace('data-holdout="0"', `data-holdout="${holdout}" data-hold-timeout="5000"`);
      await route.fulfill({ response, body: html });
    });
    await home.goto(`${env.server.url}/index.html?utm_source=news&utm_medium=email`);
    await home.waitForSelector("[data-shelfwise-banner][data-shelfwise-state]");
    const visible = await home.$$eval("[data-shelfwise-banner] > *", (els) => els.filter((e) => !e.hidden).map((e) => e.textContent));
    assert.deepEqual(visible, [offer ? "Newsletter week: 10% off with code HELLO10" : "Free delivery on orders over $50"], `holdout ${holdout}`);
    await store.close();
  }
  await server.close();
});

test("targeting: the demo store's greeting, preference control and 'not for me'", async () => {
  const context = await env.browser.newContext();
  await editPages(context, (html) => html.replace('data-holdout="0"', 'data-holdout="0" data-hold-timeout="5000"'));
  const { page } = await watchedPage(context);
  await page.clock.install({ time: NOVEMBER });
  await page.addInitScript(recordShifts);
  await page.goto(`${env.server.url}/index.html`);
  await widgetsSettled(page);
  await targetedSettled(page);
  const greeting = await shown(page, ".greeting");
  assert.equal(greeting.state, "hidden", "a first visit is not greeted");
  assert.ok(greeting.height > 0, "the greeting keeps its box");
  const chip = '[data-shelfwise-preference="category=Watches"]';
  assert.equal(await page.getAttribute(chip, "aria-pressed"), "false");
  await page.click(chip);
  await page.waitForFunction((s) => document.querySelector(s).getAttribute("aria-pressed") === "true", chip);
  assert.deepEqual((await page.evaluate(() => window.shelfwise.export())).profile.preferences, { category: "Watches" });

  // Hours later: welcomed back, the preference kept.
  await page.clock.fastForward(5 * HOUR);
  await page.reload();
  await widgetsSettled(page);
  await targetedSettled(page);
  assert.deepEqual(await shown(page, ".greeting"), { ...greeting, state: "shown", visibility: "visible" });
  assert.equal(await page.getAttribute(chip, "aria-pressed"), "true", "the control shows what is kept");
  // The widget's watches (two of its candidates) lead it.
  const picks = await page.$$eval('[data-shelfwise-widget="reorder"] > [data-item-id]', (els) =>
    els.filter((e) => getComputedStyle(e).display !== "none").map((e) => e.querySelector(".meta").textContent.split(" ")[0]),
  );
  assert.deepEqual(picks.slice(0, 3), ["Watches", "Watches", "Shoes"], picks.join(" "));
  assert.equal(await shifted(page), 0, "no layout shift");

  // A second click takes the preference back.
  await page.click(chip);
  await page.waitForFunction((s) => document.querySelector(s).getAttribute("aria-pressed") === "false", chip);
  assert.deepEqual((await page.evaluate(() => window.shelfwise.export())).profile.preferences, {});

  // "Not for me" on a product page: the item comes last in a ranking.
  await page.goto(`${env.server.url}/product/sku-05001.html`);
  await widgetsSettled(page);
  await page.click('[data-shelfwise-less="sku-05001"]');
  await page.waitForFunction(() => document.querySelector("[data-shelfwise-less]").getAttribute("aria-pressed") === "true");
  await page.goto(`${env.server.url}/index.html`);
  await widgetsSettled(page);
  const ranked = await page.evaluate(() => window.shelfwise.rank(["sku-05001", "sku-05002", "sku-01001"]));
  assert.deepEqual(ranked.map((r) => [r.id, r.reason]).at(-1), ["sku-05001", "not-for-me"]);
  const kept = await page.evaluate(() => window.shelfwise.export());
  assert.deepEqual(kept.profile.not_for_me.map((l) => l.item), ["sku-05001"]);
  await context.close();
});
