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
  /** What to do with an element targeted by `rule`; throws an `Error` for an invalid rule. */
  when(rule: string): Target;
  /** {@link when} for each of the rules joined by {@link SEPARATOR}; `invalid` where `when` throws. */
  whenAll(rules: string): Target[];
  preference(key: string): string | undefined;
  setPreference(key: string, value: string): boolean;
  clearPreference(key: string): boolean;
  isLess(item: string): boolean;
  setLess(item: string, less: boolean): boolean;
}

/**
 * What the engine decides for the element targeted by its
 * `data-shelfwise-when`: `show`, `hide`, or `held-out` (hidden in the
 * holdout, where it would have shown). An invalid rule is reported to
 * `warn` (with what is wrong and where) and hides the element.
 */
export function decision(engine: Targeting, element: Element, warn: (message: string) => void): Target {
  const rule = element.getAttribute("data-shelfwise-when") ?? "";
  try {
    return engine.when(rule);
  } catch (error) {
    warn(`shelfwise: data-shelfwise-when="${rule}" is not a rule (${(error as Error).message}); the element stays hidden`);
    return "hide";
  }
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
  if (open.length === 0) return;
  // One call for the page's rules (the shopper's segments worked out once);
  // a rule holding the separator is no rule, and is asked alone below.
  const rules = open.map((element) => element.getAttribute("data-shelfwise-when") ?? "");
  const targets = engine.whenAll(rules.map((rule) => (rule.includes(SEPARATOR) ? "|" : rule)).join(SEPARATOR));
  open.forEach((element, i) => {
    // An invalid rule is asked alone, for the warning that says what is wrong.
    const target = targets[i] === "invalid" ? decision(engine, element, warn) : targets[i];
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
