// Lighthouse's mobile network for the browser benchmarks, and a count of
// the model files a page fetches through it.

/** Lighthouse's mobile preset: 150 ms RTT, 1.6 Mbps down, 750 kbps up. */
export const SLOW_MOBILE = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

/**
 * A new context's page on {@link SLOW_MOBILE}, with an empty cache. The
 * returned `files` maps each request `isModelFile(url)` accepted, while
 * `counting.on` is true, to the bytes it took on the network.
 */
export async function slowMobilePage(browser, isModelFile, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_MOBILE);
  const counting = { on: false };
  const files = new Map();
  cdp.on("Network.requestWillBeSent", (e) => {
    if (counting.on && isModelFile(e.request.url)) files.set(e.requestId, 0);
  });
  cdp.on("Network.loadingFinished", (e) => {
    if (files.has(e.requestId)) files.set(e.requestId, e.encodedDataLength);
  });
  return { context, page, counting, files };
}

/** Files that reached the network, and their bytes, of a {@link slowMobilePage}'s `files`. */
export function fetched(files) {
  const sizes = [...files.values()].filter((n) => n > 0);
  return { files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}
