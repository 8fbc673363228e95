// The dashboard over a simulated experiment: `cargo xtask simulate`'s
// shoppers (sim/simulate.mjs, real SDK in Chromium) fill a real collector;
// the dashboard is rendered in Chromium on a desktop and a phone,
// screenshotted (target/screenshots/), and must show the lift with its
// intervals, how the personalized arm's widgets were shown, charts per
// metric, and no overflow on the phone.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ADMIN_TOKEN, adminHeaders, launch, root, startCollector, watchedPage } from "./harness.mjs";

const env = {};
const NOTICE = "Simulated shoppers of the browser simulator. No real shopper.";
const shots = path.join(root, "target/screenshots");

before(async () => {
  const collector = await startCollector(["--dashboard", path.join(root, "dist/dashboard"), "--notice", NOTICE]);
  env.url = collector.url;
  env.stop = collector.stop;
  // 48 shoppers over two days, half held out: enough visits per arm for
  // the report to show every cell and the lift.
  execFileSync("node", ["sim/simulate.mjs", "--url", env.url, "--shoppers", "48", "--days", "2", "--holdout", "0.5"], { cwd: root, stdio: "inherit" });
  // A campaign's beacons as browsers landing from a newsletter send them:
  // 12 visits in each arm saw the offer (the holdout's would have), 6
  // personalized ones clicked it.
  const hour = Math.floor(Date.now() / 3_600_000);
  const events = [];
  for (let v = 0; v < 24; v++) {
    const arm = v < 12 ? "personalized" : "holdout";
    const base = { visit: (0xca000 + v).toString(16).padStart(16, "0"), arm, page: "home", widget: "banner", variant: "newsletter", hour };
    events.push({ id: (0xe000 + v).toString(16).padStart(32, "0"), type: "exposure", ...base, ...(arm === "personalized" ? { shown: "personalized" } : {}) });
    if (v < 6) events.push({ id: (0xc000 + v).toString(16).padStart(32, "0"), type: "click", position: 1, ...base });
  }
  const posted = await fetch(`${env.url}/collect`, { method: "POST", headers: { "content-type": "text/plain", origin: env.url }, body: JSON.stringify({ v: 1, events }) });
  assert.equal(posted.status, 204);
  env.browser = await launch();
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await env.browser?.close();
  env.stop?.();
});

test("the report is private: 401 without the admin token or with a wrong one, 200 with it; security headers", async () => {
  const statuses = [];
  for (const headers of [{}, { authorization: "Bearer not-the-token-0000" }, { authorization: ADMIN_TOKEN }, adminHeaders]) {
    statuses.push((await fetch(`${env.url}/api/report`, { headers })).status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 200]);
  for (const route of ["/api/report", "/dashboard/"]) {
    const response = await fetch(`${env.url}${route}`, { headers: adminHeaders });
    assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'.*frame-ancestors 'none'/, route);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", route);
    assert.equal(response.headers.get("referrer-policy"), "no-referrer", route);
    assert.equal(response.headers.get("cache-control"), "no-store", route);
  }
});

test("the dashboard asks for the token, refuses a wrong one, shows the report with the right one, for this tab only", async () => {
  const context = await env.browser.newContext();
  // The wrong token's 401, which the browser logs.
  const { page, log } = await watchedPage(context, { errors: [/401/] });
  await page.goto(`${env.url}/dashboard/`);
  await page.waitForSelector("#login:not([hidden])");
  assert.equal(await page.$$eval("#summary tbody tr", (trs) => trs.length), 0, "no data before the token");
  await page.fill("#token", "not-the-token-0000");
  await page.click("#login button");
  await page.waitForFunction(() => document.getElementById("login-error").textContent !== "");
  assert.match(await page.textContent("#login-error"), /not accepted/);
  await page.fill("#token", ADMIN_TOKEN);
  await page.click("#login button");
  await page.waitForSelector("body[data-ready]");
  assert.ok((await page.$$eval("#summary tbody tr", (trs) => trs.length)) > 5);
  const anomalies = await page.$$eval("#anomalies tbody tr", (trs) => trs.map((tr) => tr.textContent));
  assert.ok(anomalies.some((row) => row.startsWith("Orders over the maximum order value")), anomalies.join("\n"));
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing kept beyond the tab");
  // A new tab starts without it.
  const { page: other } = await watchedPage(context);
  await other.goto(`${env.url}/dashboard/`);
  await other.waitForSelector("#login:not([hidden])");
  // The one refused request is the browser's own 401 message.
  assert.deepEqual(log.errors.filter((e) => !e.includes("401")), []);
  assert.equal(log.errors.length, 1, log.errors.join("\n"));
  await context.close();
});

test("over HTTPS (HTTP/2 in Chromium): a same-origin beacon is stored and the dashboard shows it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-tls-"));
  const [cert, key] = [path.join(dir, "cert.pem"), path.join(dir, "key.pem")];
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE", "-keyout", key, "-out", cert], { stdio: "ignore" });
  const collector = await startCollector(["--dashboard", path.join(root, "dist/dashboard"), "--tls-cert", cert, "--tls-key", key]);
  try {
    assert.ok(collector.url.startsWith("https://"), collector.url);
    const context = await env.browser.newContext({ ignoreHTTPSErrors: true });
    const { page, log } = await watchedPage(context);
    await page.goto(`${collector.url}/dashboard/#token=${ADMIN_TOKEN}`);
    await page.waitForSelector("body[data-ready]");
    const hour = Math.floor(Date.now() / 3_600_000);
    const event = (n, type) => ({ id: n.toString(16).padStart(32, "0"), visit: "00000000000000aa", type, arm: "holdout", page: "home", hour });
    const sent = await page.evaluate(async (body) => {
      const response = await fetch("/collect", { method: "POST", body: JSON.stringify(body) });
      // The page came over HTTP/2, and its fetch shares the connection.
      return { status: response.status, protocol: performance.getEntriesByType("navigation")[0].nextHopProtocol };
    }, { v: 1, events: [event(1, "page_view")] });
    assert.deepEqual(sent, { status: 204, protocol: "h2" }, "the page's own origin, over HTTP/2");
    await page.reload();
    await page.waitForSelector("body[data-ready]");
    const visits = await page.$$eval("#summary tbody tr", (trs) => trs.find((tr) => tr.cells[0].textContent === "Visits")?.cells[2].textContent);
    assert.equal(visits, "1");
    assert.deepEqual(log.errors, []);
    await context.close();
  } finally {
    collector.stop();
  }
});

for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  test(`the dashboard shows the simulated experiment's lift with intervals (${name})`, async () => {
    const context = await env.browser.newContext({ viewport, deviceScaleFactor: 1 });
    const { page, log } = await watchedPage(context);
    const fromCdn = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(env.url)) fromCdn.push(r.url());
    });
    await page.goto(`${env.url}/dashboard/#token=${ADMIN_TOKEN}`);
    await page.waitForSelector("body[data-ready]");
    assert.equal(new URL(page.url()).hash, "", "the token leaves the address");
    assert.equal(await page.textContent("#notice:not([hidden])"), NOTICE, "the collector's notice is shown");
    const report = await (await fetch(`${env.url}/api/report`, { headers: adminHeaders })).json();
    assert.ok(report.arms.personalized.visits >= 10 && report.arms.holdout.visits >= 10, JSON.stringify(report.arms));
    assert.ok(report.lift?.conversion_rate, "the report has a conversion lift");

    const rows = await page.$$eval("#summary tbody tr", (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    const conversion = rows.find((r) => r[0] === "Conversion rate");
    assert.ok(conversion, rows.map((r) => r[0]).join());
    // "+4.2 pp (+12 %) [-3.1 pp, +11.5 pp]": the lift and its interval, as the report has them.
    const lift = report.lift.conversion_rate;
    const pp = (x) => `${x > 0 ? "+" : ""}${(x * 100).toFixed(1)} pp`;
    assert.ok(conversion[3].startsWith(pp(lift.difference)), conversion[3]);
    assert.ok(conversion[3].includes(`[${pp(lift.low)}, ${pp(lift.high)}]`), conversion[3]);
    assert.equal(conversion[1], `${(report.arms.personalized.conversion_rate * 100).toFixed(1)} %`);

    // Whether personalization ran: the share shown personalized and each fallback, in all and per day.
    assert.ok(report.shown && report.shown.personalized > 0, JSON.stringify(report.shown));
    const shown = await page.$$eval("#shown tbody tr", (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.equal(shown.length, 1 + report.days.length, JSON.stringify(shown));
    const reasons = ["personalized", "timeout", "no-model", "no-history", "consent", "error", "unreported"];
    assert.deepEqual(shown[0], ["All days", `${(report.shown.personalized_share * 100).toFixed(1)} %`, ...reasons.map((k) => String(report.shown[k]))]);
    assert.ok(await page.$('[data-chart="shown"]'), "the shown-personalized chart is drawn");

    // Each campaign: exposed visits, click-through and conversion per arm.
    const campaign = report.campaigns.newsletter;
    assert.equal(campaign.arms.personalized.visits, 12);
    assert.equal(campaign.arms.holdout.visits, 12);
    const rate = (x) => `${(x * 100).toFixed(1)} %`;
    const campaigns = await page.$$eval("#campaigns tbody tr", (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.deepEqual(campaigns[0].slice(0, 7), [
      "newsletter",
      "12", rate(campaign.arms.personalized.widget_ctr), rate(campaign.arms.personalized.conversion_rate),
      "12", rate(campaign.arms.holdout.widget_ctr), rate(campaign.arms.holdout.conversion_rate),
    ]);
    assert.equal(campaign.arms.personalized.widget_ctr, 0.5);
    assert.ok(await page.isHidden("#campaigns-none"));

    const charts = await page.$$eval(".chart canvas", (cs) => cs.filter((c) => c.width > 0 && c.height > 0).length);
    assert.ok(charts >= 10, `${charts} charts drawn`);
    assert.ok(await page.$('[data-chart="lift"]'), "the lift chart is drawn");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${overflow} px of horizontal overflow`);
    assert.deepEqual(fromCdn, [], "everything comes from the collector");

    const file = path.join(shots, `dashboard-${name}.png`);
    const png = await page.screenshot({ path: file, fullPage: true });
    // Not blank: a screenshot of an empty page compresses to almost nothing.
    assert.ok(png.length > 20_000, `${png.length} B screenshot`);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.warnings, []);
    await context.close();
  });
}
