// The script-tag build: `<script async src=".../shelfwise.js" data-model="...">`.
//
// Reads its own `data-` attributes, loads `shelfwise_bg.wasm` from its own
// directory, replays calls queued in a `window.shelfwise = []` snippet, and
// exposes `window.shelfwise`. Included twice, the second copy does nothing.

import { Runtime } from "./runtime.js";
import type { ConsentState, ExitSensitivity, InitOptions, TcfPurposes } from "./types.js";

type Api = Record<string, unknown> & { __shelfwise?: true };

/** The wasm's SRI hash, written in by `cargo xtask dist`: the script tag's own `integrity` then covers the wasm too. */
declare const __SHELFWISE_WASM_INTEGRITY__: string;

const script = document.currentScript as HTMLScriptElement | null;

function options(runtime: Runtime): InitOptions {
  const data = script?.dataset ?? {};
  const number = (name: string, value: string | undefined, min: number, max: number): number | undefined => {
    if (value === undefined || value === "") return undefined;
    const n = Number(value);
    if (Number.isFinite(n) && n >= min && n <= max) return n;
    runtime.warnOnce(`attr-${name}`, `shelfwise: data-${name}="${value}" is not a number from ${min} to ${max}; ignored`);
    return undefined;
  };
  // One of `allowed`, or nothing; a value that is none of them warns that
  // `allowed[0]` is used instead.
  const choice = <T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined => {
    if (value === undefined || value === "") return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    runtime.warnOnce(`attr-${name}`, `shelfwise: data-${name}="${value}" is not one of ${allowed.join(", ")}; using ${allowed[0]}`);
    return undefined;
  };
  // A consent state that is not one is taken as pending: nothing is kept or sent until the page says.
  const consent = data.consent === undefined ? undefined : (choice<ConsentState>("consent", data.consent, ["pending", "granted", "denied"]) ?? "pending");
  return {
    model: data.model || undefined,
    modelIntegrity: data.modelIntegrity || undefined,
    prefetch: data.prefetch !== "off",
    segment: data.segment !== "ignore",
    collector: data.collector || undefined,
    holdout: number("holdout", data.holdout, 0, 1),
    holdoutDays: number("holdout-days", data.holdoutDays, 1, 365),
    consentTimeout: number("consent-timeout", data.consentTimeout, 0, 30000),
    gpc: data.gpc === "ignore" ? "ignore" : undefined,
    tcfPurposes: choice<TcfPurposes>("tcf-purposes", data.tcfPurposes, ["auto", "publisher", "global"]),
    sensitiveCategories: data.sensitiveCategories
      ?.split(",")
      .map((c) => c.trim())
      .filter(Boolean),
    consent,
    holdTimeout: number("hold-timeout", data.holdTimeout, 0, 10000),
    retentionDays: number("retention-days", data.retentionDays, 1, 400),
    debug: data.debug !== undefined && data.debug !== "false",
    exitIntent: choice<ExitSensitivity>("exit-intent", data.exitIntent, ["medium", "low", "high", "off"]),
    popup: data.popupTitle
      ? {
          title: data.popupTitle,
          cartTitle: data.popupCartTitle || undefined,
          body: data.popupBody || undefined,
          cta: data.popupCta && data.popupUrl ? { label: data.popupCta, url: data.popupUrl } : undefined,
          image: data.popupImage || undefined,
          closeLabel: data.popupClose || undefined,
          when: data.popupWhen || undefined,
        }
      : undefined,
  };
}

function wasmUrl(): URL {
  const src = script?.src || document.querySelector<HTMLScriptElement>("script[src*='shelfwise']")?.src || location.href;
  return new URL("shelfwise_bg.wasm", src);
}

function install(): void {
  const global = window as unknown as { shelfwise?: Api | unknown[] };
  const existing = global.shelfwise;
  if (existing && !Array.isArray(existing) && existing.__shelfwise) return; // included twice
  const snippet = Array.isArray(existing) ? existing.slice() : [];
  // Code only some pages need is fetched from beside the script when a page needs it.
  const chunk = (name: string) => import(new URL(name, wasmUrl()).href);
  const runtime = new Runtime(
    {
      popup: () => chunk("shelfwise-popup.js"),
      outbox: () => chunk("shelfwise-outbox.js"),
      exitWatch: () => chunk("shelfwise-exit.js"),
      target: () => chunk("shelfwise-target.js"),
    },
    __SHELFWISE_WASM_INTEGRITY__,
  );
  const api: Api = {
    __shelfwise: true,
    init: (o?: InitOptions) => runtime.init({ ...options(runtime), ...(o ?? {}) }, wasmUrl()),
    track: (name: string, props?: Record<string, unknown>) => runtime.track(name, props),
    rank: (ids: readonly string[], o?: object) => runtime.rank(ids, o),
    recommend: (o?: object) => runtime.recommend(o),
    reorder: (el: Element) => runtime.reorder(el),
    onExitIntent: (cb: () => void) => runtime.onExitIntent(cb),
    setConsent: (s: ConsentState) => runtime.setConsent(s),
    segments: () => runtime.segments(),
    setPreference: (key: string, value: string) => runtime.setPreference(key, value),
    clearPreference: (key: string) => runtime.clearPreference(key),
    forget: () => runtime.forget(),
    export: () => runtime.exportData(),
    flush: () => runtime.flush(),
    destroy: () => runtime.destroy(),
  };
  Object.defineProperty(window, "shelfwise", { value: Object.freeze(api), configurable: true, writable: false });
  void runtime.init(options(runtime), wasmUrl());
  for (const call of snippet) {
    if (!Array.isArray(call) || typeof call[0] !== "string") continue;
    const method = api[call[0]];
    if (typeof method === "function" && call[0] !== "init") {
      try {
        (method as (...args: unknown[]) => unknown)(...call.slice(1));
      } catch {
        // Arguments the method rejects are dropped, like any bad call.
      }
    }
  }
}

try {
  install();
} catch (error) {
  try {
    console.warn(`shelfwise: could not start (${String(error)})`);
  } catch {
    // No console.
  }
}
