// What Shelfwise adds to a storefront's build, per framework: each test app
// of pkg-templates/test built twice — with the packed package, and with a
// stand-in `shelfwise` that keeps the same imports and does nothing — and
// the gzip bytes of everything the browser may download (JS, wasm, CSS)
// compared. Prints one JSON line per framework.
//
// Usage: node tests/bench/frameworks.mjs
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { bin, npmSnippet, workspaceSpecs } from "../apps.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const templates = path.join(root, "pkg-templates/test");

/** The stand-in: the package's exports the apps use, doing nothing. */
const STUB = {
  "package.json": JSON.stringify({
    name: "shelfwise",
    version: "0.0.0",
    type: "module",
    exports: { ".": "./index.js", "./react": "./react.js" },
    sideEffects: false,
  }),
  "index.js": `export const init = () => Promise.resolve({ personalized: false, persistent: false, modelItems: 0 });
export const track = () => {};
export const rank = (ids) => Promise.resolve(ids.map((id) => ({ id, score: 0, reason: "merchant" })));`,
  "react.js": `export const HELD_ATTRIBUTE = "data-shelfwise-held";
export const useRanked = (ids) => ({ ids, personalized: false, settled: true });`,
};

/** An app directory with the four test apps and `shelfwise` installed from `spec`. */
function setUp(dir, spec) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bench-app", private: true, type: "module" }));
  for (const name of ["vite-app", "react-app", "webpack-app", "next-app"]) {
    fs.cpSync(path.join(templates, name), path.join(dir, name), { recursive: true });
  }
  for (const name of ["vite-app", "webpack-app"]) fs.writeFileSync(path.join(dir, name, "main.js"), npmSnippet());
  const deps = workspaceSpecs(["react", "react-dom", "next"]);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", spec, ...deps], { cwd: dir, stdio: "pipe" });
}

/** Gzip bytes (level 9, file by file) of the JS, wasm and CSS under `dir`. */
function downloadable(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(js|mjs|wasm|css)$/.test(entry.name)) {
      total += zlib.gzipSync(fs.readFileSync(path.join(entry.parentPath, entry.name)), { level: 9 }).length;
    }
  }
  return total;
}

/** Builds each app in `dir`; gzip bytes of what each emitted for the browser. */
function build(dir) {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  const vite = (name) => {
    const out = path.join(dir, name, "dist");
    execFileSync(bin("vite"), ["build", "--logLevel", "warn", "--outDir", out, path.join(dir, name)], { cwd: dir, stdio: "pipe" });
    return downloadable(out);
  };
  execFileSync(bin("webpack"), ["--config", "webpack.config.mjs"], { cwd: path.join(dir, "webpack-app"), stdio: "pipe" });
  execFileSync(path.join(dir, "node_modules/.bin/next"), ["build"], { cwd: path.join(dir, "next-app"), env, stdio: "pipe" });
  return {
    vite: vite("vite-app"),
    "vite-react": vite("react-app"),
    webpack: downloadable(path.join(dir, "webpack-app/dist")),
    "next-react": downloadable(path.join(dir, "next-app/.next/static")),
  };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-frameworks-"));
try {
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", work, path.join(root, "dist/npm")], { encoding: "utf8" }).trim();
  const stub = path.join(work, "stub");
  fs.mkdirSync(stub);
  for (const [name, text] of Object.entries(STUB)) fs.writeFileSync(path.join(stub, name), text);
  setUp(path.join(work, "with"), path.join(work, tarball));
  // Packed too: Turbopack does not follow a symlinked folder dependency.
  const stubTarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", work, stub], { encoding: "utf8" }).trim();
  setUp(path.join(work, "without"), path.join(work, stubTarball));
  const withIt = build(path.join(work, "with"));
  const without = build(path.join(work, "without"));
  for (const framework of Object.keys(withIt)) {
    console.log(
      JSON.stringify({
        bench: "framework_build",
        framework,
        gzip_bytes_with: withIt[framework],
        gzip_bytes_without: without[framework],
        gzip_bytes_added: withIt[framework] - without[framework],
      }),
    );
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
