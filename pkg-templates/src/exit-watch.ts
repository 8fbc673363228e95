// Exit intent's eyes: passive listeners and a one-second tick feed the
// engine's detector (which decides, in Rust) what the shopper's pointer,
// scrolling, typing and tab switches mean.

// Types only: the script tag fetches this module on its own, and the glue's
// `ExitInput` comes from the runtime (one copy of the glue per page).
import type { Engine, ExitInput as Inputs, ExitReason } from "./wasm/shelfwise.js";

/** How the watch hooks into the page: listeners and a timer the runtime removes on destroy. */
export interface Hooks {
  /** A passive, capturing listener. */
  listen(target: EventTarget, type: string, handler: (event: Event) => void): void;
  /** `tick` every `ms`. */
  every(ms: number, tick: () => void): void;
}

/**
 * Feeds `engine`'s detector (started already) with the glue's `ExitInput`
 * values and calls `triggered` with each reason it reports.
 */
export function watchExitIntent(engine: Engine, ExitInput: typeof Inputs, hooks: Hooks, triggered: (reason: ExitReason) => void): void {
  const feed = (input: Inputs, a = 0, b = 0) => {
    const reason = engine.exitInput(input, a, b);
    if (reason !== undefined) triggered(reason);
  };
  const { listen } = hooks;
  const at = (handler: (e: MouseEvent) => void) => (event: Event) => handler(event as MouseEvent);
  listen(document, "mousemove", at((e) => feed(ExitInput.PointerMove, e.clientX, e.clientY)));
  listen(document, "mouseout", at((e) => {
    if (!e.relatedTarget) feed(ExitInput.PointerLeave, e.clientX, e.clientY);
  }));
  listen(document, "pointerdown", at((e) => feed(ExitInput.PointerDown, e.clientX, e.clientY)));
  listen(document, "pointerup", () => feed(ExitInput.PointerUp));
  listen(window, "scroll", () => feed(ExitInput.Scroll, window.scrollY));
  listen(document, "keydown", () => feed(ExitInput.Typing));
  listen(document, "input", () => feed(ExitInput.Typing));
  listen(document, "focusin", (e) => {
    if (isField(e.target)) feed(ExitInput.FieldFocus, 1);
  });
  listen(document, "focusout", (e) => {
    if (isField(e.target)) feed(ExitInput.FieldFocus, 0);
  });
  listen(document, "visibilitychange", () => feed(ExitInput.Hidden, document.visibilityState === "hidden" ? 1 : 0));
  listen(window, "resize", () => feed(ExitInput.Resize, window.innerWidth, window.innerHeight));
  hooks.every(1000, () => feed(ExitInput.Tick));
}

/** A form field: where the pointer often drifts off while the shopper types. */
function isField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}
