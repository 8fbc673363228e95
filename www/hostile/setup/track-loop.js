// A page stuck in a loop sends 10,000 events as soon as Shelfwise is there.
(function send() {
  if (!window.shelfwise || !window.shelfwise.track) return setTimeout(send, 10);
  for (let i = 0; i < 10000; i++) window.shelfwise.track("Product Viewed", { product_id: "loop-" + i });
  window.__looped = true;
})();
