"use client";
import { init, track } from "shelfwise";
import { HELD_ATTRIBUTE, useRanked } from "shelfwise/react";

// When the client code loads, before any effect; on the server it resolves
// at once and does nothing.
init({ model: "/model.swm" });
if (typeof window !== "undefined") {
  for (const id of new URLSearchParams(window.location.search).getAll("viewed")) {
    track("Product Viewed", { product_id: id, category: "Hats" });
  }
}

export default function Shelf({ ids }) {
  const { ids: ranked, personalized, settled } = useRanked(ids);
  const state = settled ? (personalized ? "personalized" : "merchant") : "held";
  return (
    <ul id="shelf" data-state={state} {...{ [HELD_ATTRIBUTE]: settled ? undefined : "" }}>
      {ranked.map((id) => (
        <li key={id} data-item-id={id}>
          {id}
        </li>
      ))}
    </ul>
  );
}
