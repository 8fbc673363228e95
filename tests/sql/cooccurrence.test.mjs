// The SQL path gives the native model: sql/cooccurrence.sql runs in DuckDB
// (an embedded engine) and on Apache Spark (local mode) over a generated
// event log, `shelfwise build --pairs` encodes its output, and the model must
// be byte-identical to `shelfwise build --events` on the same log with the
// same parameters — given, or learned (`shelfwise learn --sql` writes the
// parameter table the query reads) — as one file and in parts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function shelfwise(...args) {
  return execFileSync("cargo", ["run", "--quiet", "--release", "-p", "shelfwise-cli", "--", ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** 600 sessions over 80 items in themes, with repeats in a row, cart adds,
 * purchases and rows without intent; seeded. */
function sampleEvents() {
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const kinds = ["view", "view", "view", "view", "add_to_cart", "purchase", "remove_from_cart"];
  const rows = ["session_id,ts,item_id,event_type"];
  let ts = 1_700_000_000_000;
  for (let s = 0; s < 600; s++) {
    const theme = Math.floor(next() * 8) * 10;
    const length = 1 + Math.floor(next() * 12);
    let item = theme;
    for (let e = 0; e < length; e++) {
      // One time in five the shopper reloads the same item.
      if (next() >= 0.2) item = next() < 0.15 ? Math.floor(next() * 80) : theme + Math.floor(next() * 10);
      ts += 1 + Math.floor(next() * 1000);
      rows.push(`s${s},${ts},p${item},${kinds[Math.floor(next() * kinds.length)]}`);
    }
  }
  return rows.join("\n") + "\n";
}

/** Runs sql/cooccurrence.sql in DuckDB over `events` after `params` (the
 * statement creating `shelfwise_params`); writes the pair table to `pairs`. */
async function sqlPairs(events, params, pairs) {
  const db = await (await DuckDBInstance.create(":memory:")).connect();
  await db.run(
    `CREATE TABLE events AS SELECT * FROM read_csv('${events}', header = true,
       columns = {'session_id': 'VARCHAR', 'ts': 'BIGINT', 'item_id': 'VARCHAR', 'event_type': 'VARCHAR'})`,
  );
  await db.run(params);
  const query = fs.readFileSync(path.join(root, "sql/cooccurrence.sql"), "utf8");
  await db.run(`COPY (${query}) TO '${pairs}' (HEADER, DELIMITER ',')`);
}

/** Runs sql/cooccurrence.sql on Apache Spark in local mode (tests/sql/spark_pairs.py) over `events`
 * after `params`; writes the pair table to `pairs`. pyspark comes from `SHELFWISE_PYSPARK`, where
 * `cargo xtask test` installs it. */
function sparkPairs(events, params, pairs) {
  const pyspark = process.env.SHELFWISE_PYSPARK;
  assert.ok(pyspark, "SHELFWISE_PYSPARK names pyspark's directory: run through `cargo xtask test`, which installs Spark");
  const script = path.join(root, "tests/sql/spark_pairs.py");
  execFileSync("python3", [script, events, params, path.join(root, "sql/cooccurrence.sql"), pairs], {
    env: { ...process.env, PYTHONPATH: pyspark, SPARK_LOCAL_IP: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The statement creating `shelfwise_params` with the given values. */
function paramsView(params) {
  return `CREATE OR REPLACE TEMPORARY VIEW shelfwise_params AS SELECT ${params.window} AS window_size,
       CAST(${params.distance} AS DOUBLE) AS distance_exponent, CAST(${params.backward} AS DOUBLE) AS backward_weight,
       CAST(${params.popularity} AS DOUBLE) AS popularity_exponent, ${params.neighbors} AS neighbors`;
}

const PARAMS = { window: 8, distance: 0.5, backward: 0.5, popularity: 0.3, neighbors: 8, share: 1.5 };

/** `shelfwise build` options for {@link PARAMS}: those a pair table carries (`common`) and those the events need too. */
function buildOptions(params) {
  const common = ["--neighbors", `${params.neighbors}`, "--revisit-share", `${params.share}`];
  const counting = ["--distance-exponent", `${params.distance}`, "--backward-weight", `${params.backward}`, "--popularity-exponent", `${params.popularity}`];
  return { common, counting };
}

test("the SQL pair table encodes to the native model, byte for byte", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-sql-"));
  const events = path.join(dir, "events.csv");
  fs.writeFileSync(events, sampleEvents());
  const { common, counting } = buildOptions(PARAMS);

  const native = path.join(dir, "native.swm");
  shelfwise("build", "--events", events, "--out", native, ...common, ...counting);

  const pairs = path.join(dir, "pairs.csv");
  await sqlPairs(events, paramsView(PARAMS), pairs);
  const fromSql = path.join(dir, "sql.swm");
  shelfwise("build", "--pairs", pairs, "--out", fromSql, ...common);

  const summary = JSON.parse(shelfwise("inspect", "--json", native));
  assert.ok(summary.items >= 70 && summary.edges > 300, `a real model: ${JSON.stringify(summary)}`);
  assert.ok(fs.readFileSync(pairs, "utf8").split("\n").length > summary.edges, "the pair table has every edge");
  assert.deepEqual(fs.readFileSync(fromSql), fs.readFileSync(native));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("with learned parameters too: `learn --sql` writes the query's parameter table, and the model is the native build's", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-sql-learn-"));
  const events = path.join(dir, "events.csv");
  fs.writeFileSync(events, sampleEvents());
  const native = path.join(dir, "native.swm");
  shelfwise("build", "--events", events, "--out", native);

  const [statement, next] = shelfwise("learn", "--events", events, "--sql").trim().split("\n");
  assert.match(statement, /^CREATE OR REPLACE TEMPORARY VIEW shelfwise_params AS SELECT /);
  const share = /--revisit-share (\S+)/.exec(next)?.[1];
  assert.ok(share, `the build command to run next: ${next}`);
  const pairs = path.join(dir, "pairs.csv");
  await sqlPairs(events, statement.replace(/;$/, ""), pairs);
  const fromSql = path.join(dir, "sql.swm");
  shelfwise("build", "--pairs", pairs, "--out", fromSql, ...(share === "default" ? [] : ["--revisit-share", share]));
  assert.deepEqual(fs.readFileSync(fromSql), fs.readFileSync(native));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("on Apache Spark too: the same query's pair table gives the native sharded model, file for file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shelfwise-spark-"));
  const events = path.join(dir, "events.csv");
  fs.writeFileSync(events, sampleEvents());
  const { common, counting } = buildOptions(PARAMS);
  const sharding = ["--items-per-part", "4"];
  const native = path.join(dir, "native");
  shelfwise("build", "--events", events, "--out-dir", native, ...sharding, ...common, ...counting);

  const pairs = path.join(dir, "pairs.csv");
  sparkPairs(events, paramsView(PARAMS), pairs);
  const fromSpark = path.join(dir, "spark");
  shelfwise("build", "--pairs", pairs, "--out-dir", fromSpark, ...sharding, ...common);

  const files = fs.readdirSync(native).sort();
  assert.ok(files.length > 10 && files.includes("manifest.swm"), `a real sharded model: ${files.length} files`);
  assert.deepEqual(fs.readdirSync(fromSpark).sort(), files, "the same parts, under the same names");
  for (const file of files) assert.deepEqual(fs.readFileSync(path.join(fromSpark, file)), fs.readFileSync(path.join(native, file)), file);
  fs.rmSync(dir, { recursive: true, force: true });
});
