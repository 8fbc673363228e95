// The React entry: `import { useRanked } from "shelfwise/react"`.
//
// React owns its DOM: Shelfwise never moves React's nodes. The hook hands
// React an order to render; the page holds the list (hidden, its space
// kept) until the hook has settled, as the script tag holds its widgets, so
// that a list the shopper may have seen is never reordered.

import { useEffect, useState } from "react";
import { rank } from "./index.js";
import type { RankOptions, RankReason } from "./types.js";

/** Options of {@link useRanked}. */
export interface UseRankedOptions extends RankOptions {
  /**
   * How long the list may stay held for the model, in milliseconds (default
   * 300, as the script tag's `holdTimeout`): past it the hook settles on the merchant's
   * order, and a ranking that arrives later is not applied.
   */
  holdTimeout?: number;
}

/** What {@link useRanked} gives React to render. */
export interface Ranked {
  /** The ids to render, in order: the merchant's until the hook settles personalized. */
  ids: readonly string[];
  /** The order came from the shopper's profile. */
  personalized: boolean;
  /**
   * The order is final: until then the list is held (render it hidden, e.g.
   * with {@link HELD_ATTRIBUTE} and the README's CSS rule). Never `true` on
   * the server.
   */
  settled: boolean;
}

/**
 * The attribute to put on a list while `settled` is `false`: with the
 * README's rule (`[data-shelfwise-held] { visibility: hidden; animation:
 * shelfwise-hold 0s 600ms forwards; }`) the list keeps its space, hidden,
 * and shows by itself even if no script runs.
 */
export const HELD_ATTRIBUTE = "data-shelfwise-held";

/**
 * Orders `itemIds` (the merchant's order) for this shopper. On the server and
 * in the first render it returns the merchant's order, unsettled (the same
 * markup on both sides: no hydration mismatch); once mounted it asks
 * {@link rank} — which waits for the model if `init()` was called — and
 * settles on the answer, or on the merchant's order after `holdTimeout`.
 * Call `init()` when the client code loads (not in an effect: children's
 * effects run before their parents'). New ids or options start over.
 */
export function useRanked(itemIds: readonly string[], options: UseRankedOptions = {}): Ranked {
  const { kind, anchor, holdTimeout } = options;
  const key = JSON.stringify([itemIds, kind ?? null, anchor ?? null]);
  const [state, setState] = useState<{ key: string; ranked: Ranked }>({
    key,
    ranked: { ids: itemIds, personalized: false, settled: false },
  });
  useEffect(() => {
    const ids: string[] = JSON.parse(key)[0];
    let settled = false;
    const settle = (ranked: Ranked) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      setState({ key, ranked });
    };
    const timer = setTimeout(() => settle({ ids, personalized: false, settled: true }), holdTimeout ?? DEFAULT_HOLD_MS);
    void rank(ids, { kind, anchor }).then((ranked) =>
      settle({ ids: ranked.map((r) => r.id), personalized: ranked.some((r) => FROM_PROFILE.has(r.reason)), settled: true }),
    );
    return () => {
      // Unmounted, or the list changed: this answer is no longer wanted.
      settled = true;
      clearTimeout(timer);
    };
  }, [key, kind, anchor, holdTimeout]);
  return state.key === key ? state.ranked : { ids: itemIds, personalized: false, settled: false };
}

/** The script tag's default hold. */
const DEFAULT_HOLD_MS = 300;

/** Reasons that come from the shopper's profile (the others are the merchant's order or rules). */
const FROM_PROFILE: ReadonlySet<RankReason> = new Set(["similar", "revisit", "category", "purchased"]);
