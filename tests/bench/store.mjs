// The demo store as the browser benchmarks serve it: gzip-compressed, as a
// store's CDN does; under `/without/` as a merchant serves it before adding
// Shelfwise — the script tag removed, and the stylesheet's Shelfwise rules
// with it; under `/norule/` with the script tag but without the README's
// anti-flicker rule (Shelfwise then holds only what is out of view when it
// starts).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { TYPES, site } from "../e2e/harness.mjs";

/** The pages the benchmarks load: a name and a path. */
export const PAGES = [
  ["home", "/index.html"],
  ["category", "/category/kitchen.html"],
];

/** The page without Shelfwise: no script tag, no anti-flicker or targeting rules. */
function withoutShelfwise(body) {
  return body
    .replace(/<script[^>]*src="\/dist\/shelfwise\.js"[^>]*><\/script>/s, "")
    .replace('href="/assets/style.css"', 'href="/assets/style.css?without"');
}

/** The page without the anti-flicker rule. */
function withoutRule(body) {
  return body.replace('href="/assets/style.css"', 'href="/assets/style.css?norule"');
}

/** Stylesheets by query: `?without` drops every Shelfwise rule, `?norule` the hold's. */
const STYLE_FILTERS = { "?without": "shelfwise", "?norule": "shelfwise-hold" };

/** The demo store, gzip-compressed (but its pictures), with the variants above. */
export async function serveStore() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let pathname = url.pathname;
    const variant = pathname.match(/^\/(without|norule)\//)?.[1];
    if (variant) pathname = pathname.slice(variant.length + 1);
    if (pathname === "/collect" || pathname === "/favicon.ico") {
      req.resume();
      req.on("end", () => res.writeHead(204).end());
      return;
    }
    const file = path.join(site, decodeURIComponent(pathname));
    if (!file.startsWith(site) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    let body = fs.readFileSync(file);
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    if (variant && file.endsWith(".html")) body = Buffer.from((variant === "without" ? withoutShelfwise : withoutRule)(body.toString()));
    const dropped = STYLE_FILTERS[url.search];
    if (dropped) body = Buffer.from(body.toString().split("\n").filter((l) => !l.includes(dropped)).join("\n"));
    const headers = { "content-type": type, "cache-control": type.startsWith("text/html") ? "no-cache" : "max-age=600" };
    if (!type.startsWith("image/") && /gzip/.test(req.headers["accept-encoding"] ?? "")) {
      body = zlib.gzipSync(body, { level: 9 });
      headers["content-encoding"] = "gzip";
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
