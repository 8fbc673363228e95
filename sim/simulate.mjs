// The browser simulator: the simulated world's shoppers browse the demo
// store in headless Chromium through the real SDK, so that the collector's
// report shows a real experiment, personalized against holdout, end to end.
//
//   node sim/simulate.mjs --url http://127.0.0.1:8080 [--shoppers 200]
//        [--days 7] [--holdout 0.5] [--seed 1] [--parallel 2]
//
// Who the shoppers are and every choice they make come from the world's one
// definition, `crates/sim/src/world.rs` (the native simulator's too): each
// worker here runs `shelfwise-sim drive`, which plays its shoppers and asks
// this script to act in the browser — open a page, click an item, add to
// cart, check out — and to say what each page shows (the items the SDK left
// visible in its widgets, in page order). Each shopper is a fresh browser (so
// the SDK draws its arm); visits are spread over the last `--days` days by
// shifting `Date.now` in the page (the SDK's clock), so the report has a
// series. `--holdout` sets the store's script-tag `data-holdout` for the
// simulated shoppers (the demo store holds nobody out of its own visitors).
// Nothing here or in the world knows a shopper's arm: any difference between
// arms comes from what the SDK shows.

import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { editPages, launchChromium } from "./chromium.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const base = (args.url ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const shoppers = Number(args.shoppers ?? 200);
const days = Math.min(7, Math.max(1, Number(args.days ?? 7)));
const parallel = Math.max(1, Number(args.parallel ?? 2));
const seed = Number(args.seed ?? 1);
const holdout = args.holdout === undefined ? null : String(Number(args.holdout));
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A `shelfwise-sim drive` process: `ask(line)` sends one line and resolves with its next line. */
function mind() {
  const child = spawn("cargo", ["run", "--quiet", "--release", "-p", "shelfwise-sim", "--", "drive", "--seed", String(seed), "--days", String(days)], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async ask(message) {
      if (message !== undefined) child.stdin.write(`${JSON.stringify(message)}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error("shelfwise-sim drive ended");
      return JSON.parse(value);
    },
    stop() {
      child.stdin.end();
    },
  };
}

async function settled(page) {
  await page.waitForFunction(() => {
    const widgets = document.querySelectorAll("[data-shelfwise-widget]");
    return Array.from(widgets).every((w) => w.hasAttribute("data-shelfwise-state"));
  }, null, { timeout: 10_000 });
}

/** The visible widget items, in page order: widget index and id. */
async function shown(page) {
  await settled(page);
  return page.$$eval("[data-shelfwise-widget]", (widgets) =>
    widgets.flatMap((w, wi) =>
      Array.from(w.children)
        .filter((c) => c.hasAttribute("data-item-id") && getComputedStyle(c).display !== "none")
        .map((c) => [wi, c.getAttribute("data-item-id")]),
    ),
  );
}

/** Does what the world asks in `page`; the answer. */
async function act(context, page, ask) {
  if ("visit" in ask) {
    await context.addInitScript(`globalThis.__simOffset = ${Math.min(0, ask.visit)};`);
    return {};
  }
  if ("open" in ask) {
    await page.goto(base + ask.open);
    return { shown: await shown(page) };
  }
  if ("click" in ask) {
    const [widget, id] = ask.click;
    await Promise.all([
      page.waitForURL(/\/product\//),
      page.locator("[data-shelfwise-widget]").nth(widget).locator(`> [data-item-id="${id}"] a`).click(),
    ]);
    return { shown: await shown(page) };
  }
  if ("add" in ask) {
    const add = page.locator("button.add[data-shelfwise-add-to-cart]:not([disabled])");
    if ((await add.count()) === 0) return { added: false };
    await add.click();
    return { added: true };
  }
  if ("checkout" in ask) {
    await page.goto(`${base}/checkout.html`);
    await page.fill('input[name="name"]', "Sim");
    await page.click("#checkout button");
    await page.waitForSelector("#thanks:not([hidden])");
    return {};
  }
  throw new Error(`shelfwise-sim drive asked ${JSON.stringify(ask)}`);
}

/** Shopper `n`, in a fresh browser context: the number of orders. */
async function shopper(browser, brain, n) {
  const context = await browser.newContext();
  try {
    if (holdout !== null) {
      await editPages(context, (html) => html.replace(/data-holdout="[^"]*"/, `data-holdout="${holdout}"`));
    }
    await context.addInitScript(() => {
      const now = Date.now.bind(Date);
      Date.now = () => now() + (globalThis.__simOffset ?? 0);
    });
    const page = await context.newPage();
    let ask = await brain.ask({ shopper: n });
    while (!("done" in ask)) ask = await brain.ask(await act(context, page, ask));
    // Leaving: the SDK hands its queue to the browser on pagehide; the
    // browser, unlike a closed context, lives on to deliver it.
    await page.goto("about:blank");
    await page.waitForTimeout(500);
    return ask.done;
  } finally {
    await context.close();
  }
}

async function main() {
  const browser = await launchChromium();
  let next = 0;
  let orders = 0;
  let failed = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      // A shopper that failed midway leaves its mind mid-conversation: a new one for the next.
      let brain = mind();
      while (next < shoppers) {
        const n = next++;
        try {
          orders += await shopper(browser, brain, n);
        } catch (error) {
          failed++;
          if (failed <= 3) console.error(`simulate: shopper ${n}: ${error.message.split("\n")[0]}`);
          brain.stop();
          brain = mind();
        }
        if ((n + 1) % 20 === 0) console.error(`simulate: ${n + 1}/${shoppers} shoppers`);
      }
      brain.stop();
    }),
  );
  await browser.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.error(`simulate: ${shoppers} shoppers, ${orders} orders, ${failed} failed, in ${seconds} s`);
  if (failed > shoppers / 10) process.exit(1);
}

await main();
