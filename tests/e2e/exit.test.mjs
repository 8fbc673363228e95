// Exit intent, the pop-up and personalized banners on the demo store, with
// real input: Playwright's mouse, and touch scroll gestures synthesized by
// Chromium itself in mobile emulation.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { demoStore, editPages, root, servePage, watchedPage, widgetsSettled } from "./harness.mjs";

const env = demoStore();

/**
 * The policy's minimum time on the page, and a margin. Tests let it pass
 * under Playwright's clock (`page.clock.install()` before the page loads):
 * `fastForward` jumps ahead and runs every timer due meanwhile (the
 * detector's one-second tick among them), instead of a 5-second sleep.
 */
const DWELL_MS = 5_300;

/**
 * Lets the dwell pass, once Shelfwise has started on the page: its page
 * clock starts then, which may be after the page's load and its widgets'
 * hold (the script is async).
 */
async function dwell(page) {
  await page.evaluate(() => window.shelfwise.init());
  await page.clock.fastForward(DWELL_MS);
}

/** Records every exit-intent callback in `window.__exits`, through the snippet queue. */
function recordExits(context) {
  return context.addInitScript(() => {
    window.__exits = [];
    window.shelfwise = [["onExitIntent", (event) => window.__exits.push(event.reason)]];
  });
}

/** Moves the mouse from the middle of the page out through the top, a frame at a time. */
async function leaveThroughTheTop(page) {
  await page.mouse.move(640, 420);
  for (let y = 380; y > 0; y -= 45) {
    await page.mouse.move(640 + (420 - y) / 4, y);
    await page.waitForTimeout(16);
  }
  await page.mouse.move(760, -12);
  await page.waitForTimeout(100);
}

/**
 * Runs axe-core (pinned in package.json) with every rule, experimental and
 * best-practice ones included, over the open pop-up; lists the violations
 * and the checks left for review ("incomplete"), each with its elements.
 */
async function axeOnPopup(page) {
  await page.addScriptTag({ path: path.join(root, "node_modules/axe-core/axe.min.js") });
  return page.evaluate(async () => {
    const rules = window.axe.getRules().map((rule) => rule.ruleId);
    const result = await window.axe.run({ include: [["[data-shelfwise-popup]"]] }, { runOnly: { type: "rule", values: rules } });
    const brief = (list) => list.map((r) => `${r.id}: ${r.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    return { violations: brief(result.violations), review: brief(result.incomplete), passed: result.passes.length };
  });
}

const exits = (page) => page.evaluate(() => window.__exits.slice());
const popupShown = (page) => page.locator("[data-shelfwise-popup]").count();

test("a mouse leaving through the top shows the cart-aware pop-up once, accessible (axe-core); Esc closes it and focus returns; the cap survives a reload", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await recordExits(context);
  const { page, log } = await watchedPage(context);
  await page.clock.install();
  await page.goto(`${env.server.url}/product/sku-03005.html`);
  await widgetsSettled(page);
  const name = await page.getAttribute("button.add", "data-shelfwise-name");
  await page.click("button.add");
  await page.focus("button.add");

  await dwell(page);
  await leaveThroughTheTop(page);
  const dialog = page.locator("[data-shelfwise-popup] [role=dialog]");
  await dialog.waitFor({ timeout: 3_000 });
  assert.deepEqual(await exits(page), ["pointer-top"]);
  assert.equal(await dialog.getAttribute("aria-modal"), "true");
  assert.equal(await page.locator("[data-shelfwise-popup] h2").textContent(), `Still thinking about ${name}?`);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Close×", "focus on the close button");
  const axe = await axeOnPopup(page);
  assert.deepEqual([axe.violations, axe.review], [[], []], "axe-core: no violation, nothing left for review");
  assert.ok(axe.passed >= 10, `axe-core checked the dialog (${axe.passed} rules passed)`);
  assert.equal(await page.locator("[data-shelfwise-popup] a").getAttribute("href"), `${env.server.url}/cart.html`);
  // The focus stays in the dialog.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => document.activeElement?.closest("[role=dialog]") !== null), "focus trapped");

  await page.keyboard.press("Escape");
  assert.equal(await popupShown(page), 0, "Esc closes the pop-up");
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("add")), true, "focus returns");
  assert.equal(await page.evaluate(() => document.documentElement.style.overflow), "", "scroll lock released");

  await leaveThroughTheTop(page);
  assert.equal(await popupShown(page), 0, "once per visit");
  await page.reload();
  await widgetsSettled(page);
  await dwell(page);
  await leaveThroughTheTop(page);
  assert.equal(await popupShown(page), 0, "the cap holds across reloads");
  assert.deepEqual(await exits(page), [], "no callback either");
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.warnings, []);
  await context.close();
});

test("a pop-up targeted with data-popup-when shows only to the shoppers its rule holds for", async () => {
  for (const [carted, expected] of [[false, 0], [true, 1]]) {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await editPages(context, (html) => html.replace("data-popup-title=", 'data-popup-when="cart:items" data-popup-title='));
    await recordExits(context);
    const { page } = await watchedPage(context);
    await page.clock.install();
    await page.goto(`${env.server.url}/product/sku-03005.html`);
    await widgetsSettled(page);
    if (carted) await page.click("button.add");
    await dwell(page);
    await leaveThroughTheTop(page);
    // The callback hears the exit either way; the pop-up shows to the shopper with a cart only.
    await page.waitForFunction(() => window.__exits.length > 0);
    if (expected) await page.locator("[data-shelfwise-popup]").waitFor({ timeout: 3_000 });
    assert.equal(await popupShown(page), expected, carted ? "a cart: the pop-up" : "no cart: no pop-up");
    await context.close();
  }
});

test("product names and template text with markup render as text; non-http links are dropped", async () => {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>t</title>
<script async src="/dist/shelfwise.js" data-popup-title="Wait <b>now</b>" data-popup-cart-title="About {item}?"
  data-popup-body="<img src=x onerror=&quot;window.__pwned=1&quot;>" data-popup-cta="Click" data-popup-url="javascript:window.__pwned=2"
  onload="shelfwise.track('Product Added', { product_id: 'x1', name: '<img src=x onerror=&quot;window.__pwned=3&quot;>' })"></script>
</head><body><main><p>A page.</p></main></body></html>`;
  const server = await servePage("/payload.html", html);
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  await page.clock.install();
  await page.goto(`${server.url}/payload.html`);
  await dwell(page);
  await leaveThroughTheTop(page);
  await page.locator("[data-shelfwise-popup]").waitFor({ timeout: 3_000 });
  assert.equal(await page.locator("[data-shelfwise-popup] h2").textContent(), `About <img src=x onerror="window.__pwned=3">?`);
  assert.equal(await page.locator("[data-shelfwise-popup] p").textContent(), `<img src=x onerror="window.__pwned=1">`);
  assert.equal(await page.locator("[data-shelfwise-popup] img, [data-shelfwise-popup] b").count(), 0, "no element from text");
  assert.equal(await page.locator("[data-shelfwise-popup] a").count(), 0, "a javascript: link is not rendered");
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran");
  assert.deepEqual(log.errors, []);
  await context.close();
  await server.close();
});

/**
 * A finger drag from `y0` to `y1` over `ms`, a touch point per frame: the
 * browser scrolls (and flings) as on a phone. Dragging up scrolls down.
 */
async function drag(cdp, y0, y1, ms) {
  const steps = Math.max(2, Math.round(ms / 16));
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: 200, y: y0 }] });
  for (let i = 1; i <= steps; i++) {
    const y = y0 + ((y1 - y0) * i) / steps;
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: 200, y }] });
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
}

test("on a phone, a fast flick back up is exit intent and reading is not", async () => {
  const context = await env.browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await recordExits(context);
  const { page, log } = await watchedPage(context);
  await page.clock.install();
  const cdp = await context.newCDPSession(page);
  await page.goto(`${env.server.url}/category/hats.html`);
  await widgetsSettled(page);
  await dwell(page);

  // Reading: down in steady drags with pauses, a short way back up to re-read.
  for (let i = 0; i < 4; i++) {
    await drag(cdp, 700, 250, 700);
    await page.waitForTimeout(600);
  }
  await drag(cdp, 300, 500, 800);
  await page.waitForTimeout(600);
  await drag(cdp, 700, 300, 700);
  await page.waitForTimeout(800);
  assert.ok((await page.evaluate(() => window.scrollY)) > 1500, "scrolled down the page");
  assert.deepEqual(await exits(page), [], "reading is not exit intent");

  await drag(cdp, 200, 750, 120);
  await page.waitForTimeout(800);
  assert.deepEqual(await exits(page), ["scroll-up"]);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the home banner shows the shopper's strongest category, or the merchant's default", async () => {
  const context = await env.browser.newContext();
  const { page, log } = await watchedPage(context);
  const visible = () =>
    page.$$eval("[data-shelfwise-banner] > *", (els) => els.filter((e) => !e.hidden).map((e) => e.textContent));
  await page.goto(`${env.server.url}/`);
  await widgetsSettled(page);
  assert.deepEqual(await visible(), ["Free delivery on orders over $50"], "cold start: the default");
  for (const id of ["sku-03005", "sku-03006", "sku-03007"]) {
    await page.goto(`${env.server.url}/product/${id}.html`);
    await widgetsSettled(page);
  }
  await page.goto(`${env.server.url}/`);
  await widgetsSettled(page);
  assert.deepEqual(await visible(), ["This week: new hats arrivals"]);
  assert.equal(await page.getAttribute("[data-shelfwise-banner]", "data-shelfwise-state"), "personalized");
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("destroy() removes the listeners: no exit intent after it", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await recordExits(context);
  const { page, log } = await watchedPage(context);
  await page.clock.install();
  await page.goto(`${env.server.url}/`);
  await widgetsSettled(page);
  await page.evaluate(() => window.shelfwise.destroy());
  await dwell(page);
  await leaveThroughTheTop(page);
  assert.deepEqual(await exits(page), []);
  assert.equal(await popupShown(page), 0);
  assert.deepEqual(log.errors, []);
  await context.close();
});
