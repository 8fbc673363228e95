// Integrity of what the page loads: the script tag with the SRI hashes
// `cargo xtask dist` publishes (dist/integrity.json), a tampered wasm, a
// model checked against `data-model-integrity`, and a model that will not
// end (no Content-Length) cut at the size cap while it downloads.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, loadWarm, root, serve, site, watchedPage, widgetOrder, widgetsSettled } from "./harness.mjs";
import { createHash } from "node:crypto";

const integrity = JSON.parse(fs.readFileSync(path.join(root, "dist/integrity.json"), "utf8"));
const MODEL = fs.readFileSync(path.join(site, "model.swm"));
const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

/** A product page with a widget, its script tag carrying `attributes` and the model at `model`. */
const page = (attributes, model = "/model.swm") => `<!doctype html><html><head>
<script async src="/dist/shelfwise.js" integrity="${integrity["shelfwise.js"]}" crossorigin="anonymous" data-model="${model}" ${attributes}></script>
</head><body><div data-shelfwise-view="sku-03005" data-shelfwise-category="Hats"></div>
<div id="w" data-shelfwise-widget="similar" data-shelfwise-anchor="sku-03005">
<div data-item-id="sku-01001"></div><div data-item-id="sku-09004"></div><div data-item-id="sku-03006"></div><div data-item-id="sku-03004"></div>
</div></body></html>`;

const env = {};
before(async () => {
  const html = (attributes, model) => (req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(attributes, model));
  env.server = await serve(site, {
    "/plain.html": html(""),
    "/model-ok.html": html(`data-model-integrity="${sri(MODEL)}"`),
    "/model-bad.html": html(`data-model-integrity="${sri(Buffer.from("another model"))}"`),
    "/endless.html": html("", "/endless.swm"),
    "/endless.swm": (req, res) => {
      // Up to 4 GiB, chunked: no Content-Length to refuse it by, and too
      // long to buffer first and measure after. Stops when the reader goes.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(1 << 20, 7);
      let sent = 0;
      let closed = false;
      res.on("close", () => (closed = true));
      res.on("error", () => {});
      const more = () => {
        while (!closed && sent < 4096) {
          sent++;
          if (!res.write(chunk)) return res.once("drain", more);
        }
        res.end();
      };
      more();
    },
  });
  env.browser = await launch();
});
after(async () => {
  await env.browser?.close();
  await env.server?.close();
});

const MERCHANT = ["sku-01001", "sku-09004", "sku-03006", "sku-03004"];

test("the script tag with its published integrity hash runs, and so does the wasm it checks", async () => {
  const context = await env.browser.newContext();
  const { page: p, log } = await watchedPage(context);
  // Warm, like a shopper's second page: a cold first load may rightly end
  // its hold before a busy machine has compiled the wasm.
  await loadWarm(p, log, `${env.server.url}/plain.html`);
  assert.equal(await p.getAttribute("#w", "data-shelfwise-state"), "personalized");
  assert.notDeepEqual(await widgetOrder(p, "#w"), MERCHANT);
  assert.deepEqual([log.errors, log.warnings], [[], []]);
  await context.close();
});

test("a tampered wasm does not run: one warning, the merchant's page", async () => {
  const context = await env.browser.newContext();
  await context.route("**/shelfwise_bg.wasm", async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length - 1] ^= 0xff;
    await route.fulfill({ response, body });
  });
  const { page: p, log } = await watchedPage(context, { errors: [/integrity|digest/i], warnings: [/integrity hash/] });
  await p.goto(`${env.server.url}/plain.html`);
  await widgetsSettled(p);
  assert.deepEqual(await widgetOrder(p, "#w"), MERCHANT);
  assert.equal(await p.getAttribute("#w", "data-shelfwise-state"), "merchant");
  // The browser reports the digest mismatch itself; that is its only error.
  assert.ok(log.errors.every((e) => /integrity|digest/i.test(e)), String(log.errors));
  assert.equal(log.warnings.length, 1, String(log.warnings));
  assert.match(log.warnings[0], /integrity hash/);
  await context.close();
});

test("a model that matches data-model-integrity is used; one that does not is refused", async () => {
  for (const [url, state] of [["/model-ok.html", "personalized"], ["/model-bad.html", "merchant"]]) {
    const context = await env.browser.newContext();
    const expected = state === "merchant" ? { errors: [/integrity|digest/i], warnings: [/could not be loaded/] } : {};
    const { page: p, log } = await watchedPage(context, expected);
    if (state === "personalized") await loadWarm(p, log, `${env.server.url}${url}`);
    else await p.goto(`${env.server.url}${url}`);
    await widgetsSettled(p);
    assert.equal(await p.getAttribute("#w", "data-shelfwise-state"), state, url);
    if (state === "merchant") {
      assert.deepEqual(await widgetOrder(p, "#w"), MERCHANT);
      assert.ok(log.errors.every((e) => /integrity|digest/i.test(e)), String(log.errors));
      assert.equal(log.warnings.length, 1, String(log.warnings));
      assert.match(log.warnings[0], /could not be loaded/);
    } else {
      assert.deepEqual([log.errors, log.warnings], [[], []]);
    }
    await context.close();
  }
});

test("a model without a Content-Length is cut at the size cap while it downloads", async () => {
  const context = await env.browser.newContext();
  const { page: p, log } = await watchedPage(context, { warnings: [/larger than 33554432 bytes/] });
  await p.goto(`${env.server.url}/endless.html`);
  await widgetsSettled(p);
  assert.deepEqual(await widgetOrder(p, "#w"), MERCHANT);
  // Refused after 32 MiB, long before the stream would end.
  const deadline = Date.now() + 10_000;
  while (log.warnings.length === 0 && Date.now() < deadline) await p.waitForTimeout(50);
  assert.equal(log.warnings.length, 1, String(log.warnings));
  assert.match(log.warnings[0], /larger than 33554432 bytes/);
  assert.deepEqual(log.errors, []);
  await context.close();
});
