// The npm entry: `import { init, track } from "shelfwise"`.
//
// No globals: the runtime lives in this module. The wasm file is resolved
// next to this module (bundlers such as Vite and webpack copy it), or taken
// from `init({ wasmUrl })`.

import { Runtime } from "./runtime.js";
import type {
  ConsentState,
  ExitIntentEvent,
  InitOptions,
  InitResult,
  RankedItem,
  RankOptions,
  RecommendOptions,
  NotStarted,
  ShelfwiseExport,
} from "./types.js";

export type {
  ConsentState,
  ExitIntentEvent,
  ExitSensitivity,
  InitOptions,
  InitResult,
  PopupOptions,
  RankedItem,
  RankOptions,
  RankReason,
  RecommendOptions,
  NotStarted,
  ShelfwiseExport,
  TcfPurposes,
  WidgetKind,
} from "./types.js";

const runtime = new Runtime({
  popup: () => import("./popup.js"),
  outbox: () => import("./outbox.js"),
  exitWatch: () => import("./exit-watch.js"),
  target: () => import("./target.js"),
});

/**
 * Starts Shelfwise. Resolves when widgets are in their final order; never
 * rejects. Rankings asked after it wait for the model (at most the hold
 * timeout); on a server (no DOM) it resolves at once, unpersonalized, and
 * fetches nothing.
 */
export function init(options: InitOptions = {}): Promise<InitResult> {
  return runtime.init(options, new URL("./shelfwise_bg.wasm", import.meta.url));
}

/** Records a Segment (`"Product Viewed"`) or GA4 (`"view_item"`) e-commerce event. Never throws. */
export function track(eventName: string, properties?: Record<string, unknown>): void {
  runtime.track(eventName, properties);
}

/** Orders `itemIds` (the merchant's order) for this shopper, best first. */
export function rank(itemIds: readonly string[], options?: RankOptions): Promise<RankedItem[]> {
  return runtime.rank(itemIds, options);
}

/** Picks items from the model for this shopper, best first. */
export function recommend(options?: RecommendOptions): Promise<RankedItem[]> {
  return runtime.recommend(options);
}

/** Reorders one `data-shelfwise-widget` container now. Resolves `true` when personalized. */
export function reorder(element: Element): Promise<boolean> {
  return runtime.reorder(element);
}

/** Registers an exit-intent callback; returns a function that unregisters it. */
export function onExitIntent(callback: (event: ExitIntentEvent) => void): () => void {
  return runtime.onExitIntent(callback);
}

/** Sets the shopper's consent; anything but `"granted"` erases the stored profile at once. */
export function setConsent(state: ConsentState): void {
  runtime.setConsent(state);
}

/**
 * The segment terms that hold for the shopper now, in the rule syntax of
 * `data-shelfwise-when` (`"returning"`, `"category:tea"`,
 * `"pref:diet=vegan"`; see docs/targeting.md). Computed on the device and
 * never sent anywhere.
 */
export function segments(): Promise<string[]> {
  return runtime.segments();
}

/**
 * States a preference of the shopper's (`setPreference("diet", "vegan")`),
 * kept with the profile (with consent), shown by `export()`, erased by
 * `forget()`, never in a beacon. `category` boosts the items of that
 * category in every ranking.
 */
export function setPreference(key: string, value: string): void {
  runtime.setPreference(key, value);
}

/** Withdraws a stated preference. */
export function clearPreference(key: string): void {
  runtime.clearPreference(key);
}

/** Erases everything Shelfwise keeps on this device. */
export function forget(): void {
  runtime.forget();
}

/**
 * What Shelfwise keeps on this device, as readable data: the profile
 * (interactions, cart, purchases, category weights, context), the
 * experiment arm, and every stored key with its value. Exported as
 * `export` (`import { export as exportData } from "shelfwise"`).
 */
function exportData(): Promise<ShelfwiseExport | NotStarted> {
  return runtime.exportData();
}
export { exportData as export };

/** Sends queued outcome beacons now. */
export function flush(): Promise<void> {
  return runtime.flush();
}

/** Stops Shelfwise: removes its listeners and hooks, frees the wasm. */
export function destroy(): void {
  runtime.destroy();
}
