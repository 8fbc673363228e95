// The public types of Shelfwise's JS API, shared by the npm package and
// the script-tag build. Kept apart from the runtime so that the published
// declarations do not reach into the generated wasm glue.

/** Consent to keep a profile on this device. */
export type ConsentState = "granted" | "pending" | "denied";

/**
 * Which TCF purpose consents apply to Shelfwise: `"publisher"` (the
 * publisher segment, for the store's own processing), `"global"` (the
 * purpose consents every CMP records) or `"auto"` (the publisher's when the
 * CMP records any publisher purpose, else the global ones).
 */
export type TcfPurposes = "auto" | "publisher" | "global";

/** The widget kinds of the page markup (`data-shelfwise-widget`). */
export type WidgetKind = "reorder" | "similar" | "bought-together" | "recently-viewed";

/** Why an item got its place in a ranking. */
export type RankReason =
  | "merchant"
  | "similar"
  | "revisit"
  | "category"
  | "purchased"
  | "sensitive"
  | "out-of-stock"
  /** The product the page is about (`data-shelfwise-view`): last, and hidden in widgets. */
  | "on-page"
  /** The shopper marked it "not for me" (`data-shelfwise-less`): last. */
  | "not-for-me";

/** What an exit-intent callback receives. */
export interface ExitIntentEvent {
  reason: "pointer-top" | "scroll-up" | "tab-return" | "idle";
}

/** Exit-intent sensitivity, or `"off"`. */
export type ExitSensitivity = "low" | "medium" | "high" | "off";

/** The merchant's exit-intent pop-up. Text is shown as text, never as HTML. */
export interface PopupOptions {
  /** The title. */
  title: string;
  /** The title when the cart holds something: `{item}` becomes the product's name. */
  cartTitle?: string;
  /** A paragraph under the title. */
  body?: string;
  /** The call to action: a link (http or https only). */
  cta?: { label: string; url: string };
  /** An image URL (http or https only). */
  image?: string;
  /** The close button's accessible name (default "Close"). */
  closeLabel?: string;
  /**
   * A targeting rule (`data-popup-when`, docs/targeting.md): the pop-up shows
   * only to shoppers it holds for (in the holdout, it is counted as the
   * prompt it would have been).
   */
  when?: string;
}

/** Options of {@link init}. Every field is optional. */
export interface InitOptions {
  /** URL of the model file built by `shelfwise build`. Without it, widgets keep the merchant's order. */
  model?: string;
  /** An SRI hash (`sha384-…`) the model file must match (`data-model-integrity`); the browser refuses it otherwise. */
  modelIntegrity?: string;
  /**
   * A sharded model (`model` is its `manifest.swm`): when the browser is
   * idle after the widgets are decided, fetch the index files the items the
   * page's widgets show will need, so that the next page is one round trip
   * from its part (`data-prefetch="off"` for `false`). Default `true`; never
   * on a Save-Data connection.
   */
  prefetch?: boolean;
  /**
   * Segment's analytics.js: when `window.analytics` is there (the snippet's
   * stub or the loaded library), or appears by the page's `load` event, its
   * `track` calls feed Shelfwise like {@link track}, buffered ones included.
   * `false` (`data-segment="ignore"`) leaves it alone. Default `true`.
   */
  segment?: boolean;
  /**
   * Categories never to record (`data-sensitive-categories`, comma-separated):
   * views, carts and purchases of their items are not kept, and their items
   * are never pushed. Items the model flags sensitive are treated the same
   * once it has loaded; listing the categories here also covers the moment
   * before.
   */
  sensitiveCategories?: string[];
  /** URL of the collector's `/collect` endpoint (outcome beacons). */
  collector?: string;
  /** Share of browsers in the holdout arm, 0 to 1 (default 0.1); only with a `collector`, since a holdout nobody measures would only cost sales. */
  holdout?: number;
  /** Days a browser stays in its experiment arm (default 30). */
  holdoutDays?: number;
  /**
   * Consent to keep a profile on the device and send beacons. Without it,
   * an IAB TCF v2.2 CMP on the page decides (purposes 1, 5 and 6 for
   * personalization, 1 and 8 for beacons); without either, `"granted"`.
   */
  consent?: ConsentState;
  /** How long to wait for a TCF CMP's answer before treating consent as denied, in ms (default 1000). */
  consentTimeout?: number;
  /** Which TCF purpose consents a CMP's answer is read from (default `"auto"`). */
  tcfPurposes?: TcfPurposes;
  /** Global Privacy Control: `"honour"` (default: a browser sending it sends no beacons) or `"ignore"`. */
  gpc?: "honour" | "ignore";
  /** Longest time widgets are held hidden waiting for their final order, in ms (default 300). */
  holdTimeout?: number;
  /** Days a remembered interaction is kept (default 30). */
  retentionDays?: number;
  /** Log what Shelfwise does to the console. */
  debug?: boolean;
  /** Exit-intent detection: a sensitivity preset, or `"off"` (default `"medium"`). */
  exitIntent?: ExitSensitivity;
  /** A pop-up to show on exit intent; without it, only `onExitIntent` callbacks run. */
  popup?: PopupOptions;
  /** Where the wasm module is (default: next to the JS file). */
  wasmUrl?: string | URL;
}

/** What {@link init} resolves to. It never rejects. */
export interface InitResult {
  /** This browser's experiment arm (absent when Shelfwise could not start): the holdout sees the merchant's order and no pop-ups. */
  arm?: "personalized" | "holdout";
  /** Widgets can be personalized: wasm running, model loaded, consent granted. */
  personalized: boolean;
  /** The profile persists across pages (consent granted and localStorage usable). */
  persistent: boolean;
  /** Items in the loaded model (0 without one). */
  modelItems: number;
  /** Why Shelfwise is not fully working, when it is not. */
  warning?: string;
}

/** Options of {@link rank}. */
export interface RankOptions {
  /** Which widget logic to use (default `"reorder"`: the whole profile). */
  kind?: WidgetKind;
  /** The item a `similar` ranking is about. */
  anchor?: string;
}

/** Options of {@link recommend}. */
export interface RecommendOptions extends RankOptions {
  /** How many items at most (default 10). */
  limit?: number;
  /** Also recommend the products the page is about (`data-shelfwise-view`); default false. */
  includePage?: boolean;
}

/** One ranked item. */
export interface RankedItem {
  id: string;
  score: number;
  reason: RankReason;
  /** The profile item (or category) that contributed most, when there is one. */
  because?: string;
}

/**
 * What `export()` returns: everything Shelfwise keeps on this device, as
 * readable data (`{}` when Shelfwise could not start). Times are
 * milliseconds since the Unix epoch.
 */
export interface ShelfwiseExport {
  profile: {
    /** What the shopper did, oldest first. */
    interactions: { kind: "view" | "add_to_cart" | "remove_from_cart" | "cart_viewed" | "checkout_started" | "purchase"; item: string; category?: string; at_ms: number }[];
    cart: { item: string; category?: string; price_cents: number; added_ms: number }[];
    purchases: { item: string; at_ms: number }[];
    /** Category affinities as of now, in thousandths. */
    categories: { category: string; weight_thousandths: number }[];
    /** What the shopper stated (`setPreference`), key → value. */
    preferences: Record<string, string>;
    /** Items the shopper marked "not for me" (`data-shelfwise-less`). */
    not_for_me: { item: string; at_ms: number }[];
    /** The visit's context as the device classified it (empty strings when unknown). */
    context: {
      device: "" | "mobile" | "tablet" | "desktop";
      day_part: "" | "night" | "morning" | "afternoon" | "evening";
      weekday: number;
      referrer: "direct" | "search" | "social" | "email" | "ads" | "campaign" | "referral";
      language: string;
      season: "" | "spring" | "summer" | "autumn" | "winter";
    };
    visit_started_ms: number;
    /** The last activity of the previous visit (0: none within the retention window). */
    previous_visit_ms: number;
  };
  /** This browser's experiment arm. */
  arm: "personalized" | "holdout";
  /** Whether the profile persists across pages. */
  persistent: boolean;
  /** Every stored `shelfwise:` key with its value. */
  stored: Record<string, string>;
}

/** What `export()` gives when Shelfwise could not start: `{}`, typed so that `if (kept.profile)` tells the two apart. */
export type NotStarted = { [K in keyof ShelfwiseExport]?: never };
