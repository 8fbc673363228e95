// A React storefront's shelf, ranked by shelfwise/react. Written without
// JSX so that the app needs no React compiler plugin.
import { createElement as h, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { init, track } from "shelfwise";
import { HELD_ATTRIBUTE, useRanked } from "shelfwise/react";

// init() when the client code loads, before any component's effect.
init({ model: "/model.swm" });
for (const id of new URLSearchParams(location.search).getAll("viewed")) {
  track("Product Viewed", { product_id: id, category: "Hats" });
}

const MERCHANT_ORDER = ["sku-01001", "sku-02001", "sku-03001", "sku-03002"];

function Shelf() {
  const { ids, personalized, settled } = useRanked(MERCHANT_ORDER);
  const state = settled ? (personalized ? "personalized" : "merchant") : "held";
  return h(
    "ul",
    { id: "shelf", "data-state": state, [HELD_ATTRIBUTE]: settled ? undefined : "" },
    ids.map((id) => h("li", { key: id, "data-item-id": id }, id)),
  );
}

createRoot(document.getElementById("root")).render(h(StrictMode, null, h(Shelf)));
