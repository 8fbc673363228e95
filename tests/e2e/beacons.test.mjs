// Outcome beacons end to end: shoppers in Chromium on the demo store, whose
// /collect passes every body through a recording proxy to the real collector
// (`shelfwise serve --db`, SQLite); the report is read back over HTTP.
// Every beacon body that reached the network is audited.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { adminHeaders, editPages, kitchenProfile, launch, serve, site, startCollector, watchedPage } from "./harness.mjs";

const ALLOWED = {
  id: /^[0-9a-f]{32}$/,
  visit: /^[0-9a-f]{16}$/,
  type: /^(page_view|exposure|click|add_to_cart|order|exit_shown|exit_cta|exit_converted)$/,
  arm: /^(personalized|holdout)$/,
  page: /^(home|category|product|search|cart|checkout|other)$/,
  widget: /^(reorder|similar|bought-together|recently-viewed|banner|targeted)$/,
  position: /^[1-9][0-9]{0,2}$/,
  value: /^[0-9]{1,8}$/,
  currency: /^[A-Z]{3}$/,
  shown: /^(personalized|timeout|no-model|no-history|consent|error)$/,
  variant: /^[a-z0-9_-]{1,32}$/,
  hour: /^[0-9]{6}$/,
};

const env = {};

before(async () => {
  // The recording proxy forwards beacons server-side, without the page's Origin.
  env.collector = await startCollector(["--allow-no-origin"]);
  env.bodies = [];
  env.server = await serve(site, {
    "/collect": (req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        env.bodies.push(body);
        const answer = await fetch(`${env.collector.url}/collect`, { method: "POST", body, headers: { "content-type": "text/plain" } });
        res.writeHead(answer.status).end();
      });
    },
  });
  env.browser = await launch();
  env.catalog = fs.readFileSync(path.join(site, "catalog.csv"), "utf8").split("\n").slice(1).map((l) => l.split(",")[0]).filter(Boolean);
});

after(async () => {
  await env.browser?.close();
  await env.server?.close();
  env.collector?.stop();
});

/**
 * A shopper whose pages put them in the given arm, with every beacon body
 * recorded; `hold` (ms) replaces the default hold timeout, for a test that
 * needs what Shelfwise decides rather than what a timeout shows.
 */
async function shopper(arm, hold) {
  const context = await env.browser.newContext();
  const share = arm === "holdout" ? "1" : "0";
  const timeout = hold ? ` data-hold-timeout="${hold}"` : "";
  await editPages(context, (html) => html.replace(/data-holdout="[^"]*"/, `data-holdout="${share}"${timeout}`));
  return context;
}

async function report() {
  const response = await fetch(`${env.collector.url}/api/report`, { headers: adminHeaders });
  assert.equal(response.status, 200);
  return response.json();
}

/** Polls the report until `check` holds (at most `ms`). */
async function reportWhen(check, ms = 5000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await report();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the report did not show it within ${ms} ms: ${JSON.stringify(last?.arms)}`);
}

/**
 * Waits until every widget and banner is decided (the start may decide them
 * in several tasks) and a frame has been drawn since: exposures are observed
 * in the task after a frame, so by the next frame they are recorded.
 */
async function decidedAndSeen(page) {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll("[data-shelfwise-widget],[data-shelfwise-banner]")).every((e) => e.hasAttribute("data-shelfwise-state")),
  );
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Home (landing with `query`) → the second item of the home widget → add to cart → checkout → order. */
async function browseAndBuy(page, base, query = "") {
  await page.goto(`${base}/${query}`);
  await decidedAndSeen(page);
  await Promise.all([
    page.waitForURL(/\/product\//),
    page.locator('[data-shelfwise-widget="reorder"] > [data-item-id]:visible a').nth(1).click(),
  ]);
  await decidedAndSeen(page);
  // Running, so that the add is not queued for an engine the navigation ends.
  await page.evaluate(() => window.shelfwise.init());
  await page.click("button.add[data-shelfwise-add-to-cart]");
  await page.goto(`${base}/checkout.html`);
  await page.fill('input[name="name"]', "Ada");
  await page.click("#checkout button");
  await page.waitForSelector("#thanks:not([hidden])");
}

for (const arm of ["personalized", "holdout"]) {
  test(`a ${arm} shopper's visit, cart and order reach the report within 5 s`, async () => {
    const before = await report();
    const count = (r, type) => r.arms[arm].events?.[type] ?? 0;
    const context = await shopper(arm);
    const { page, log } = await watchedPage(context);
    await browseAndBuy(page, env.server.url);
    if (arm === "holdout") {
      // The merchant's order, untouched.
      const states = await page.$$eval("[data-shelfwise-widget]", (ws) => ws.map((w) => w.getAttribute("data-shelfwise-state")));
      assert.ok(states.every((s) => s === "merchant"), states.join());
    }
    const started = Date.now();
    const after = await reportWhen((r) => count(r, "order") > count(before, "order"));
    assert.ok(Date.now() - started < 5000);
    assert.equal(count(after, "order") - count(before, "order"), 1);
    assert.equal(count(after, "add_to_cart") - count(before, "add_to_cart"), 1);
    assert.equal(count(after, "click") - count(before, "click"), 1);
    assert.ok(count(after, "exposure") > count(before, "exposure"));
    assert.ok(count(after, "page_view") - count(before, "page_view") >= 3);
    const other = arm === "holdout" ? "personalized" : "holdout";
    assert.deepEqual(after.arms[other].events ?? {}, before.arms[other].events ?? {}, "nothing in the other arm");
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.warnings, []);
    await context.close();
  });
}

test("navigating away at once loses no queued event, even when the first pages cannot send", async () => {
  const context = await shopper("personalized");
  let blocked = true;
  await context.route("**/collect", (route) => (blocked ? route.abort("blockedbyclient") : route.fallback()));
  // Pages that cannot hand anything to the browser: sendBeacon refuses,
  // fetch fails. Their events stay on the device.
  await context.addInitScript(() => {
    if (sessionStorage.getItem("beacon-ok") !== "1") navigator.sendBeacon = () => false;
  });
  const { page } = await watchedPage(context, { errors: [/ERR_BLOCKED_BY_CLIENT/] });
  const products = ["sku-01001", "sku-01003", "sku-02001", "sku-02002", "sku-03001"];
  for (const id of products) {
    await page.goto(`${env.server.url}/product/${id}.html`, { waitUntil: "domcontentloaded" });
    await page.waitForFunction(() => localStorage.getItem("shelfwise:v1:outbox")?.includes("page_view"));
  }
  const queued = await page.evaluate(() => localStorage.getItem("shelfwise:v1:outbox").split("\n").slice(1).map((l) => JSON.parse(l).id));
  assert.ok(queued.length >= products.length, `${queued.length} queued`);
  // The network is back; the next pages send what is queued and their own,
  // navigating away before any timer fires.
  blocked = false;
  await page.evaluate(() => sessionStorage.setItem("beacon-ok", "1"));
  for (const id of ["sku-04001", "sku-04002", "sku-05001"]) {
    await page.goto(`${env.server.url}/product/${id}.html`, { waitUntil: "domcontentloaded" });
  }
  await page.goto(`${env.server.url}/cart.html`);
  const seen = new Set();
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && !queued.every((id) => seen.has(id))) {
    for (const body of env.bodies) {
      try {
        for (const e of JSON.parse(body).events) seen.add(e.id);
      } catch {
        // Audited below.
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const missing = queued.filter((id) => !seen.has(id));
  assert.deepEqual(missing, [], `${missing.length} of ${queued.length} queued events never sent`);
  await context.close();
});

test("a widget held past its timeout sends an exposure marked timeout, and the report counts it", async () => {
  // Ten personalized visits already in the report, so that its cell is
  // not too small to show how widgets were shown.
  const hour = Math.floor(Date.now() / 3_600_000);
  const seeded = Array.from({ length: 10 }, (_, i) => {
    const id = (0xfeed0000 + i).toString(16).padStart(32, "0");
    return { id, visit: id.slice(16), type: "exposure", arm: "personalized", page: "home", widget: "reorder", shown: "personalized", hour };
  });
  const seed = await fetch(`${env.collector.url}/collect`, { method: "POST", body: JSON.stringify({ v: 1, events: seeded }) });
  assert.equal(seed.status, 204);
  const before = await report();
  assert.ok(before.shown, "ten personalized visits: shown is reported");

  // A returning shopper (a new one's widgets have nothing to wait for):
  // the model is answered only once the hold has given the widgets up.
  const context = await shopper("personalized");
  await context.addInitScript(kitchenProfile);
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await context.route("**/model.swm", async (route) => {
    await released;
    await route.fallback();
  });
  const from = env.bodies.length;
  const { page, log } = await watchedPage(context);
  await page.goto(`${env.server.url}/`);
  await page.waitForSelector('[data-shelfwise-widget="reorder"][data-shelfwise-state="merchant"]');
  release();
  const sent = () => env.bodies.slice(from).flatMap((b) => JSON.parse(b).events);
  const exposure = () => sent().find((e) => e.type === "exposure" && e.widget === "reorder");
  // Started, and past the moment the widget's exposure was observed (an
  // observer made later is told after Shelfwise's); sent when the page is
  // left, if not before.
  await page.evaluate(async () => {
    await window.shelfwise.init();
    const widget = document.querySelector('[data-shelfwise-widget="reorder"]');
    await new Promise((resolve) => new IntersectionObserver((_, o) => resolve(o.disconnect())).observe(widget));
  });
  await page.goto("about:blank");
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && !exposure()) await new Promise((r) => setTimeout(r, 100));
  assert.equal(exposure()?.shown, "timeout", JSON.stringify(exposure()));
  // The banner in view timed out too: the report counts what was sent.
  const timeouts = sent().filter((e) => e.shown === "timeout").length;
  const after = await reportWhen((r) => (r.shown?.timeout ?? 0) >= before.shown.timeout + timeouts);
  assert.equal(after.shown.timeout - before.shown.timeout, timeouts);
  assert.ok(after.shown.personalized_share < 1);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("privacy audit: every beacon body holds allow-listed fields only", async () => {
  // Its own traffic: a shopper in each arm comes from the newsletter (the
  // home banner's targeted variant), browses and buys; the audit waits for
  // each order's beacon. The pages hold for up to 5 s: a banner the hold
  // timed out on (a cold load on a busy machine can take longer than the
  // default 300 ms) would show its default, and its variant's beacons would
  // not be sent.
  const from = env.bodies.length;
  const bodies = () => env.bodies.slice(from);
  const orders = () => bodies().filter((b) => b.includes('"type":"order"')).length;
  for (const [i, arm] of ["personalized", "holdout"].entries()) {
    const context = await shopper(arm, 5000);
    const { page } = await watchedPage(context);
    await browseAndBuy(page, env.server.url, "?utm_source=news&utm_medium=email");
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && orders() <= i) await new Promise((r) => setTimeout(r, 100));
    assert.equal(orders(), i + 1, `the ${arm} shopper's order was sent`);
    await context.close();
  }
  let events = 0;
  const variants = new Set();
  for (const body of bodies()) {
    const batch = JSON.parse(body);
    assert.deepEqual(Object.keys(batch).sort(), ["dropped", "events", "v"]);
    assert.ok(Buffer.byteLength(body) <= 60_000);
    for (const event of batch.events) {
      events++;
      for (const [key, value] of Object.entries(event)) {
        assert.ok(key in ALLOWED, `field ${key} is not allow-listed`);
        assert.match(String(value), ALLOWED[key], `${key}: ${value}`);
      }
      // How a widget was shown: on the personalized arm's widget and banner exposures, always, and nowhere else.
      const says = event.type === "exposure" && event.arm === "personalized" && event.widget !== "targeted";
      assert.equal("shown" in event, says, JSON.stringify(event));
      // A variant: only on targeted content (a banner's targeted variant, a targeted element).
      if ("variant" in event) {
        assert.ok(["banner", "targeted"].includes(event.widget), JSON.stringify(event));
        variants.add(`${event.arm} ${event.type} ${event.variant}`);
      }
    }
    for (const id of env.catalog) assert.ok(!body.includes(id), `item id ${id} in a beacon`);
    for (const leak of ["http", "127.0.0.1", "Mozilla", "Ada", "sku-", "Sneaker"]) {
      assert.ok(!body.includes(leak), `${leak} in a beacon: ${body}`);
    }
  }
  assert.ok(events > 10, `${events} events audited`);
  // The newsletter offer: seen in the personalized arm, withheld (and counted) in the holdout.
  assert.ok(variants.has("personalized exposure newsletter") && variants.has("holdout exposure newsletter"), [...variants].join("; "));
});
