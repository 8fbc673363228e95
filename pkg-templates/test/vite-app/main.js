// A tiny app importing the package the way the README says.
import { init, track } from "shelfwise";

track("Product Viewed", { product_id: "sku-03005", category: "Hats" });
track("Product Viewed", { product_id: "sku-03006", category: "Hats" });
init({ model: "/model.swm" }).then((result) => {
  window.__result = result;
});
