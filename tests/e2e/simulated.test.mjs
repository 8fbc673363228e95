// The native simulator's shoppers in the real collector: what `cargo xtask
// demo` loads at its start so that its dashboard tells the arms apart
// within a minute. Their beacons go through `POST /collect` as a page's
// would, and the report reads them like any others.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { adminHeaders, root, site, startCollector } from "./harness.mjs";

test("6,000 simulated shoppers' beacons pass the collector, and its report shows the lift above zero", async () => {
  const collector = await startCollector(["--notice", "Simulated shoppers"]);
  try {
    const sim = path.join(root, "target/release/shelfwise-sim");
    const started = Date.now();
    const out = execFileSync(sim, ["beacons", "--model", path.join(site, "model.swm"), "--post", `${collector.url}/collect`, "--shoppers", "6000", "--seed", "1"], { encoding: "utf8" });
    const seconds = (Date.now() - started) / 1000;
    assert.match(out, /events of 6000 shoppers sent/);
    const report = await (await fetch(`${collector.url}/api/report`, { headers: adminHeaders })).json();
    assert.equal(report.notice, "Simulated shoppers");
    assert.deepEqual(report.anomalies.refused, {}, "nothing refused");
    const { personalized, holdout } = report.arms;
    assert.ok(Math.abs(personalized.visits - holdout.visits) < 0.1 * (personalized.visits + holdout.visits), JSON.stringify(report.arms));
    for (const metric of ["conversion_rate", "revenue_per_visit"]) {
      assert.ok(report.lift?.[metric]?.low > 0, `${metric}: ${JSON.stringify(report.lift)} ${JSON.stringify(report.arms)}`);
    }
    // The cold first pages are in the merchant's order: counted, not hidden.
    assert.ok(report.shown.personalized > 0 && report.shown["no-history"] > 0, JSON.stringify(report.shown));
    assert.equal(report.shown.timeout + report.shown["no-model"] + report.shown.consent + report.shown.error, 0);
    assert.ok(report.days.length >= 7, `${report.days.length} days`);
    console.log(`# ${out.trim()} in ${seconds.toFixed(1)} s`);
  } finally {
    collector.stop();
  }
});
