// The exit-intent pop-up: built from the merchant's template with element
// construction and `textContent` only (no HTML parsing, so product names
// and template text can never run script), styled through the CSSOM (no
// style attributes, so a strict `style-src` does not block it), accessible
// (a modal dialog with a focus trap, Esc and a close button, focus given
// back) and without layout shift (a fixed overlay; the scroll lock keeps
// the scrollbar's width).

import type { PopupOptions } from "./types.js";

/** The shown pop-up's handle. */
export interface OpenPopup {
  /** Closes the pop-up (also on Esc, the close button and the backdrop). */
  close(): void;
}

/** Only http(s) links, resolved against the page: anything else is dropped. */
export function safeUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const resolved = new URL(url, location.href);
    return resolved.protocol === "https:" || resolved.protocol === "http:" ? resolved.href : null;
  } catch {
    return null;
  }
}

/**
 * Shows the pop-up. `cartItem` names a product left in the cart, for the
 * cart-aware title; `onClose` runs once, with whether the call to action
 * was followed.
 */
export function showPopup(options: PopupOptions, cartItem: string | null, onClose: (converted: boolean) => void): OpenPopup {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const root = document.documentElement;
  const lock = { overflow: root.style.overflow, paddingRight: root.style.paddingRight };
  const scrollbar = window.innerWidth - root.clientWidth;

  const backdrop = element("div", {
    position: "fixed", inset: "0", zIndex: "2147483647", background: "rgba(0,0,0,.45)",
    display: "flex", alignItems: "center", justifyContent: "center", padding: "16px",
  });
  backdrop.setAttribute("data-shelfwise-popup", "");
  const dialog = element("div", {
    background: "#fff", color: "#111", borderRadius: "8px", maxWidth: "420px", width: "100%",
    padding: "24px", boxShadow: "0 8px 32px rgba(0,0,0,.3)", position: "relative", font: "16px/1.4 system-ui, sans-serif",
  });
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.tabIndex = -1;

  const title = element("h2", { margin: "0 80px 12px 0", fontSize: "20px" });
  title.id = `shelfwise-popup-title-${Math.random().toString(36).slice(2)}`;
  title.textContent = cartItem && options.cartTitle ? options.cartTitle.split("{item}").join(cartItem) : options.title;
  dialog.setAttribute("aria-labelledby", title.id);

  // The button shows its name ("Close ×"), so that what a voice-control
  // user reads is what they can say; the "×" is decoration, hidden from the
  // accessibility tree.
  const close = element("button", {
    position: "absolute", top: "8px", right: "8px", border: "0", background: "transparent", color: "inherit",
    font: "inherit", fontSize: "14px", lineHeight: "24px", cursor: "pointer", padding: "4px 8px",
    display: "inline-flex", alignItems: "center", gap: "4px",
  }) as HTMLButtonElement;
  close.type = "button";
  const cross = element("span", { fontSize: "22px", lineHeight: "24px" });
  cross.setAttribute("aria-hidden", "true");
  cross.textContent = "×";
  close.append(options.closeLabel ?? "Close", cross);
  dialog.append(close, title);

  const image = safeUrl(options.image);
  if (image) {
    const img = element("img", { maxWidth: "100%", display: "block", margin: "0 0 12px" }) as HTMLImageElement;
    img.src = image;
    img.alt = "";
    dialog.append(img);
  }
  if (options.body) {
    const body = element("p", { margin: "0 0 16px" });
    body.textContent = options.body;
    dialog.append(body);
  }
  const target = safeUrl(options.cta?.url);
  let cta: HTMLAnchorElement | null = null;
  if (options.cta && target) {
    cta = element("a", {
      display: "inline-block", background: "#111", color: "#fff", padding: "10px 18px",
      borderRadius: "6px", textDecoration: "none",
    }) as HTMLAnchorElement;
    cta.href = target;
    cta.textContent = options.cta.label;
    dialog.append(cta);
  }
  backdrop.append(dialog);

  let open = true;
  const finish = (converted: boolean) => {
    if (!open) return;
    open = false;
    document.removeEventListener("keydown", onKey, true);
    backdrop.remove();
    root.style.overflow = lock.overflow;
    root.style.paddingRight = lock.paddingRight;
    try {
      previous?.focus({ preventScroll: true });
    } catch {
      // The element may be gone.
    }
    onClose(converted);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      finish(false);
    } else if (event.key === "Tab") {
      // The focus stays inside the dialog.
      const focusable = [close, ...(cta ? [cta] : [])];
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      const active = document.activeElement;
      if (event.shiftKey && (active === first || !dialog.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    }
  };
  close.addEventListener("click", () => finish(false));
  backdrop.addEventListener("click", (event) => {
    if (event.target === backdrop) finish(false);
  });
  cta?.addEventListener("click", () => finish(true));
  document.addEventListener("keydown", onKey, true);

  // Scroll lock without a jump: the scrollbar's room is kept as padding.
  root.style.overflow = "hidden";
  if (scrollbar > 0) root.style.paddingRight = `${scrollbar}px`;
  document.body.append(backdrop);
  close.focus({ preventScroll: true });
  return { close: () => finish(false) };
}

function element(tag: string, style: Partial<CSSStyleDeclaration>): HTMLElement {
  const el = document.createElement(tag);
  Object.assign(el.style, style);
  return el;
}
