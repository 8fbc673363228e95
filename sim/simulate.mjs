// The shopper simulator: simulated shoppers with hidden tastes
// browse the demo store in headless Chromium through the real SDK, so that
// the collector's report shows a real experiment, personalized against
// holdout, end to end.
//
//   node sim/simulate.mjs --url http://127.0.0.1:8080 [--shoppers 200]
//        [--days 7] [--holdout 0.5] [--seed 1] [--parallel 2]
//
// Shoppers come from the same world as the demo store's sample log (the one
// its model is built from, `sample_events` in xtask/src/demo.rs): each
// likes the items of one category near one item of it (within three places,
// as the log's sessions wander). Each is a fresh browser (so the SDK draws
// its arm) and scans widgets top to bottom with attention that fades along
// the list: at position k, a liked item is clicked with probability
// 0.9 · 0.75^k, another item of the category 0.1 · 0.75^k, anything else
// 0.01. Without a click, a shopper goes to the category through the menu
// three times in ten and leaves otherwise. A liked product goes into the
// cart three times in ten; a cart goes to checkout seven times in ten.
// Half the shoppers come back a day later. Visits are spread over the last `--days` days by shifting
// `Date.now` in the page (the SDK's clock), so the report has a series.
// `--holdout` sets the store's script-tag `data-holdout` for the simulated
// shoppers (the demo store holds nobody out of its own visitors). Nothing
// here knows a shopper's arm: any difference between arms comes from what
// the SDK shows.

import { editPages, launchChromium } from "./chromium.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const base = (args.url ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const shoppers = Number(args.shoppers ?? 200);
const days = Math.min(7, Math.max(1, Number(args.days ?? 7)));
const parallel = Math.max(1, Number(args.parallel ?? 2));
const holdout = args.holdout === undefined ? null : String(Number(args.holdout));
const DAY_MS = 24 * 60 * 60 * 1000;

/** Mulberry32: a small seeded generator, so a run can be repeated. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function settled(page) {
  await page.waitForFunction(() => {
    const widgets = document.querySelectorAll("[data-shelfwise-widget]");
    return Array.from(widgets).every((w) => w.hasAttribute("data-shelfwise-state"));
  }, null, { timeout: 10_000 });
}

/** The visible widget items, in the order shown: widget index and id. */
function shown(page) {
  return page.$$eval("[data-shelfwise-widget]", (widgets) =>
    widgets.flatMap((w, wi) =>
      Array.from(w.children)
        .filter((c) => c.hasAttribute("data-item-id") && getComputedStyle(c).display !== "none")
        .map((c) => ({ widget: wi, id: c.getAttribute("data-item-id") })),
    ),
  );
}

/** The demo's ids: `sku-CCIII`, category CC and place III, from 1. */
function place(id) {
  const m = /^sku-(\d\d)(\d\d\d)$/.exec(id ?? "");
  return m ? { category: Number(m[1]) - 1, index: Number(m[2]) - 1 } : { category: -1, index: -1 };
}

/** How much a shopper with `taste` wants item `id`: 2 liked, 1 same category, 0 other. */
function appeal(taste, id, perCategory) {
  const { category, index } = place(id);
  if (category !== taste.category) return 0;
  const distance = Math.abs(index - taste.index);
  return Math.min(distance, perCategory - distance) <= 3 ? 2 : 1;
}

async function visit(page, random, taste, categories, perCategory) {
  let cart = 0;
  const landing = random() < 0.6 ? "/" : `/category/${categories[Math.floor(random() * categories.length)].toLowerCase()}.html`;
  await page.goto(base + landing);
  await settled(page);
  for (let step = 0; step < 6; step++) {
    const items = await shown(page);
    let chosen = null;
    items.forEach((item, k) => {
      if (chosen) return;
      const p = [0.01, 0.1 * 0.75 ** k, 0.9 * 0.75 ** k][appeal(taste, item.id, perCategory)];
      if (random() < p) chosen = item;
    });
    if (chosen) {
      await Promise.all([
        page.waitForURL(/\/product\//),
        page.locator("[data-shelfwise-widget]").nth(chosen.widget).locator(`> [data-item-id="${chosen.id}"] a`).click(),
      ]);
      await settled(page);
      const add = page.locator("button.add[data-shelfwise-add-to-cart]:not([disabled])");
      if (appeal(taste, chosen.id, perCategory) === 2 && random() < 0.3 && (await add.count()) > 0) {
        await add.click();
        cart++;
      }
    } else if (random() < 0.3) {
      await page.goto(`${base}/category/${categories[taste.category].toLowerCase()}.html`);
      await settled(page);
    } else {
      break;
    }
  }
  if (cart > 0 && random() < 0.7) {
    await page.goto(`${base}/checkout.html`);
    await page.fill('input[name="name"]', "Sim");
    await page.click("#checkout button");
    await page.waitForSelector("#thanks:not([hidden])");
    return true;
  }
  return false;
}

async function shopper(browser, n, categories, perCategory, seed) {
  const random = generator(seed * 1_000_003 + n);
  // The last category is the store's sensitive one: nobody is simulated into it.
  const taste = { category: Math.floor(random() * (categories.length - 1)), index: Math.floor(random() * perCategory) };
  const context = await browser.newContext();
  if (holdout !== null) {
    await editPages(context, (html) => html.replace(/data-holdout="[^"]*"/, `data-holdout="${holdout}"`));
  }
  await context.addInitScript(() => {
    const now = Date.now.bind(Date);
    Date.now = () => now() + (globalThis.__simOffset ?? 0);
  });
  const page = await context.newPage();
  const returning = random() < 0.5;
  const first = -Math.floor(random() * (days - (returning ? 1 : 0)) * DAY_MS) - (returning ? DAY_MS : 0);
  let orders = 0;
  for (const offset of returning ? [first, first + DAY_MS] : [first]) {
    await context.addInitScript(`globalThis.__simOffset = ${Math.min(0, offset)};`);
    if (await visit(page, random, taste, categories, perCategory)) orders++;
  }
  // Leaving: the SDK hands its queue to the browser on pagehide; the
  // browser, unlike a closed context, lives on to deliver it.
  await page.goto("about:blank");
  await page.waitForTimeout(500);
  await context.close();
  return orders;
}

async function main() {
  const catalog = await (await fetch(`${base}/catalog.csv`)).text();
  const rows = catalog.trim().split("\n").slice(1).map((l) => l.split(","));
  const categories = [...new Set(rows.map((r) => r[1]))];
  const perCategory = rows.length / categories.length;
  const browser = await launchChromium();
  const seed = Number(args.seed ?? 1);
  let next = 0;
  let orders = 0;
  let failed = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < shoppers) {
        const n = next++;
        try {
          const bought = await shopper(browser, n, categories, perCategory, seed);
          orders += bought;
        } catch (error) {
          failed++;
          if (failed <= 3) console.error(`simulate: shopper ${n}: ${error.message.split("\n")[0]}`);
        }
        if ((n + 1) % 20 === 0) console.error(`simulate: ${n + 1}/${shoppers} shoppers`);
      }
    }),
  );
  await browser.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.error(`simulate: ${shoppers} shoppers, ${orders} orders, ${failed} failed, in ${seconds} s`);
  if (failed > shoppers / 10) process.exit(1);
}

await main();
