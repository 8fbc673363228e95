// Another analytics script wraps fetch and sendBeacon, counting calls.
window.__wrapped = { fetch: 0, beacon: 0 };
const originalFetch = window.fetch;
window.fetch = function (...args) {
  window.__wrapped.fetch++;
  return originalFetch.apply(this, args);
};
const originalBeacon = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (...args) => {
  window.__wrapped.beacon++;
  return originalBeacon(...args);
};
