// Targeting in markup: elements shown only when a rule holds for the
// shopper (`data-shelfwise-when`), and the controls with which shoppers say
// what they prefer (`data-shelfwise-preference="KEY=VALUE"`) or what is not
// for them (`data-shelfwise-less="ITEM_ID"`). The core parses and
// evaluates the rules and keeps the preferences; this module wires the page.
// The script tag fetches it only for a page with such markup.

import { SEPARATOR } from "./boundary.js";
import { decide, TARGETED } from "./hold.js";
import type { Target } from "./wasm/shelfwise.js";

/** What the page asks of the engine here. */
export interface Targeting {
  /** What to do with the element each of the rules joined by {@link SEPARATOR} targets; `invalid` for a rule that does not parse. */
  whenAll(rules: string): Target[];
  /** What is wrong with `rule`, and where; nothing for a valid rule. */
  ruleError(rule: string): string | undefined;
  preference(key: string): string | undefined;
  setPreference(key: string, value: string): boolean;
  clearPreference(key: string): boolean;
  isLess(item: string): boolean;
  setLess(item: string, less: boolean): boolean;
}

/**
 * What the engine decides for the elements targeted by `rules` (their
 * `data-shelfwise-when`), in one call: `show`, `hide`, or `held-out`
 * (hidden in the holdout, where it would have shown). An invalid rule is
 * reported to `warn` (with what is wrong and where) and hides its element.
 */
export function decisions(engine: Targeting, rules: string[], warn: (message: string) => void): Target[] {
  if (rules.length === 0) return [];
  // A rule holding the separator is no rule: "|" stands for it in the call.
  const targets = engine.whenAll(rules.map((rule) => (rule.includes(SEPARATOR) ? "|" : rule)).join(SEPARATOR));
  return rules.map((rule, i) => {
    if (targets[i] !== "invalid") return targets[i];
    warn(`shelfwise: data-shelfwise-when="${rule}" is not a rule (${engine.ruleError(rule)}); the element stays hidden`);
    return "hide";
  });
}

/** {@link decisions} for one element. */
export function decision(engine: Targeting, element: Element, warn: (message: string) => void): Target {
  return decisions(engine, [element.getAttribute("data-shelfwise-when") ?? ""], warn)[0];
}

/**
 * Decides every targeted element not decided yet; `mayChange` says whether
 * the shopper cannot have seen it yet (one that may have been seen is left
 * as shown). `counted` gets each element whose rule holds — shown, or held
 * out — for its exposure beacon.
 */
export function applyTargeting(
  engine: Targeting,
  mayChange: (element: Element) => boolean,
  warn: (message: string) => void,
  counted: (element: Element) => void,
): void {
  const open: Element[] = [];
  for (const element of Array.from(document.querySelectorAll(`${TARGETED}:not([data-shelfwise-state])`))) {
    if (mayChange(element)) open.push(element);
    else decide(element, true);
  }
  // One call for the page's rules: the shopper's segments worked out once.
  const targets = decisions(engine, open.map((element) => element.getAttribute("data-shelfwise-when") ?? ""), warn);
  open.forEach((element, i) => {
    const target = targets[i];
    decide(element, target === "show");
    if (target !== "hide") counted(element);
  });
}

/** Sets `aria-pressed` on every preference and "not for me" control from what the engine keeps. */
export function syncControls(engine: Targeting): void {
  for (const control of Array.from(document.querySelectorAll("[data-shelfwise-preference],[data-shelfwise-less]"))) {
    const pressed = pressedNow(engine, control);
    if (pressed !== null) control.setAttribute("aria-pressed", String(pressed));
  }
}

/**
 * A click on a preference or "not for me" control toggles what it says;
 * returns whether the click was on one.
 */
export function toggle(engine: Targeting, target: Element): boolean {
  const control = target.closest("[data-shelfwise-preference],[data-shelfwise-less]");
  if (!control) return false;
  const pressed = pressedNow(engine, control);
  const less = control.getAttribute("data-shelfwise-less");
  if (pressed === null) return true;
  if (less) {
    engine.setLess(less, !pressed);
  } else {
    const [key, value] = preference(control);
    if (pressed) engine.clearPreference(key);
    else engine.setPreference(key, value);
  }
  syncControls(engine);
  return true;
}

/** Whether the control's preference or mark is set now; `null` for a control without a usable one. */
function pressedNow(engine: Targeting, control: Element): boolean | null {
  const less = control.getAttribute("data-shelfwise-less");
  if (less !== null) return less ? engine.isLess(less) : null;
  const [key, value] = preference(control);
  return key && value ? engine.preference(key) === value : null;
}

/** The `KEY=VALUE` of a preference control (empty strings when malformed). */
function preference(control: Element): [string, string] {
  const text = control.getAttribute("data-shelfwise-preference") ?? "";
  const at = text.indexOf("=");
  return at > 0 ? [text.slice(0, at).trim(), text.slice(at + 1).trim()] : ["", ""];
}
