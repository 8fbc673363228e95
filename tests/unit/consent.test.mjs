// Unit tests of the runtime's consent decisions (`pkg-templates/src/consent.ts`),
// bundled for Node with esbuild: what each TCData means, and how the TCF
// listener settles. The end-to-end tests (`tests/e2e/tcf.test.mjs`) drive
// the IAB's reference CMP in Chromium; these cover the decision table fast.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const bundled = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-unit-")), "consent.mjs");
await build({ entryPoints: [path.join(root, "pkg-templates/src/consent.ts")], bundle: true, format: "esm", outfile: bundled, logLevel: "silent" });
const { decide, listenToTcf } = await import(bundled);

const vector = (ids) => Object.fromEntries(ids.map((id) => [String(id), true]));
const loaded = (global, publisher = {}) => ({
  gdprApplies: true,
  eventStatus: "tcloaded",
  purpose: { consents: vector(global), legitimateInterests: vector([2, 7, 8, 9, 10]) },
  publisher: { consents: publisher.consents ?? {}, legitimateInterests: publisher.legitimateInterests ?? {} },
});

test("what a TCData means: consent for 1, 5, 6 personalizes; 1 and 8 measure; legitimate interest is no yes", () => {
  const cases = [
    [{ gdprApplies: false }, "auto", { consent: "granted", measure: true }],
    [{ gdprApplies: true, eventStatus: "cmpuishown" }, "auto", null],
    [loaded([1, 5, 6, 8]), "auto", { consent: "granted", measure: true }],
    [loaded([1, 5, 6]), "auto", { consent: "granted", measure: false }],
    [loaded([1, 5, 8]), "auto", { consent: "denied", measure: true }],
    [loaded([5, 6, 8]), "auto", { consent: "denied", measure: false }],
    [{ gdprApplies: true, eventStatus: "useractioncomplete" }, "auto", { consent: "denied", measure: false }],
    // Purpose 8 by legitimate interest only (the vector above) is not a yes.
    [loaded([1, 5, 6]), "global", { consent: "granted", measure: false }],
  ];
  for (const [data, purposes, expected] of cases) assert.deepEqual(decide(data, purposes), expected, JSON.stringify(data));
});

test("which purposes: the publisher's when the CMP records any, the global ones otherwise, or as named", () => {
  const publisherOnly = loaded([], { consents: vector([1, 5, 6, 8]) });
  const publisherRefused = loaded([1, 5, 6, 8], { consents: vector([2]) });
  const publisherByInterest = loaded([1, 5, 6, 8], { legitimateInterests: vector([7]) });
  assert.deepEqual(decide(publisherOnly, "auto"), { consent: "granted", measure: true });
  assert.deepEqual(decide(publisherRefused, "auto"), { consent: "denied", measure: false });
  assert.deepEqual(decide(publisherByInterest, "auto"), { consent: "denied", measure: false }, "a recorded interest marks a publisher segment in use");
  assert.deepEqual(decide(publisherRefused, "global"), { consent: "granted", measure: true });
  assert.deepEqual(decide(loaded([1, 5, 6, 8]), "publisher"), { consent: "denied", measure: false });
  assert.deepEqual(decide(publisherOnly, "global"), { consent: "denied", measure: false });
});

/** A `__tcfapi` whose `addEventListener` callback the test calls with `answer(data)`. */
function fakeCmp() {
  const cmp = { removed: [] };
  cmp.api = (command, version, callback, parameter) => {
    if (command === "addEventListener") cmp.answer = (data) => callback({ listenerId: 4, ...data }, true);
    if (command === "removeEventListener") cmp.removed.push(parameter);
  };
  return cmp;
}

test("the listener: pending while the CMP shows its dialog, the shopper's choice later, its removal", async () => {
  const cmp = fakeCmp();
  const later = [];
  const listener = listenToTcf(cmp.api, 1000, "auto", (d) => later.push(d));
  cmp.answer({ gdprApplies: true, eventStatus: "cmpuishown" });
  assert.deepEqual(await listener.first, { consent: "pending", measure: false });
  cmp.answer(loaded([1, 5, 6]));
  assert.deepEqual(later, [{ consent: "granted", measure: false }]);
  listener.stop();
  assert.deepEqual(cmp.removed, [4]);
});

test("the listener: no answer within the timeout means denied; a CMP that throws means denied", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const silent = listenToTcf(() => {}, 1000, "auto", () => {});
  t.mock.timers.tick(1000);
  assert.deepEqual(await silent.first, { consent: "denied", measure: false });
  const broken = listenToTcf(() => {
    throw new Error("CMP failed");
  }, 1000, "auto", () => {});
  assert.deepEqual(await broken.first, { consent: "denied", measure: false });
});
