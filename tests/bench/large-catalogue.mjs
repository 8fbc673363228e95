// A sharded model of a million items in Chromium, on Lighthouse's mobile
// network (150 ms RTT, 1.6 Mbps down, 750 kbps up), run by `cargo xtask
// bench` after it has built the model:
//
//   node tests/bench/large-catalogue.mjs MODEL_DIR VISITS_TSV
//
// Each visit is five product pages of one theme (the first five items of a
// line of VISITS_TSV), each page a product and a `similar` widget of twelve
// items of its theme, among them the product the shopper opens next (the
// shopper follows the widget). Every visit starts from an empty cache; the
// first page fetches the SDK, and pages 2–5 are measured: how many widgets
// ended personalized, and the model files and KB they fetched (prefetches
// started on them included). Three ways: the default (300 ms hold, prefetch
// of the index files the widgets' items need), without the prefetch, and
// with a 10 s hold — what the model can personalize at all, whatever the
// network. Prints one JSON line per way.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { launch, root } from "../e2e/harness.mjs";
import { fetched, slowMobilePage } from "./network.mjs";

const [modelDir, visitsFile] = process.argv.slice(2);
const VISITS = 15;
const dist = path.join(root, "dist");

/** Twelve items of `item`'s theme (200 ids in a row), `next` among them, the same for every run. */
function candidates(item, next) {
  const n = Number(item.slice(1));
  const theme = n - (n % 200);
  const out = [next];
  for (let k = 1; out.length < 12; k++) {
    const id = `i${theme + ((n * 7 + k * 37) % 200)}`;
    if (id !== item && !out.includes(id)) out.push(id);
  }
  // The next page's product is not always first.
  return [...out.slice(1, 1 + (n % 11)), out[0], ...out.slice(1 + (n % 11))];
}

/** A product page of the store: `item`, and a `similar` widget leading to `next`. */
function productPage(item, next, attributes) {
  const children = candidates(item, next).map((id) => `<a data-item-id="${id}" href="/p/${id}">${id}</a>`).join("");
  return `<!doctype html><html><head><link rel="icon" href="data:,"><style>
[data-shelfwise-widget]:not([data-shelfwise-state]) { visibility: hidden; animation: shelfwise-hold 0s 600ms forwards; }
@keyframes shelfwise-hold { to { visibility: visible; } }
</style><script async src="/dist/shelfwise.js" data-model="/m/manifest.swm"${attributes}></script></head>
<body><main data-shelfwise-page="product"><h1 data-shelfwise-view="${item}">${item}</h1>
<div data-shelfwise-widget="similar" data-shelfwise-limit="6">${children}</div></main></body></html>`;
}

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm" };
let attributes = "";
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const page = /^\/p\/(i\d+)$/.exec(url.pathname);
  if (page) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    return res.end(productPage(page[1], url.searchParams.get("next"), attributes));
  }
  const [dir, prefix] = url.pathname.startsWith("/m/") ? [modelDir, "/m/"] : [dist, "/dist/"];
  const file = path.join(dir, path.basename(url.pathname.slice(prefix.length)));
  fs.readFile(file, (err, body) => {
    if (err) return res.writeHead(404).end();
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    res.writeHead(200, { "content-type": type, "cache-control": "max-age=600" }).end(body);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const visits = fs
  .readFileSync(visitsFile, "utf8")
  .trim()
  .split("\n")
  .slice(0, VISITS)
  .map((line) => line.split("\t")[0].split(" "));

const browser = await launch();
try {
  for (const [way, attrs] of [
    ["default", ""],
    ["no prefetch", ' data-prefetch="off"'],
    ["10 s hold without prefetch", ' data-prefetch="off" data-hold-timeout="10000"'],
  ]) {
    attributes = attrs;
    const counts = { widgets: 0, personalized: 0, files: 0, bytes: 0 };
    for (const items of visits) {
      const { context, page, counting, files } = await slowMobilePage(browser, (url) => url.includes("/m/"), { viewport: { width: 412, height: 823 } });
      for (let p = 0; p < 5; p++) {
        if (p > 0) await page.waitForTimeout(1000); // the shopper reads; the browser is idle
        counting.on = p > 0;
        await page.goto(`${base}/p/${items[p]}?next=${items[p + 1] ?? items[0]}`);
        await page.evaluate(() => window.shelfwise.init());
        if (p === 0) continue;
        const state = await page.getAttribute("[data-shelfwise-widget]", "data-shelfwise-state");
        counts.widgets += 1;
        if (state === "personalized") counts.personalized += 1;
      }
      await page.waitForTimeout(1000);
      const { files: n, bytes } = fetched(files);
      counts.files += n;
      counts.bytes += bytes;
      await context.close();
    }
    console.log(JSON.stringify({ bench: "large_catalogue_chromium", way, visits: visits.length, widgets: counts.widgets, personalized: counts.personalized, files_per_visit: +(counts.files / visits.length).toFixed(1), kb_per_visit: +(counts.bytes / visits.length / 1000).toFixed(1) }));
  }
} finally {
  await browser.close();
  server.close();
}
