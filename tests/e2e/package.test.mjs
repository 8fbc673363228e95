// The built npm package, as a consumer gets it: `npm pack`, installed into
// a fresh app, its types compiled against a consumer .ts file, bundled by
// Vite and run in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root, site, serve, launch, watchedPage, widgetOrder, widgetsSettled } from "./harness.mjs";
import { bin, npmSnippet, snippet, workspaceSpecs } from "../apps.mjs";

let app;
let browser;

before(() => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-pkg-"));
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", app, path.join(root, "dist/npm")], { encoding: "utf8" }).trim();
  fs.cpSync(path.join(root, "pkg-templates/test/consumer"), path.join(app, "consumer"), { recursive: true });
  fs.cpSync(path.join(root, "pkg-templates/test/vite-app"), path.join(app, "vite-app"), { recursive: true });
  fs.cpSync(path.join(root, "pkg-templates/test/react-app"), path.join(app, "react-app"), { recursive: true });
  fs.cpSync(path.join(root, "pkg-templates/test/next-app"), path.join(app, "next-app"), { recursive: true });
  fs.cpSync(path.join(root, "pkg-templates/test/webpack-app"), path.join(app, "webpack-app"), { recursive: true });
  // The app's code is the README's npm snippet, verbatim.
  fs.writeFileSync(path.join(app, "vite-app/main.js"), npmSnippet());
  fs.writeFileSync(path.join(app, "webpack-app/main.js"), npmSnippet());
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer-app", private: true, type: "module" }));
  // React at the workspace's versions, from the npm cache the workspace's install filled where
  // it can: `npm ci` keeps the lockfile's tarballs but not always the registry's document that
  // `npm install NAME@VERSION` reads first (on a new machine, `--offline` failed on it).
  const react = workspaceSpecs(["react", "react-dom", "@types/react"]);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", path.join(app, tarball), ...react], { cwd: app, stdio: "pipe" });
});

after(async () => {
  await browser?.close();
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test("the package README shows the same snippet as the project README", () => {
  assert.equal(snippet(path.join(root, "pkg-templates/README.md"), "# shelfwise"), npmSnippet());
});

test("the package ships ESM, wasm and types, nothing else", () => {
  const files = fs.readdirSync(path.join(app, "node_modules/shelfwise")).sort();
  assert.deepEqual(files, ["README.md", "package.json", "react.js", "shelfwise.js", "shelfwise_bg.wasm", "types"]);
  const pkg = JSON.parse(fs.readFileSync(path.join(app, "node_modules/shelfwise/package.json"), "utf8"));
  assert.equal(pkg.type, "module");
  assert.equal(pkg.sideEffects, false);
});

test("a consumer .ts file type-checks against the published types", () => {
  try {
    execFileSync(bin("tsc"), ["-p", path.join(app, "consumer/tsconfig.json")], { cwd: app, encoding: "utf8" });
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
});

/**
 * Loads the app of the README's npm snippet twice, like a shopper's first
 * and second page, and checks the second load's ranking, which the
 * snippet logs (from the views: with the demo model the reason is the
 * shopper's category). The first load lasts until its views are stored:
 * on a new shopper's page the widget is final long before that (only
 * history could reorder it), and a `rank()` waits for the engine at most
 * the hold's 300 ms, so neither says the first visit is remembered.
 */
async function loadSnippetTwice(page, log, url) {
  await page.goto(url);
  await page.waitForFunction(() => (localStorage.getItem("shelfwise:v1:profile") ?? "").includes("sku-03006"));
  await widgetsSettled(page);
  log.warnings.length = 0;
  const logged = page.waitForEvent("console", { predicate: (message) => message.type() === "log" });
  await page.goto(url);
  const ranked = await (await logged).args()[0].jsonValue();
  assert.equal(ranked[0].id, "sku-03001");
  assert.notEqual(ranked[0].reason, "merchant", "ranked by the first page's views");
  await widgetsSettled(page);
}

test("a Vite build of the README's npm snippet runs and personalizes the widget", async () => {
  execFileSync(bin("vite"), ["build", "--logLevel", "warn", "--outDir", path.join(app, "vite-app/dist"), path.join(app, "vite-app")], {
    cwd: app,
    stdio: "pipe",
  });
  const built = path.join(app, "vite-app/dist");
  const assets = fs.readdirSync(path.join(built, "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `Vite emitted the wasm: ${assets}`);
  fs.copyFileSync(path.join(site, "model.swm"), path.join(built, "model.swm"));
  const server = await serve(built);
  browser = await launch();
  const { page, log } = await watchedPage(await browser.newContext());
  await loadSnippetTwice(page, log, `${server.url}/`);
  assert.equal(await page.getAttribute("#shelf", "data-shelfwise-state"), "personalized");
  assert.deepEqual((await widgetOrder(page, "#shelf")).slice(0, 2).sort(), ["sku-03001", "sku-03002"]);
  assert.equal(await page.evaluate(() => "shelfwise" in window), false, "no global from the npm build");
  assert.deepEqual(log.errors, []);
  await server.close();
});

test("a webpack 5 build of the README's npm snippet runs and personalizes the widget", async () => {
  const dir = path.join(app, "webpack-app");
  execFileSync(bin("webpack"), ["--config", "webpack.config.mjs"], { cwd: dir, stdio: "pipe" });
  const built = path.join(dir, "dist");
  assert.ok(fs.readdirSync(built).some((f) => f.endsWith(".wasm")), "webpack emitted the wasm");
  // The Vite app's page, loading webpack's bundle (a classic script).
  const html = fs.readFileSync(path.join(app, "vite-app/index.html"), "utf8");
  fs.writeFileSync(path.join(built, "index.html"), html.replace('<script type="module" src="./main.js">', '<script src="./main.js">'));
  fs.copyFileSync(path.join(site, "model.swm"), path.join(built, "model.swm"));
  const server = await serve(built);
  browser ??= await launch();
  const { page, log } = await watchedPage(await browser.newContext());
  await loadSnippetTwice(page, log, `${server.url}/`);
  assert.equal(await page.getAttribute("#shelf", "data-shelfwise-state"), "personalized");
  assert.deepEqual((await widgetOrder(page, "#shelf")).slice(0, 2).sort(), ["sku-03001", "sku-03002"]);
  assert.deepEqual(log.errors, []);
  await server.close();
});

test("in Node (server-side rendering) every export answers at once: no throw, no fetch, no warning", () => {
  // The script runs in the app, against the installed package; it prints
  // what each export gave and whether anything was fetched.
  const script = `
    const fetched = [];
    globalThis.fetch = async (url) => { fetched.push(String(url)); throw new Error("no network"); };
    process.on("unhandledRejection", (e) => { console.error("unhandled rejection", e); process.exitCode = 1; });
    const sw = await import("shelfwise");
    const out = {};
    out.init = await sw.init({ model: "/model.swm", collector: "/collect" });
    sw.track("Product Viewed", { product_id: "a" });
    out.rank = (await sw.rank(Object.freeze(["a", "b"]))).map((r) => r.id + ":" + r.reason);
    out.recommend = await sw.recommend();
    out.reorder = await sw.reorder({});
    sw.onExitIntent(() => {})();
    sw.setConsent("granted");
    sw.forget();
    out.export = await sw.export();
    await sw.flush();
    sw.destroy();
    out.fetched = fetched;
    console.log(JSON.stringify(out));
  `;
  const { stdout, stderr, status } = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" });
  assert.equal(status, 0, stderr);
  assert.equal(stderr, "", "nothing on stderr (console.warn and console.error write there)");
  assert.deepEqual(JSON.parse(stdout), {
    init: { personalized: false, persistent: false, modelItems: 0, warning: "no DOM" },
    rank: ["a:merchant", "b:merchant"],
    recommend: [],
    reorder: false,
    export: {},
    fetched: [],
  });
});

test("in Chromium, a call before init() says so once; after init() calls wait for the model", async () => {
  fs.copyFileSync(path.join(site, "model.swm"), path.join(app, "model.swm"));
  fs.writeFileSync(
    path.join(app, "before-init.html"),
    `<!doctype html><meta charset="utf-8"><title>before init</title>
     <script type="module">
       import { init, rank, track } from "/node_modules/shelfwise/shelfwise.js";
       const before = (await rank(["sku-01001", "sku-03001"])).map((r) => r.reason);
       await rank(["sku-01001"]);
       track("Product Viewed", { product_id: "sku-03002", category: "Hats" });
       // Not awaited, as in the README: the call waits for the model (for as
       // long as it takes here: the timeout is the next tests' subject).
       init({ model: "/model.swm", holdTimeout: 5000 });
       const after = (await rank(["sku-01001", "sku-03001"])).map((r) => r.id + ":" + r.reason);
       window.result = { before, after };
     </script>`,
  );
  const server = await serve(app);
  browser ??= await launch();
  const { page, log } = await watchedPage(await browser.newContext(), { warnings: [/before init\(\)/] });
  await page.goto(`${server.url}/before-init.html`);
  const result = await page.waitForFunction(() => window.result).then((h) => h.jsonValue());
  assert.deepEqual(result.before, ["merchant", "merchant"]);
  assert.deepEqual(result.after, ["sku-03001:similar", "sku-01001:merchant"], "personalized by the view tracked before init()");
  assert.deepEqual(log.warnings, ["shelfwise: rank() before init() is not personalized; call init() first"]);
  assert.deepEqual(log.errors, []);
  await server.close();
});

test("in Chromium, a call waiting for a whole model answers as soon as it is in, and no device cache is opened for it", async () => {
  fs.copyFileSync(path.join(site, "model.swm"), path.join(app, "model.swm"));
  fs.writeFileSync(
    path.join(app, "whole-model.html"),
    `<!doctype html><meta charset="utf-8"><title>whole model</title>
     <script>
       // The device's cache of a sharded model's files opens after the wait's
       // timeout here: a whole model that waited for it would answer late.
       window.opened = 0;
       const open = caches.open.bind(caches);
       caches.open = (name) => (window.opened++, new Promise((resolve) => setTimeout(resolve, 10000)).then(() => open(name)));
     </script>
     <script type="module">
       import { init, rank, track } from "/node_modules/shelfwise/shelfwise.js";
       track("Product Viewed", { product_id: "sku-03002", category: "Hats" });
       init({ model: "/model.swm", holdTimeout: 5000 });
       const started = performance.now();
       const ranked = (await rank(["sku-01001", "sku-03001"])).map((r) => r.id + ":" + r.reason);
       window.result = { ranked, waited: performance.now() - started, opened: window.opened };
     </script>`,
  );
  const server = await serve(app);
  browser ??= await launch();
  const { page, log } = await watchedPage(await browser.newContext());
  await page.goto(`${server.url}/whole-model.html`);
  const result = await page.waitForFunction(() => window.result).then((h) => h.jsonValue());
  assert.deepEqual(result.ranked, ["sku-03001:similar", "sku-01001:merchant"]);
  assert.ok(result.waited < 5000, `answered before the timeout: ${result.waited} ms`);
  assert.equal(result.opened, 0);
  assert.deepEqual(log.warnings, []);
  await server.close();
});

test("in Chromium, a call after init() waits for a model that does not come at most the hold timeout, and says so", async () => {
  fs.writeFileSync(
    path.join(app, "slow-model.html"),
    `<!doctype html><meta charset="utf-8"><title>slow model</title>
     <script type="module">
       import { init, rank } from "/node_modules/shelfwise/shelfwise.js";
       init({ model: "/never.swm", holdTimeout: 400 });
       const started = performance.now();
       const reasons = (await rank(["sku-01001", "sku-03001"])).map((r) => r.reason);
       window.result = { reasons, waited: performance.now() - started };
     </script>`,
  );
  const pending = [];
  const server = await serve(app, { "/never.swm": (req, res) => pending.push(res) });
  browser ??= await launch();
  const { page, log } = await watchedPage(await browser.newContext(), { warnings: [/waited 400 ms for the model/] });
  await page.goto(`${server.url}/slow-model.html`, { waitUntil: "domcontentloaded" });
  const result = await page.waitForFunction(() => window.result).then((h) => h.jsonValue());
  assert.deepEqual(result.reasons, ["merchant", "merchant"]);
  assert.ok(result.waited >= 390 && result.waited < 2000, `waited ${result.waited} ms`);
  assert.deepEqual(log.warnings, ["shelfwise: rank() waited 400 ms for the model and answered without it"]);
  for (const res of pending) res.destroy();
  await server.close();
});

test("in Chromium, calls still waiting for the engine when destroy() comes resolve with their fallback, and undecided widgets show as written", async () => {
  fs.writeFileSync(
    path.join(app, "destroyed.html"),
    `<!doctype html><meta charset="utf-8"><title>destroyed while loading</title>
     <style>[data-shelfwise-widget]:not([data-shelfwise-state]) { visibility: hidden; }</style>
     <div data-shelfwise-widget="reorder"><div data-item-id="sku-01001"></div><div data-item-id="sku-03001"></div></div>
     <script type="module">
       import { init, destroy, flush, rank, export as exportData } from "/node_modules/shelfwise/shelfwise.js";
       init({ model: "/model.swm" });
       const calls = [exportData(), flush(), rank(["sku-01001"])];
       destroy();
       const [kept, flushed, ranked] = await Promise.all(calls);
       // Shelfwise's start goes on in tasks of its own (runtime.ts, nextTask): one task later,
       // nothing of it may have begun after destroy() — no hold sheet over the page.
       await new Promise((resolve) => setTimeout(resolve));
       const sheets = document.adoptedStyleSheets.length;
       // The widget the page's own rule hid until decided shows, as written.
       const widget = document.querySelector("[data-shelfwise-widget]");
       const shown = { state: widget.getAttribute("data-shelfwise-state"), visibility: getComputedStyle(widget).visibility };
       window.result = { kept, flushed: flushed ?? null, ranked: ranked.map((r) => r.reason), sheets, shown };
     </script>`,
  );
  const server = await serve(app);
  browser ??= await launch();
  const { page, log } = await watchedPage(await browser.newContext());
  await page.goto(`${server.url}/destroyed.html`);
  const result = await page.waitForFunction(() => window.result, null, { timeout: 5000 }).then((h) => h.jsonValue());
  assert.deepEqual(result, { kept: {}, flushed: null, ranked: ["merchant"], sheets: 0, shown: { state: "merchant", visibility: "visible" } });
  assert.deepEqual(log.errors, []);
  await server.close();
});

test("a Vite + React app: useRanked renders the merchant order held, then the personalized one, and never moves a visible list", async () => {
  const dir = path.join(app, "react-app");
  execFileSync(bin("vite"), ["build", "--logLevel", "warn", "--outDir", path.join(dir, "dist"), dir], { cwd: app, stdio: "pipe" });
  const built = path.join(dir, "dist");
  fs.copyFileSync(path.join(site, "model.swm"), path.join(built, "model.swm"));
  const server = await serve(built);
  browser ??= await launch();
  const { page, log } = await watchedPage(await browser.newContext());
  // Every frame, the order of the list as the shopper could see it.
  await page.addInitScript(() => {
    window.seen = [];
    const sample = () => {
      const list = document.getElementById("shelf");
      if (list && getComputedStyle(list).visibility === "visible") {
        const order = [...list.children].map((li) => li.dataset.itemId).join(" ");
        if (window.seen.at(-1) !== order) window.seen.push(order);
      }
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  await page.goto(`${server.url}/?viewed=sku-03005&viewed=sku-03006`);
  await page.waitForSelector("#shelf:not([data-state=held])");
  // The first load is cold: on a busy machine its rank() may rightly stop
  // waiting for the model (and say so in a warning), as loadWarm allows;
  // its errors still count. The load asserted on below is warm.
  log.warnings.length = 0;
  await page.goto(`${server.url}/`);
  await page.waitForSelector("#shelf:not([data-state=held])");
  assert.equal(await page.getAttribute("#shelf", "data-state"), "personalized");
  const order = await page.$$eval("#shelf li", (items) => items.map((li) => li.dataset.itemId));
  assert.deepEqual(order.slice(0, 2).sort(), ["sku-03001", "sku-03002"], `hats first: ${order}`);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  assert.deepEqual(await page.evaluate(() => window.seen), [order.join(" ")], "the only order ever visible is the final one");
  assert.deepEqual(log.errors, []);
  await server.close();
});

test("a Next.js app (app router, server-rendered, next build + next start): personalized after browsing, no hydration warning", async () => {
  // Next.js and its dependencies from the npm cache when there (the
  // workspace's install filled it), at the workspace's version.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...workspaceSpecs(["next"])], { cwd: app, stdio: "pipe" });
  const dir = path.join(app, "next-app");
  fs.mkdirSync(path.join(dir, "public"), { recursive: true });
  fs.copyFileSync(path.join(site, "model.swm"), path.join(dir, "public/model.swm"));
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  // The page is rendered on the server at build time: shelfwise runs in Node there.
  execFileSync(path.join(app, "node_modules/.bin/next"), ["build"], { cwd: dir, env, stdio: "pipe" });
  const port = await freePort();
  const server = spawn(path.join(app, "node_modules/.bin/next"), ["start", "-H", "127.0.0.1", "-p", String(port)], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    await new Promise((resolve, reject) => {
      server.stdout.on("data", (chunk) => String(chunk).includes("Ready") && resolve());
      server.on("exit", (code) => reject(new Error(`next start exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const html = await (await fetch(`${url}/`)).text();
    assert.match(html, /<ul id="shelf" data-state="held" data-shelfwise-held="">/, "the server renders the merchant order, held");
    browser ??= await launch();
    const { page, log } = await watchedPage(await browser.newContext());
    await page.goto(`${url}/?viewed=sku-03005&viewed=sku-03006`);
    await page.waitForSelector("#shelf:not([data-state=held])");
    await page.goto(`${url}/`);
    await page.waitForSelector("#shelf:not([data-state=held])");
    assert.equal(await page.getAttribute("#shelf", "data-state"), "personalized");
    const order = await page.$$eval("#shelf li", (items) => items.map((li) => li.dataset.itemId));
    assert.deepEqual(order.slice(0, 2).sort(), ["sku-03001", "sku-03002"], `hats first: ${order}`);
    assert.deepEqual(log.errors, [], `no console error (React reports hydration mismatches there): ${log.errorSources}`);
    assert.ok(!log.all.some((m) => /hydrat/i.test(m)), `no hydration message: ${log.all}`);
  } finally {
    server.kill();
  }
});

/** A loopback port nothing listens on. */
function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
