// The demo store's own JavaScript: the merchant's cart, nothing Shelfwise
// needs. It talks to Shelfwise only the documented ways: the
// data-shelfwise-add-to-cart markup, window.shelfwise.track, and GA4
// e-commerce pushes to the dataLayer.
(function () {
  "use strict";
  window.dataLayer = window.dataLayer || [];
  var KEY = "demo-shop:cart";

  function load() {
    try {
      var lines = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(lines) ? lines : [];
    } catch (e) {
      return memory;
    }
  }
  var memory = [];
  function save(lines) {
    memory = lines;
    try {
      localStorage.setItem(KEY, JSON.stringify(lines));
    } catch (e) {
      // Storage blocked: the cart lasts for this page.
    }
  }
  function count() {
    var el = document.getElementById("cart-count");
    if (el) el.textContent = String(load().length);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.add[data-shelfwise-add-to-cart]");
    if (!button) return;
    var lines = load().filter(function (l) { return l.id !== button.dataset.shelfwiseAddToCart; });
    lines.push({
      id: button.dataset.shelfwiseAddToCart,
      name: button.dataset.name || "",
      category: button.dataset.shelfwiseCategory || "",
      price: Number(button.dataset.shelfwisePrice || 0),
    });
    save(lines);
    count();
    button.textContent = "Added ✓";
  });

  function renderCart() {
    var box = document.getElementById("cart");
    if (!box) return;
    box.replaceChildren();
    var lines = load();
    if (!lines.length) {
      var empty = document.createElement("p");
      empty.textContent = "Your cart is empty.";
      box.appendChild(empty);
    }
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.className = "line";
      var label = document.createElement("span");
      label.textContent = line.name + " — $" + line.price.toFixed(2);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.addEventListener("click", function () {
        save(load().filter(function (l) { return l.id !== line.id; }));
        if (window.shelfwise && window.shelfwise.track) {
          window.shelfwise.track("Product Removed", { product_id: line.id });
        }
        renderCart();
        count();
      });
      row.appendChild(label);
      row.appendChild(remove);
      box.appendChild(row);
    });
  }

  var form = document.getElementById("checkout");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var lines = load();
      var value = lines.reduce(function (sum, l) { return sum + l.price; }, 0);
      window.dataLayer.push({
        event: "purchase",
        ecommerce: {
          transaction_id: "T" + Date.now(),
          value: value,
          currency: "USD",
          items: lines.map(function (l) {
            return { item_id: l.id, item_category: l.category, price: l.price, quantity: 1 };
          }),
        },
      });
      save([]);
      renderCart();
      count();
      form.hidden = true;
      document.getElementById("thanks").hidden = false;
    });
  }

  renderCart();
  count();
})();
