// Beacon delivery against a collector that misbehaves on purpose: 5xx are
// retried with backoff under the same event ids (network errors: see
// beacons.test.mjs), 429's
// Retry-After is honoured (across pages too), other 4xx drop the batch; and
// the holdout's exit intent sends its beacon without showing anything.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { editPages, launch, serve, site, watchedPage, widgetsSettled } from "./harness.mjs";

const env = { answers: [], requests: [] };

before(async () => {
  env.server = await serve(site, {
    "/collect": (req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        env.requests.push({ at: Date.now(), ids: JSON.parse(body).events.map((e) => e.id), body });
        const [status, headers] = env.answers.shift() ?? [204, {}];
        res.writeHead(status, headers).end();
      });
    },
  });
  env.browser = await launch();
});

after(async () => {
  await env.browser?.close();
  await env.server?.close();
});

/** Waits until `n` requests reached /collect (at most `ms`). */
async function requests(n, ms) {
  const deadline = Date.now() + ms;
  while (env.requests.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(env.requests.length >= n, `${env.requests.length} of ${n} requests within ${ms} ms`);
  return env.requests;
}

test("5xx answers are retried with backoff, under the same event ids", async () => {
  env.requests = [];
  env.answers = [[503, {}], [500, {}], [204, {}]];
  const context = await env.browser.newContext();
  // The browser logs each error answer itself.
  const { page, log } = await watchedPage(context, { errors: [/status of 50[03]/] });
  await page.goto(`${env.server.url}/product/sku-01001.html`);
  await widgetsSettled(page);
  const sent = await requests(3, 15_000);
  const first = sent[0].ids;
  assert.ok(first.length >= 1);
  for (const r of sent.slice(1, 3)) for (const id of first) assert.ok(r.ids.includes(id), "a retry carries the same ids");
  const gaps = [sent[1].at - sent[0].at, sent[2].at - sent[1].at];
  assert.ok(gaps[0] >= 400, `first retry after ${gaps[0]} ms`);
  assert.ok(gaps[1] >= 900, `second retry after ${gaps[1]} ms (backoff doubles, ±50 %)`);
  // Delivered: the outbox is empty.
  await page.waitForFunction(() => localStorage.getItem("shelfwise:v1:outbox") === null);
  // The browser logs failed requests itself; Shelfwise adds nothing.
  assert.deepEqual(log.warnings, []);
  await context.close();
});

test("a 429's Retry-After is honoured, on the next page too", async () => {
  env.requests = [];
  env.answers = [[429, { "retry-after": "3" }]];
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context, { errors: [/status of 429/] });
  await page.goto(`${env.server.url}/product/sku-01002.html`);
  await widgetsSettled(page);
  await requests(1, 5_000);
  const limitedAt = env.requests[0].at;
  // A new page within the 3 s: nothing is sent until they pass.
  await page.goto(`${env.server.url}/product/sku-01003.html`);
  await widgetsSettled(page);
  const sent = await requests(2, 8_000);
  assert.ok(sent[1].at - limitedAt >= 2_900, `sent again after ${sent[1].at - limitedAt} ms`);
  for (const id of sent[0].ids) assert.ok(sent.slice(1).some((r) => r.ids.includes(id)), "nothing lost");
  assert.deepEqual(log.warnings, []);
  await context.close();
});

test("another 4xx drops the batch at once, with one warning", async () => {
  env.requests = [];
  env.answers = [[400, {}]];
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context, { errors: [/400/], warnings: [/refused/] });
  await page.goto(`${env.server.url}/product/sku-01004.html`);
  await widgetsSettled(page);
  await requests(1, 5_000);
  await page.waitForFunction(() => !(localStorage.getItem("shelfwise:v1:outbox") ?? "").includes('"id"'));
  await page.waitForTimeout(1_500);
  assert.equal(env.requests.length, 1, "no retry");
  assert.equal(log.warnings.filter((w) => w.includes("refused")).length, 1, String(log.warnings));
  await context.close();
});

test("in the holdout, an exit intent shows nothing and sends exit_shown", async () => {
  env.requests = [];
  env.answers = [];
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await editPages(context, (html) => html.replace(/data-holdout="[^"]*"/, 'data-holdout="1"'));
  const { page, log } = await watchedPage(context);
  await page.clock.install();
  await page.goto(`${env.server.url}/product/sku-03005.html`);
  await widgetsSettled(page);
  await page.click("button.add");
  // Past the exit policy's dwell without waiting for it, once Shelfwise has started (its page clock starts then).
  await page.evaluate(() => window.shelfwise.init());
  await page.clock.fastForward(5_300);
  await page.mouse.move(640, 420);
  for (let y = 380; y > 0; y -= 45) {
    await page.mouse.move(640 + (420 - y) / 4, y);
    await page.waitForTimeout(16);
  }
  await page.mouse.move(760, -12);
  const deadline = Date.now() + 5_000;
  const shown = () => env.requests.some((r) => r.body.includes('"type":"exit_shown","arm":"holdout"'));
  while (!shown() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(shown(), "exit_shown sent in the holdout");
  assert.equal(await page.locator("[data-shelfwise-popup]").count(), 0, "no pop-up");
  assert.deepEqual(log.warnings, []);
  await context.close();
});

test("the outbox keeps at most 100 events, drops the oldest, counts them and warns once", async () => {
  env.requests = [];
  env.answers = [];
  const context = await env.browser.newContext();
  let blocked = true;
  await context.route("**/collect", (route) => (blocked ? route.abort("blockedbyclient") : route.fallback()));
  const { page, log } = await watchedPage(context, { errors: [/ERR_BLOCKED_BY_CLIENT/], warnings: [/dropped/] });
  await page.goto(`${env.server.url}/product/sku-01005.html`);
  await widgetsSettled(page);
  await page.evaluate(() => {
    for (let i = 0; i < 150; i++) window.shelfwise.track("Product Added", { product_id: "sku-01005" });
  });
  const stored = await page.evaluate(() => localStorage.getItem("shelfwise:v1:outbox"));
  const [head, ...lines] = stored.split("\n");
  assert.equal(lines.length, 100, "at most 100 events kept");
  const dropped = Number(head.split("|")[0]);
  assert.ok(dropped >= 50, `${dropped} dropped and counted`);
  assert.ok(Buffer.byteLength(stored) <= 32 * 1024 + 64);
  assert.equal(log.warnings.filter((w) => w.includes("dropped")).length, 1, String(log.warnings));
  // Back online: the next batch tells the collector how many were lost.
  blocked = false;
  await page.evaluate(() => window.shelfwise.flush());
  await requests(1, 10_000);
  const batch = JSON.parse(env.requests.at(-1).body);
  assert.ok(batch.dropped >= 50, `dropped ${batch.dropped} reported`);
  assert.equal(batch.events.length, 100);
  await context.close();
});
