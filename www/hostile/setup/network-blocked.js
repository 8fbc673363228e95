// An ad blocker or a locked-down page: fetch rejects, sendBeacon throws.
window.fetch = () => Promise.reject(new TypeError("Failed to fetch (blocked)"));
navigator.sendBeacon = () => {
  throw new Error("sendBeacon is disabled here");
};
