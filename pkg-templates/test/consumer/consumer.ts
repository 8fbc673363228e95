// Compiled with `tsc --noEmit` against the built package: every export and
// type a consumer uses must type-check, and misuse must not.
import {
  destroy,
  flush,
  forget,
  init,
  onExitIntent,
  rank,
  recommend,
  reorder,
  setConsent,
  track,
  export as exportData,
  type ConsentState,
  type InitOptions,
  type InitResult,
  type RankedItem,
  type RankReason,
  type ShelfwiseExport,
  type WidgetKind,
} from "shelfwise";
import { HELD_ATTRIBUTE, useRanked, type Ranked, type UseRankedOptions } from "shelfwise/react";

const options: InitOptions = { model: "/model.swm", consent: "pending", holdTimeout: 200, debug: false };
const ready: Promise<InitResult> = init(options);
track("Product Viewed", { product_id: "sku-1", category: "Shoes", price: 19.99 });
track("view_item", { items: [{ item_id: "sku-2", item_category: "Hats" }] });

async function main(): Promise<void> {
  const result = await ready;
  const personalized: boolean = result.personalized;
  const kind: WidgetKind = "similar";
  const ranked: RankedItem[] = await rank(["a", "b"], { kind, anchor: "a" });
  const reasons: RankReason[] = ranked.map((r) => r.reason);
  const picks = await recommend({ kind: "bought-together", limit: 4 });
  const element = document.querySelector("[data-shelfwise-widget]");
  if (element) {
    const done: boolean = await reorder(element);
    console.log(done);
  }
  const shown: readonly string[] = Object.freeze(["c", "d"]);
  const again: RankedItem[] = await rank(shown);
  const kept = await exportData();
  if (kept.profile) {
    const data: ShelfwiseExport = kept;
    const views: number = data.profile.interactions.filter((i) => i.kind === "view").length;
    const stored: string | undefined = data.stored["shelfwise:profile"];
    console.log(views, stored, data.arm === "holdout", again.length);
  }
  const stop = onExitIntent(({ reason }) => console.log(reason === "pointer-top"));
  stop();
  const state: ConsentState = "granted";
  setConsent(state);
  await flush();
  forget();
  destroy();
  console.log(personalized, reasons, picks.length);
}
void main();

// @ts-expect-error consent is a closed set of strings
setConsent("yes");
// @ts-expect-error widget kinds are a closed set of strings
void rank([], { kind: "carousel" });

// The React entry's types: a hook over readonly ids.
const hookOptions: UseRankedOptions = { kind: "similar", anchor: "a", holdTimeout: 300 };
const hook: (ids: readonly string[], options?: UseRankedOptions) => Ranked = useRanked;
const held: string = HELD_ATTRIBUTE;
console.log(hook, hookOptions, held);
