// Unit tests of the beacon outbox (`pkg-templates/src/outbox.ts`), bundled
// for Node with esbuild, sending with Node's real fetch to a real HTTP
// server on 127.0.0.1 whose answers each test sets: the batch on the wire,
// retries with backoff, Retry-After, refusals, the bound. The outbox keeps
// its events through a keeper (the engine's storage in the browser, a
// variable here). Persistence in localStorage and sendBeacon are covered in
// Chromium by tests/e2e/delivery.test.mjs.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bundled = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-unit-")), "outbox.mjs");
await build({ entryPoints: [path.join(root, "pkg-templates/src/outbox.ts")], bundle: true, format: "esm", outfile: bundled, logLevel: "silent" });
const { Outbox } = await import(bundled);

/** The collector stand-in: answers from `answers` (status, headers) in turn, records every body with its time. */
const received = [];
let answers = [];
let arrived = () => {};
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    received.push({ at: Date.now(), body: JSON.parse(body), type: req.headers["content-type"] });
    const [status, headers] = answers.shift() ?? [204, {}];
    res.writeHead(status, headers).end();
    arrived();
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/collect`;
after(() => new Promise((resolve) => server.close(resolve)));

/** An outbox keeping its events in `kept.text` (a new one unless given); `warnings` lists the kinds it warned of. */
function outbox(kept = { text: null }) {
  const warnings = [];
  const keeper = { get: () => kept.text, set: (text) => (kept.text = text) };
  const box = new Outbox(url, keeper, (kind) => warnings.push(kind));
  return { box, warnings, kept };
}

const event = (n) => JSON.stringify({ id: n.toString(16).padStart(32, "0"), type: "page_view" });

/** Resolves once `n` requests have arrived in all; rejects after `ms`. */
function requests(n, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${received.length} of ${n} requests within ${ms} ms`)), ms);
    arrived = () => {
      if (received.length < n) return;
      clearTimeout(timer);
      resolve();
    };
    arrived();
  });
}

test("a batch goes out as text/plain JSON with every event, and a 204 empties the outbox", async () => {
  received.length = 0;
  answers = [[204, {}]];
  const { box, warnings } = outbox();
  box.add(`${event(1)}\n${event(2)}`);
  await box.flush();
  assert.equal(received.length, 1);
  assert.equal(received[0].type, "text/plain;charset=UTF-8");
  assert.deepEqual(received[0].body, { v: 1, dropped: 0, events: [JSON.parse(event(1)), JSON.parse(event(2))] });
  await box.flush();
  assert.equal(received.length, 1, "nothing left to send");
  assert.deepEqual(warnings, []);
  box.stop();
});

test("a 503 keeps the events and retries them by itself after a jittered second, under the same ids", async () => {
  received.length = 0;
  answers = [[503, {}], [204, {}]];
  const { box } = outbox();
  box.add(event(3));
  await box.flush();
  const first = received[0];
  await requests(2, 4000);
  // The first backoff is 1 s × a jitter in [0.5, 1.5); the margin above is for a busy machine.
  const waited = received[1].at - first.at;
  assert.ok(waited >= 450 && waited <= 2500, `retried after ${waited} ms`);
  assert.deepEqual(received[1].body.events, first.body.events);
  box.stop();
});

test("a 429 pauses sending for its Retry-After, then the same events go", async () => {
  received.length = 0;
  answers = [[429, { "retry-after": "1" }], [204, {}]];
  const { box } = outbox();
  box.add(event(4));
  await box.flush();
  await box.flush();
  assert.equal(received.length, 1, "no send during the pause, even when asked");
  await requests(2, 4000);
  assert.ok(received[1].at - received[0].at >= 950, `${received[1].at - received[0].at} ms`);
  assert.deepEqual(received[1].body.events, received[0].body.events);
  box.stop();
});

test("a 400 drops the batch for good, warns once, and counts it in the next batch", async () => {
  received.length = 0;
  answers = [[400, {}], [204, {}]];
  const { box, warnings } = outbox();
  box.add(event(5));
  await box.flush();
  assert.deepEqual(warnings, ["collector-refused"]);
  box.add(event(6));
  await box.flush();
  assert.deepEqual(received[1].body, { v: 1, dropped: 1, events: [JSON.parse(event(6))] });
  box.stop();
});

test("at most 100 events wait: the oldest are dropped and counted", async () => {
  received.length = 0;
  answers = [[204, {}]];
  const { box, warnings } = outbox();
  box.add(Array.from({ length: 150 }, (_, i) => event(1000 + i)).join("\n"));
  await box.flush();
  const sent = received[0].body;
  assert.equal(sent.events.length, 100);
  assert.equal(sent.dropped, 50);
  assert.equal(sent.events[0].id, (1050).toString(16).padStart(32, "0"), "the newest are kept");
  assert.ok(warnings.includes("outbox-full"));
  box.stop();
});

test("what a page could not send, the next page's outbox sends under the same ids; unreadable lines are left out", async () => {
  received.length = 0;
  answers = [[503, {}], [204, {}]];
  const first = outbox();
  first.box.add(`${event(7)}\n${event(8)}`);
  await first.box.flush();
  first.box.stop(); // the page is gone before its retry
  assert.match(first.kept.text, /^0\|0\n/);
  first.kept.text += '\nnot json\n{"no":"id"}';
  const next = outbox(first.kept);
  await next.box.flush();
  assert.deepEqual(
    received[1].body.events.map((e) => e.id),
    [event(7), event(8)].map((e) => JSON.parse(e).id),
  );
  assert.equal(next.kept.text, null, "delivered: nothing kept");
  next.box.stop();
});
