// What the package tests and the framework benchmark share about the test
// apps of pkg-templates/test: the code they run and the versions they install.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/** The first ```js block after `heading` in a Markdown file. */
export function snippet(file, heading) {
  const text = fs.readFileSync(file, "utf8");
  const match = text.slice(text.indexOf(heading)).match(/```js\n([\s\S]*?)```/);
  if (!match) throw new Error(`${file} has no js block after ${heading}`);
  return match[1];
}

/** The README's npm snippet: the Vite and webpack apps' code, verbatim. */
export const npmSnippet = () => snippet(path.join(root, "README.md"), "## npm");

/** `name@version` for each of `names`, at the workspace's (devDependencies) versions. */
export function workspaceSpecs(names) {
  const versions = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).devDependencies;
  return names.map((name) => `${name}@${versions[name]}`);
}

/** A tool the workspace's `npm ci` installed. */
export const bin = (name) => path.join(root, "node_modules/.bin", name);
