// A page written the way a merchant would, using only the documented
// script tag and markup, against dist/ copied under a nested path, with a
// model built by the real CLI from Segment JSON lines.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root, serve, launch, loadWarm, outsideWidgets, watchedPage, widgetOrder } from "./harness.mjs";

let dir;
let server;
let browser;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-3p-"));
  const vendor = path.join(dir, "static/vendor/shelfwise");
  fs.mkdirSync(vendor, { recursive: true });
  fs.mkdirSync(path.join(dir, "static/reco"), { recursive: true });
  for (const f of ["shelfwise.js", "shelfwise_bg.wasm"]) fs.copyFileSync(path.join(root, "dist", f), path.join(vendor, f));
  fs.copyFileSync(path.join(root, "tests/e2e/fixtures/third-party.html"), path.join(dir, "index.html"));
  execFileSync(
    "cargo",
    ["run", "--quiet", "--release", "-p", "shelfwise-cli", "--", "build", "--events", path.join(root, "tests/e2e/fixtures/third-party-events.jsonl"), "--out", path.join(dir, "static/reco/model.swm")],
    { cwd: root, stdio: "pipe" },
  );
  server = await serve(dir);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("a merchant's own page is personalized through the documented snippet alone", async () => {
  const context = await browser.newContext();
  const plain = await context.newPage();
  await plain.route("**/shelfwise.js", (route) => route.fulfill({ body: "", contentType: "text/javascript" }));
  await plain.goto(`${server.url}/`);
  const baseline = await outsideWidgets(plain);
  await plain.close();

  const { page, log } = await watchedPage(context);
  await loadWarm(page, log, `${server.url}/`);
  assert.deepEqual(await widgetOrder(page, "#similar"), ["espresso-crema", "espresso-milano", "filter-kenia"]);
  assert.deepEqual(await widgetOrder(page, "#recent"), ["espresso-nonna", "filter-kenia"]);
  assert.equal(await outsideWidgets(page), baseline, "nothing outside the widgets changed");
  await page.click("button");
  await page.waitForFunction(() => (localStorage.getItem("shelfwise:v1:profile") ?? "").includes("\nc\t"));
  assert.equal(await page.evaluate(() => typeof window.shelfwise.rank), "function");
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.warnings, []);
  await context.close();
});
