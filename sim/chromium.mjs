// Driving Chromium over the demo store, for the shopper simulator and the
// end-to-end tests alike.

import { chromium } from "playwright-core";

/**
 * Headless Debian Chromium with the flags this machine needs: no sandbox as
 * root, no GPU, none of Chromium's own network traffic. `CHROMIUM` names
 * another binary.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Passes every store page the context loads (`.html` and `/`) through `edit(html)`: script-tag settings of a test or a simulation. */
export function editPages(context, edit) {
  // By path, so that a page opened with a query (`?utm_medium=email`) is edited too.
  return context.route((url) => /\.html$|\/$/.test(url.pathname), async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: edit(await response.text()) });
  });
}
