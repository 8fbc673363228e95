// The README's npm snippet bundled by webpack 5, as a storefront would: the
// wasm beside the module (`new URL(…, import.meta.url)`) becomes an asset.
import path from "node:path";

export default {
  mode: "production",
  entry: "./main.js",
  output: { path: path.resolve(import.meta.dirname, "dist"), filename: "main.js", clean: true },
  performance: { hints: false },
};
