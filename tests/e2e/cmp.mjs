// A real IAB TCF v2.2 CMP for the browser tests: the IAB Tech Lab's own
// `@iabtechlabtcf/cmpapi` (pinned in package.json), bundled for the page,
// with TC strings encoded by `@iabtechlabtcf/core` — not a hand-written
// `__tcfapi` stub, so what Shelfwise reads is what CMPs built on the
// reference library answer.

import { build } from "esbuild";
import { GVL, TCModel, TCString } from "@iabtechlabtcf/core";
import { root } from "./harness.mjs";

/**
 * The CMP's page script: installs `__tcfapi` at once (calls queue until the
 * first answer, as with any CMP still loading); answers `plan.tc` after
 * `plan.delay` ms, or — with `plan.delay` null — when the test calls
 * `window.__cmpAnswer()`. `window.__cmp` is the CmpApi, for later choices.
 */
const ENTRY = `
import { CmpApi } from "@iabtechlabtcf/cmpapi";
const plan = window.__cmpPlan;
const cmp = new CmpApi(10, 1, true);
window.__cmp = cmp;
window.__cmpAnswer = () => cmp.update(plan.tc, false);
if (plan.delay !== null) setTimeout(window.__cmpAnswer, plan.delay);
`;

let bundle = null;

/** An init script (for `addInitScript`) that puts the real CMP on the page with `plan`: `{ tc, delay }`. */
export async function cmpScript(plan) {
  bundle ??= (
    await build({ stdin: { contents: ENTRY, resolveDir: root }, bundle: true, format: "iife", write: false, logLevel: "silent" })
  ).outputFiles[0].text;
  return `window.__cmpPlan = ${JSON.stringify({ delay: 0, ...plan })};\n${bundle}`;
}

// The eleven TCF v2.2 purposes, as a vendor list without vendors: encoding
// needs a GVL, and Shelfwise reads purposes only.
const purposes = Object.fromEntries(
  Array.from({ length: 11 }, (_, i) => [i + 1, { id: i + 1, name: `Purpose ${i + 1}`, description: "", illustrations: [] }]),
);
const gvl = new GVL({
  gvlSpecificationVersion: 3, vendorListVersion: 1, tcfPolicyVersion: 5, lastUpdated: "2026-01-01T00:00:00Z",
  purposes, specialPurposes: {}, features: {}, specialFeatures: {}, vendors: {}, stacks: {}, dataCategories: {},
});

/**
 * A TC string recording the shopper's consent to the `global` purposes and,
 * in the publisher segment, to the `publisher` purposes (lists of ids).
 */
export function tcString({ global = [], publisher = [] }) {
  const model = new TCModel(gvl);
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  model.purposeConsents.set(global);
  model.publisherConsents.set(publisher);
  return TCString.encode(model);
}
