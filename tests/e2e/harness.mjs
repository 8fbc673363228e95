// Shared pieces of the end-to-end tests: a static server on 127.0.0.1 for
// the demo store and `dist/` (with routes that misbehave on purpose), and
// Chromium pages that fail the test on any console.error or page error.

import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { editPages, launchChromium as launch } from "../../sim/chromium.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const site = path.join(root, "target/demo-site");

/** Content types of the files the test servers serve, by extension. */
export const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".swm": "application/octet-stream",
  ".json": "application/json",
  ".png": "image/png",
};

/**
 * What the tests started and must stop: each server's `close` and each
 * collector's `stop`, run once more after a file's last test, so that a
 * test that failed before stopping its own cannot keep the file running.
 */
const running = new Set();
after(async () => {
  for (const stop of Array.from(running)) await stop();
});

/** Answered by every test server: the favicon, and beacons (accepted, unread: the collector's own tests are in beacons.test.mjs and crates/cli/tests/collector.rs). */
const STANDING_ROUTES = {
  "/favicon.ico": (req, res) => res.writeHead(204).end(),
  "/collect": (req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  },
};

/**
 * Serves `dir` on an ephemeral loopback port. `routes` maps a path to a
 * handler `(req, res) => void` that overrides the file. Files get
 * `Cache-Control: max-age=600` so that a second page load is warm;
 * `served(pathname, bytes)` hears of each one sent.
 */
export async function serve(dir = site, routes = {}, served = () => {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const route = routes[url.pathname] ?? STANDING_ROUTES[url.pathname];
    if (route) return route(req, res, url);
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not found</h1>");
        return;
      }
      served(url.pathname, body.length);
      const type = TYPES[path.extname(file)] ?? "application/octet-stream";
      const cache = type.startsWith("text/html") ? "no-cache" : "max-age=600";
      res.writeHead(200, { "content-type": type, "cache-control": cache }).end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  const close = () => {
    running.delete(close);
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  };
  running.add(close);
  return { url: `http://127.0.0.1:${port}`, close };
}

/** Serves the demo store plus one extra page, `html` at `path`. */
export function servePage(path, html) {
  return serve(site, { [path]: (req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html) });
}

/** Chromium with this machine's flags, and page rewriting: shared with the shopper simulator. */
export { editPages, launch };

/** The logs of the pages the current test opened with {@link watchedPage}. */
const watched = [];

/**
 * After every test: no page it opened logged a console error, a page error
 * or a console warning, except those it said to expect.
 */
afterEach(() => {
  const logs = watched.splice(0);
  for (const log of logs) {
    const unexpected = (messages, patterns) => messages.filter((m) => !patterns.some((p) => p.test(m)));
    assert.deepEqual(unexpected(log.errors, log.expect.errors ?? []), [], "console errors or page errors no test expected");
    assert.deepEqual(unexpected(log.warnings, log.expect.warnings ?? []), [], "console warnings no test expected");
  }
});

/**
 * A page that records console messages and page errors. After the test,
 * the harness fails it on any console error, page error or warning that
 * `expect` does not name (`{ errors: [RegExp], warnings: [RegExp] }`): a
 * test that provokes a warning says which.
 */
export async function watchedPage(context, expect = {}) {
  const page = await context.newPage();
  // errorSources[i] is the URL errors[i] is about (a resource, for the
  // browser's own network messages).
  const log = { errors: [], errorSources: [], warnings: [], all: [], expect };
  watched.push(log);
  page.on("console", (msg) => {
    log.all.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === "error") log.errors.push(msg.text());
    if (msg.type() === "error") log.errorSources.push(msg.location().url);
    if (msg.type() === "warning") log.warnings.push(msg.text());
  });
  page.on("pageerror", (err) => {
    log.errors.push(`pageerror: ${err.message}`);
    log.errorSources.push("");
  });
  return { page, log };
}

/**
 * Page init script (for `addInitScript`): a returning shopper who viewed
 * three kitchen items, unless the page already has a profile. It
 * personalizes the demo store's widgets. A page without storage of its
 * own (`about:blank`) is left alone.
 */
export function kitchenProfile() {
  if (location.protocol !== "http:" || localStorage.getItem("shelfwise:v1:profile")) return;
  const now = Date.now();
  const views = ["sku-06003", "sku-06004", "sku-06005"].map((id) => `i\tv\t${now}\t${id}\tKitchen`).join("\n");
  localStorage.setItem("shelfwise:v1:profile", `swp1\nt\t${now}\t${now}\n${views}\n`);
}

/** The widget's child ids, visible ones only (trimmed children are hidden). */
export function widgetOrder(page, selector) {
  return page.$$eval(`${selector} > [data-item-id]`, (els) =>
    els.filter((e) => getComputedStyle(e).display !== "none").map((e) => e.getAttribute("data-item-id")),
  );
}

/**
 * Loads `url` twice, so that the second load finds the SDK, wasm and model
 * in the HTTP cache — the case these tests assert on. A cold first load may
 * rightly end its anti-flicker hold before a slow machine has the model
 * (the flicker tests cover that). Warnings of the first load are dropped;
 * its errors are kept, so they still fail the test.
 */
export async function loadWarm(page, log, url) {
  await page.goto(url);
  await widgetsSettled(page);
  log.warnings.length = 0;
  await page.goto(url);
  await widgetsSettled(page);
}

/**
 * The children of the widget at `selector` on the page at `path` as the merchant wrote them
 * (Shelfwise not loaded); with `shown`, only those the merchant's page shows (its CSS may give a
 * widget its final size by hiding the children past the limit).
 */
export async function merchantOrder(env, path, selector, { shown = false } = {}) {
  const context = await env.browser.newContext();
  const { page } = await watchedPage(context);
  await page.route("**/dist/shelfwise.js", (route) => route.fulfill({ body: "", contentType: "text/javascript" }));
  await page.goto(`${env.server.url}${path}`);
  const ids = shown ? await widgetOrder(page, selector) : await page.$$eval(`${selector} > [data-item-id]`, (els) => els.map((e) => e.getAttribute("data-item-id")));
  await context.close();
  return ids;
}

/** Waits (up to `timeout` ms) until every widget on the page has its final state. */
export async function widgetsSettled(page, timeout = 10_000) {
  await page.waitForFunction(() => {
    const widgets = document.querySelectorAll("[data-shelfwise-widget]");
    return widgets.length > 0 && Array.from(widgets).every((w) => w.hasAttribute("data-shelfwise-state"));
  }, null, { timeout });
}

/**
 * Registers hooks that start the demo-store server and Chromium before a
 * test file's tests and stop them after. The returned object's `server`
 * and `browser` are set once started.
 */
export function demoStore() {
  const env = {};
  before(async () => {
    env.server = await serve();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** The admin token of the collectors the tests start. */
export const ADMIN_TOKEN = "e2e-admin-token-5f0c9a7d";

/** Headers that read the collector's report. */
export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Starts the real collector (`target/release/shelfwise serve`) on an
 * ephemeral loopback port with a fresh SQLite database and the admin token
 * {@link ADMIN_TOKEN}, serving the demo store too; `extra` are more `serve`
 * arguments. Resolves with its URL and a `stop()`.
 */
export async function startCollector(extra = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-e2e-"));
  const child = spawn(path.join(root, "target/release/shelfwise"), [
    "serve", "--addr", "127.0.0.1:0", "--db", path.join(dir, "collector.db"), "--static", site, ...extra,
  ], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, SHELFWISE_ADMIN_TOKEN: ADMIN_TOKEN } });
  const stop = () => {
    running.delete(stop);
    child.kill("SIGTERM");
  };
  running.add(stop);
  const url = await new Promise((resolve, reject) => {
    let text = "";
    child.stderr.on("data", (chunk) => {
      text += chunk;
      const found = text.match(/listening on (https?:\/\/127\.0\.0\.1:\d+)\//);
      if (found) resolve(found[1]);
    });
    child.on("exit", (code) => reject(new Error(`shelfwise serve exited (${code}): ${text}`)));
  });
  return { url, stop };
}

/** The page's DOM with every widget emptied and Shelfwise's marks and pop-up removed: what Shelfwise must not change. */
export function outsideWidgets(page) {
  return page.evaluate(() => {
    const clone = document.documentElement.cloneNode(true);
    for (const w of clone.querySelectorAll("[data-shelfwise-widget]")) {
      w.replaceChildren();
      w.removeAttribute("data-shelfwise-state");
    }
    for (const s of clone.querySelectorAll("[data-shelfwise-popup]")) s.remove();
    return clone.outerHTML;
  });
}

/**
 * A store page written the way a merchant would (`tests/e2e/fixtures/third-party.html`:
 * the documented script tag and anti-flicker rule, nothing else), with
 * `dist/` copied under a nested path and a model built by the real CLI from
 * Segment JSON lines, in a fresh temporary folder. `edit(html)` may change
 * the page. Returns the folder and a `remove()`.
 */
export function thirdPartySite(edit = (html) => html) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-3p-"));
  const vendor = path.join(dir, "static/vendor/shelfwise");
  fs.mkdirSync(vendor, { recursive: true });
  fs.mkdirSync(path.join(dir, "static/reco"), { recursive: true });
  for (const f of ["shelfwise.js", "shelfwise_bg.wasm", "shelfwise-popup.js", "shelfwise-outbox.js", "shelfwise-exit.js"]) fs.copyFileSync(path.join(root, "dist", f), path.join(vendor, f));
  fs.writeFileSync(path.join(dir, "index.html"), edit(fs.readFileSync(path.join(root, "tests/e2e/fixtures/third-party.html"), "utf8")));
  execFileSync(
    "cargo",
    ["run", "--quiet", "--release", "-p", "shelfwise-cli", "--", "build", "--events", path.join(root, "tests/e2e/fixtures/third-party-events.jsonl"), "--out", path.join(dir, "static/reco/model.swm")],
    { cwd: root, stdio: "pipe" },
  );
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The documented anti-flicker rule (pkg-templates/README.md, as the demo
 * store's style sheet has it) in a `<style>` element, for a test page's
 * head: without it, a widget in view when the async script runs rightly
 * keeps the merchant's order.
 */
export const HOLD_STYLE = `<style>
${fs.readFileSync(path.join(root, "www/assets/style.css"), "utf8").split("\n").filter((line) => line.includes("shelfwise-hold")).join("\n")}
</style>`;

/** Removes the anti-flicker rule from a page or style sheet: a store that did not add it. */
export function withoutHoldRule(text) {
  return text.replace(/^.*shelfwise-hold.*$/gm, "");
}
