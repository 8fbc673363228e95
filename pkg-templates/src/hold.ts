// The anti-flicker hold: widgets, banners and targeted elements are hidden
// (never the page) until they are decided, and nothing the shopper may have
// seen changes.
//
// Decided means `data-shelfwise-state` is set (`personalized` or `merchant`
// for widgets and banners, `shown` or `hidden` for targeted elements); the
// hold's one style sheet hides the undecided ones. The README's CSS rules
// hide them before this script runs, on pages that want them all decided
// by Shelfwise.

/**
 * Targeted elements outside banners (a banner picks among its own children,
 * see the runtime's `pickBanners`).
 */
export const TARGETED = "[data-shelfwise-when]:not([data-shelfwise-banner]>*)";

/** Markup that needs the targeting module (`target.ts`): rules, and the shopper's controls. */
export const TARGETING_MARKUP = "[data-shelfwise-when],[data-shelfwise-preference],[data-shelfwise-less]";

/** Every element the hold decides, not decided yet. */
const UNDECIDED = `[data-shelfwise-widget]:not([data-shelfwise-state]),[data-shelfwise-banner]:not([data-shelfwise-state]),${TARGETED}:not([data-shelfwise-state])`;
const HOLD_RULE = `${UNDECIDED}{visibility:hidden!important}`;

/** How far from the viewport an element counts as near the view: one viewport height above and below. */
const NEAR_VIEW = "100% 0px";

/** One page's hold. */
export class Hold {
  private sheet: CSSStyleSheet | null = null;
  private expired = false;
  /** Marks undecided widgets and banners final as they near the view, once the hold has expired. */
  private undecided: IntersectionObserver | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Holds the widgets until they are in final order or `timeout` ms have
   * passed, then shows the rest in the merchant's order.
   *
   * Whether the page has painted cannot be known from here: Chromium
   * reports paint timing only after the frame is on screen, and an async
   * script may run after any number of frames. So the question is asked of
   * each widget instead, at this moment: one the shopper may see now (in
   * the viewport, not hidden, the page visible and its head stylesheets
   * in — see {@link pageShown}) is final in the merchant's
   * order at once; every other one, and every one parsed later, is hidden by
   * the hold's style sheet from now until it is decided — hiding what is
   * already hidden or out of view shows nothing. A page that hides its
   * widgets with its own CSS (see the README) has them all personalized.
   * The timeout ends that hold too, since it marks every widget with its
   * state.
   */
  start(timeout: number): void {
    if (!(timeout > 0)) return;
    if (pageShown()) {
      for (const element of undecided()) {
        if (maySee(element)) fallBack(element, true);
      }
    }
    try {
      if ("adoptedStyleSheets" in document && typeof CSSStyleSheet === "function") {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(HOLD_RULE);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        this.sheet = sheet;
      }
    } catch {
      this.sheet = null;
    }
    this.timer = setTimeout(() => this.expire(), timeout);
  }

  /**
   * A widget (or banner) may change only if the shopper cannot have seen it
   * yet. While the hold's style sheet is on, every undecided one has been
   * hidden since before it could be seen (see {@link start}). Without the
   * sheet, one in view and not hidden may have been seen. After the hold,
   * only those still undecided far out of view may change.
   */
  mayMove(element: Element): boolean {
    if (this.expired) return !nearView(element);
    return this.sheet !== null || !pageShown() || !maySee(element);
  }

  /** Decides every element not decided yet as the page is without Shelfwise; nothing stays undecided. */
  settle(): void {
    for (const element of undecided()) fallBack(element, false);
    this.undecided?.disconnect();
    this.undecided = null;
  }

  /** Takes the hold's style sheet off (what is decided shows as decided). */
  release(): void {
    const sheet = this.sheet;
    this.sheet = null;
    if (sheet) {
      try {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
      } catch {
        // Nothing to release.
      }
    }
  }

  /** Ends everything: the timer, the watch on undecided elements, the sheet. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.undecided?.disconnect();
    this.undecided = null;
    this.release();
  }

  /**
   * The hold's end. Widgets and banners in or near the view show the
   * merchant's order from now on. Those further down stay undecided: out of
   * sight, they can still be personalized when Shelfwise gets ready (a slow
   * CMP, a slow model), and each becomes final in the merchant's order as
   * it nears the view, before the shopper can see it.
   */
  private expire(): void {
    this.timer = null;
    this.expired = true;
    const far = undecided().filter((element) => {
      if (!nearView(element)) return true;
      fallBack(element, false);
      return false;
    });
    if (far.length > 0 && typeof IntersectionObserver === "function") {
      const observer = new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (!entry.isIntersecting) continue;
            observer.unobserve(entry.target);
            if (!entry.target.hasAttribute("data-shelfwise-state")) fallBack(entry.target, false);
          }
        },
        { rootMargin: NEAR_VIEW },
      );
      for (const element of far) observer.observe(element);
      this.undecided = observer;
    } else {
      this.settle();
    }
    this.release();
  }
}

/**
 * Decides a targeted element: shown, or hidden keeping its box (so that
 * nothing around it moves: no layout shift). `data-shelfwise-state` says
 * which (`shown`, `hidden`).
 */
export function decide(element: Element, show: boolean): void {
  element.setAttribute("data-shelfwise-state", show ? "shown" : "hidden");
  if (!show && element instanceof HTMLElement) element.style.setProperty("visibility", "hidden", "important");
}

/** Every widget, banner and targeted element not decided yet. */
function undecided(): Element[] {
  return Array.from(document.querySelectorAll(UNDECIDED));
}

/**
 * Decides `element` as the page is without Shelfwise: a widget or banner as
 * the merchant wrote it, a targeted element hidden — unless the shopper may
 * have `seen` it, which is then left shown.
 */
function fallBack(element: Element, seen: boolean): void {
  if (element.matches(TARGETED)) decide(element, seen);
  else element.setAttribute("data-shelfwise-state", "merchant");
}

/** Whether `element` is within {@link NEAR_VIEW} of the viewport (where a scroll may show it any moment). */
function nearView(element: Element): boolean {
  const rect = element.getBoundingClientRect();
  const height = window.innerHeight;
  return rect.bottom > -height && rect.top < 2 * height;
}

/**
 * Whether the page may be on the shopper's screen: it is visible, and no
 * stylesheet of the head is still loading — until they are in, the browser
 * paints nothing (an async script may run before), and the rule they may
 * hold (the README's) is not in the computed style yet.
 */
function pageShown(): boolean {
  return document.visibilityState === "visible" && !Array.from(document.querySelectorAll<HTMLLinkElement>("head link[rel=stylesheet]")).some((link) => !link.sheet);
}

/**
 * Whether the shopper may see `element` now, on a page that may be on
 * screen ({@link pageShown}): it is not hidden and has a box in the
 * viewport.
 */
function maySee(element: Element): boolean {
  if (getComputedStyle(element).visibility === "hidden") return false;
  const rect = element.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < window.innerHeight && rect.right > 0 && rect.left < window.innerWidth;
}
