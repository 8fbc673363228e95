// The Shelfwise runtime shared by the npm package and the script-tag build.
//
// It owns everything that is about the page's life rather than about the
// shopper: loading the wasm and the model, queueing calls made before they
// are ready, the anti-flicker hold, the dataLayer hook and the markup
// listeners. Every entry point is guarded: an unexpected exception (a wasm
// trap included) disables Shelfwise for the page, restores the merchant's
// order and logs one warning. Nothing is ever thrown into the host page.

import initWasm, { Engine, ExitInput, rankReasons, type Shown } from "./wasm/shelfwise.js";
import type { watchExitIntent } from "./exit-watch.js";
import type { Outbox } from "./outbox.js";
import { type Decision, globalPrivacyControl, listenToTcf, tcfApi } from "./consent.js";
import type { OpenPopup, showPopup } from "./popup.js";
import { SEPARATOR } from "./boundary.js";
import { Hold, TARGETED, TARGETING_MARKUP } from "./hold.js";
import type * as Target from "./target.js";
import { dropCache, fetchModel, fileEntries, loadFiles } from "./model.js";

/**
 * Where the code a page may not need comes from: bundled for npm, files
 * beside the script for the script tag (fetched only by a page that uses them).
 */
export interface Chunks {
  /** The exit-intent pop-up, the first time one shows. */
  popup: () => Promise<{ showPopup: typeof showPopup }>;
  /** Beacon delivery, on a page with a collector that may measure. */
  outbox: () => Promise<{ Outbox: typeof Outbox }>;
  /** The exit-intent listeners, once the page has a pop-up or an `onExitIntent` callback. */
  exitWatch: () => Promise<{ watchExitIntent: typeof watchExitIntent }>;
  /** Targeting, on a page with targeting rules or preference controls in its markup. */
  target: () => Promise<typeof Target>;
}
import type {
  ConsentState,
  ExitIntentEvent,
  InitOptions,
  InitResult,
  RankedItem,
  RankOptions,
  RankReason,
  RecommendOptions,
  NotStarted,
  ShelfwiseExport,
} from "./types.js";

type State = "idle" | "loading" | "ready" | "disabled";

const MAX_QUEUE = 1000;
const DEFAULT_CONSENT_TIMEOUT_MS = 1000;
const EVENT_BURST = 200;
const EVENT_RATE = 20;
const DEFAULT_HOLD_MS = 300;
/** Where the engine stores the profile (the core's `PROFILE_KEY`). */
const PROFILE_KEY = "shelfwise:v1:profile";
/** How long a sharded model's files may take, all rounds together. */
const FILES_TIMEOUT_MS = 3000;
/**
 * How long a task of the start may run before the next widget waits for a
 * task of its own: Lighthouse's mobile preset counts each task four times
 * over, and blocking time begins at 50 ms.
 */
const TASK_BUDGET_MS = 5;
const MAX_NAMES = 30;

/** The runtime behind the exported functions: one per page. */
export class Runtime {
  private state: State = "idle";
  private engine: Engine | null = null;
  private queue: Array<(engine: Engine) => void> = [];
  private warned = new Set<string>();
  private started: Promise<InitResult> | null = null;
  private options: InitOptions = {};
  private consent: ConsentState = "granted";
  private cleanups: Array<() => void> = [];
  private hold = new Hold();
  private exitCallbacks: Array<(event: ExitIntentEvent) => void> = [];
  /** Exit-intent detection started (or could not): it starts once, when something uses it. */
  private exitStarted = false;
  private popup: OpenPopup | null = null;
  /** The targeting module for this page (see {@link loadTargeting}). */
  private targeting: Promise<typeof Target | null> = Promise.resolve(null);
  /**
   * Targeted content whose rule holds (shown, or held out) and the
   * merchant's variant it reports: targeted elements, and banners showing
   * (or in the holdout, withholding) a targeted variant.
   */
  private readonly variants = new Map<Element, string>();
  /** The exposure observer, once widgets are decided (see {@link watchExposures}). */
  private exposures: IntersectionObserver | null = null;
  private popupPending = false;
  private outbox: Outbox | null = null;
  /** Beacon delivery is on for this page: its code is loaded ({@link outbox}) or loading. */
  private delivering: Promise<Outbox | null> | null = null;
  private holdout = false;
  /** Measurement (beacons) allowed by the consent signal (a CMP may allow personalization and not measurement). */
  private measure = true;
  private tokens = EVENT_BURST;
  private tokensAt = Date.now();
  /** The browser sends Global Privacy Control and the merchant honours it: no beacons. */
  private gpc = false;
  /** Resolves when the model has loaded or failed (or Shelfwise stopped): answers wait for it. */
  private modelSettled: () => void = () => {};
  /** Answers, with their fallback, the requests still queued when Shelfwise stops. */
  private abandoned = new Set<() => void>();
  private modelReady = new Promise<void>((resolve) => (this.modelSettled = resolve));

  /**
   * `chunks`: where the code some pages need comes from;
   * `wasmIntegrity`: an SRI hash the wasm must match (the script tag's build).
   */
  constructor(
    private readonly chunks: Chunks,
    private readonly wasmIntegrity = "",
  ) {}
  /** Product names seen in tracked events, for the cart-aware pop-up. */
  private names = new Map<string, string>();
  /** How each widget and banner this page decided is shown; those the hold decided are not here. */
  private shownAs = new WeakMap<Element, Shown>();

  /** Whether Shelfwise stopped for this page (destroyed, or after a failure). */
  private get disabled(): boolean {
    return this.state === "disabled";
  }

  /** Starts Shelfwise with the wasm at `wasmUrl`; later calls return the first call's promise. */
  init(options: InitOptions, wasmUrl: string | URL): Promise<InitResult> {
    // On a server rendering the page there is nothing to personalize, and
    // nothing to fetch or warn about: the page personalizes in the browser.
    if (typeof document === "undefined") {
      return Promise.resolve({ personalized: false, persistent: false, modelItems: 0, warning: "no DOM" });
    }
    if (!this.started) {
      this.started = this.start(options, options.wasmUrl ?? wasmUrl).catch((error) => {
        this.disable("could not start", error);
        return { personalized: false, persistent: false, modelItems: 0, warning: String(error) };
      });
    }
    return this.started;
  }

  /** Starts Shelfwise in a browser (see {@link init}): everything it calls may use the DOM. */
  private async start(options: InitOptions, wasmUrl: string | URL): Promise<InitResult> {
    this.options = options;
    this.state = "loading";
    this.gpc = options.gpc !== "ignore" && globalPrivacyControl();
    let consent = options.consent;
    // The wasm compiles while a CMP decides: it is needed whatever the answer
    // (without consent the profile still lives in memory for the page).
    const wasmFailure = this.startWasm(wasmUrl);
    // The page's script evaluation ends here, the wasm's fetch started: the
    // rest is the next task's. The hold asks each widget whether the shopper
    // may see it when it starts, so a frame the browser draws in between
    // only makes more of them final in the merchant's order, never moves one.
    if (!(await this.endTask())) return destroyed();
    // The hold, unless the merchant already said no: a CMP that answers
    // from its stored choice leaves the widgets hidden, not moved.
    const held = options.model || document.querySelector(TARGETING_MARKUP);
    if (held && consent !== "pending" && consent !== "denied") {
      // What only the shopper's history could reorder, on a new shopper's
      // page, is final at once rather than held for the engine to say so:
      // the page's largest picture is often in it.
      for (const widget of historyOnly()) this.markShown(widget, "no-history");
      this.hold.start(options.holdTimeout ?? DEFAULT_HOLD_MS);
    }
    this.targeting = this.fetchChunks(Boolean(options.collector));
    const tcf = consent === undefined ? tcfApi() : null;
    if (tcf) {
      // A CMP decides, unless the merchant already said: until it answers,
      // nothing is stored or sent; no answer in time means denied.
      const listener = listenToTcf(tcf, options.consentTimeout ?? DEFAULT_CONSENT_TIMEOUT_MS, options.tcfPurposes ?? "auto", (d) => this.decided(d));
      this.cleanups.push(listener.stop);
      const first = await listener.first;
      consent = first.consent;
      this.measure = first.measure;
      if (this.disabled) return destroyed();
    }
    this.consent = consent ?? "granted";
    const wantModel = Boolean(options.model) && this.consent === "granted";
    const model = wantModel ? this.loadModelBytes(options.model as string, options.modelIntegrity) : Promise.resolve(null);

    const failure = await wasmFailure;
    if (failure) {
      this.disable("WebAssembly could not start (blocked by a Content-Security-Policy without 'wasm-unsafe-eval', the .wasm file failed to load, or it did not match its integrity hash)", failure.error);
      return { personalized: false, persistent: false, modelItems: 0, warning: "wasm unavailable" };
    }
    // Instantiating the wasm (from the browser's code cache, on a warm
    // load) was this task's work.
    if (!(await this.endTask())) return destroyed();
    const engine = new Engine(this.consent === "granted", options.retentionDays ?? 0);
    this.engine = engine;
    // Opening the profile, the experiment and the page's record are a task
    // each: with wasm run as a debugger's code (as Lighthouse runs it), each
    // is several milliseconds.
    if (!(await this.endTask())) return destroyed();
    // The page's record (its products, its type) is read from its markup:
    // on a page still arriving, once the parser has all of it (everything
    // below, the widgets too, then runs on the whole page).
    await domReady();
    if (this.disabled) return destroyed();
    if (this.measured) this.holdout = this.guard(() => engine.startExperiment(options.holdout, options.holdoutDays ?? 0, pageType())) === true;
    this.guard(() => this.endUnmeasured(engine));
    this.startBeacons(engine);
    const sensitive = Array.isArray(options.sensitiveCategories) ? options.sensitiveCategories.filter((c) => typeof c === "string") : [];
    if (sensitive.length > 0) this.guard(() => engine.setSensitiveCategories(sensitive.join(SEPARATOR)));
    if (!(await this.endTask())) return destroyed();
    this.guard(() => engine.trackPage(timeZone()));
    if (!(await this.endTask())) return destroyed();
    // Ready with the queue's replay, so that calls run in the order made.
    this.state = "ready";
    this.beacon("page_view");
    this.hookDataLayer();
    if (options.segment !== false) this.hookSegment();
    this.listenToMarkup();
    this.restoreNames(engine);
    this.startExitIntent(engine);
    for (const call of this.queue.splice(0)) this.guard(() => call(engine));
    // Targeting needs the profile, not the model: decided as soon as the page is parsed.
    void this.targeting.then((target) => target && this.guard(() => this.target(target, engine)));

    let warning: string | undefined;
    let modelItems = 0;
    // Each step below is a task of its own, so that none is a long task on a slow phone.
    if (!(await this.endTask())) return destroyed();
    const bytes = await model;
    if (bytes && this.engine) {
      try {
        modelItems = engine.loadModel(bytes);
      } catch (error) {
        warning = `model rejected: ${(error as Error).message}`;
        this.warnOnce("model", `shelfwise: the model at ${options.model} was rejected (${(error as Error).message}); widgets keep the merchant's order`);
      }
      // In the same task: a whole model wants no file, and settles before
      // a call's wait for it can end (and answer without a model it has).
      if (modelItems > 0) await this.loadFiles(engine, false);
    } else if (wantModel) {
      warning = "model unavailable";
    }
    this.modelSettled();
    if (this.disabled) return destroyed();
    const target = await this.targeting;
    if (!(await this.endTask()) || !(await this.reorderAll())) return destroyed();
    this.pickBanners(target);
    this.hold.settle();
    this.hold.release();
    this.watchExposures();
    if (modelItems > 0 && options.prefetch !== false && !saveData()) whenIdle(() => void this.loadFiles(engine, true));
    const ready = this.engine !== null;
    return {
      arm: this.holdout ? "holdout" : "personalized",
      personalized: ready && modelItems > 0 && this.consent === "granted" && !this.holdout,
      persistent: ready && this.guard(() => engine.isPersistent()) === true,
      modelItems,
      warning,
    };
  }

  /**
   * Ends the current task (see {@link nextTask}); resolves `false` when the
   * page destroyed Shelfwise meanwhile, and nothing more may be started.
   */
  private async endTask(): Promise<boolean> {
    await nextTask();
    return !this.disabled;
  }

  /** Fetches and instantiates the wasm; resolves with what went wrong, never rejects. */
  private async startWasm(wasmUrl: string | URL): Promise<{ error: unknown } | null> {
    try {
      const source = this.wasmIntegrity ? fetch(wasmUrl, { integrity: this.wasmIntegrity }) : wasmUrl;
      await initWasm({ module_or_path: source });
      return null;
    } catch (error) {
      return { error };
    }
  }

  /** {@link fetchModel}, warning once when it fails. */
  private async loadModelBytes(url: string, integrity: string | undefined): Promise<Uint8Array | null> {
    try {
      return await fetchModel(url, integrity);
    } catch (error) {
      this.warnOnce("model", `shelfwise: the model at ${url} could not be loaded (${(error as Error).message}); widgets keep the merchant's order`);
      return null;
    }
  }

  /**
   * A sharded model's files (see {@link loadFiles}) for this page's seeds,
   * or with `prefetch` for what its widgets show; within
   * {@link FILES_TIMEOUT_MS}, warning once about those that failed (a
   * prefetch is silent: nothing on this page needs it).
   */
  private async loadFiles(engine: Engine, prefetch: boolean): Promise<void> {
    if (this.engine !== engine) return;
    const url = this.options.model as string;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FILES_TIMEOUT_MS);
    // Once Shelfwise is destroyed (its engine freed), nothing more is wanted.
    const live = {
      wantedFiles: (p: boolean) => (this.engine === engine ? engine.wantedFiles(p) : ""),
      addFile: (i: number, bytes?: Uint8Array) => this.engine === engine && engine.addFile(i, bytes),
    };
    try {
      const keep = this.consent === "granted" && engine.isPersistent();
      const failures = await loadFiles(live, this.modelUrl, prefetch, keep, controller.signal);
      if (this.engine !== engine) return;
      if (failures.length > 0 && !prefetch) {
        this.warnOnce("files", `shelfwise: ${failures.length} file(s) of the model at ${url} could not be loaded (${failures[0]}); the items in them are not personalized`);
      }
    } catch (error) {
      this.disable("failed while loading the model's files", error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Where the model's entry file is (a sharded model's other files are beside it). */
  private get modelUrl(): URL {
    return new URL(this.options.model as string, document.baseURI);
  }

  /** Runs `call` now if ready, later if loading, never if disabled. */
  enqueue(call: (engine: Engine) => void): void {
    if (this.state === "ready" && this.engine) {
      const engine = this.engine;
      this.guard(() => call(engine));
      this.pump();
    } else if (this.state !== "disabled") {
      if (this.queue.length >= MAX_QUEUE) {
        this.queue.shift();
        this.warnOnce("queue", `shelfwise: more than ${MAX_QUEUE} calls before Shelfwise was ready; the oldest were dropped`);
      }
      this.queue.push(call);
    }
  }

  /**
   * Like {@link enqueue}, resolving with the call's result (or `fallback`).
   * After `init()` a call waits for the model, at most the hold timeout
   * (then it answers without it, and says so once) unless `model` is
   * false; before `init()`, `fallback` at once and, in a browser, one
   * warning naming the call.
   */
  request<T>(name: string, call: (engine: Engine) => T, fallback: T, model = true): Promise<T> {
    if (this.state === "idle" && typeof document !== "undefined") {
      this.warnOnce("idle", `shelfwise: ${name}() before init() is not personalized; call init() first`);
    }
    if (this.state === "disabled" || this.state === "idle") return Promise.resolve(fallback);
    return (model ? this.waitForModel(name) : Promise.resolve()).then(
      () =>
        new Promise((resolve) => {
          // Still loading after waiting for the model: the wait timed out.
          if (model && this.state === "loading") {
            resolve(fallback);
            return;
          }
          // Queued until the engine runs; destroy() answers it instead.
          const abandon = () => resolve(fallback);
          this.abandoned.add(abandon);
          this.enqueue((engine) => {
            this.abandoned.delete(abandon);
            const result = this.guard(() => call(engine));
            resolve(result === undefined ? fallback : result);
          });
          if (this.disabled) resolve(fallback);
        }),
    );
  }

  /** Resolves when the model has settled, or after the hold timeout with one warning naming `name`. */
  private waitForModel(name: string): Promise<void> {
    const wait = this.options.holdTimeout ?? DEFAULT_HOLD_MS;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.warnOnce("late", `shelfwise: ${name}() waited ${wait} ms for the model and answered without it`);
        resolve();
      }, wait);
      void this.modelReady.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  track(name: string, properties?: Record<string, unknown>): void {
    if (typeof name !== "string" || !this.admit()) return;
    this.enqueue((engine) => {
      engine.track(name, properties ?? {});
      this.rememberNames(engine, properties);
    });
  }

  rank(ids: readonly string[], options: RankOptions = {}): Promise<RankedItem[]> {
    const list = Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : [];
    const merchant: RankedItem[] = list.map((id) => ({ id, score: 0, reason: "merchant" }));
    // Ids travel joined by U+001E; one containing it cannot, so the merchant order stands.
    if (list.some((id) => id.includes(SEPARATOR))) return Promise.resolve(merchant);
    return this.request("rank", (engine) => {
      const packed = engine.rank(list.join(SEPARATOR), options.kind ?? "reorder", options.anchor);
      const because = engine.lastBecause().split(SEPARATOR);
      const out: RankedItem[] = [];
      for (let i = 0; i < packed.length / 3; i++) {
        out.push(item(list[packed[3 * i]], packed[3 * i + 1], packed[3 * i + 2], because[i]));
      }
      return out;
    }, merchant);
  }

  recommend(options: RecommendOptions = {}): Promise<RankedItem[]> {
    const limit = Math.max(0, Math.min(1000, Math.floor(options.limit ?? 10))) || 0;
    return this.request("recommend", (engine) => {
      const packed = engine.recommend(options.kind ?? "reorder", options.anchor, limit, options.includePage === true);
      const ids = engine.lastIds().split(SEPARATOR);
      const because = engine.lastBecause().split(SEPARATOR);
      const out: RankedItem[] = [];
      for (let i = 0; i < packed.length / 2; i++) out.push(item(ids[i], packed[2 * i], packed[2 * i + 1], because[i]));
      return out;
    }, []);
  }

  reorder(element: Element): Promise<boolean> {
    return this.request(
      "reorder",
      (engine) => {
        const shown = engine.reorder(element);
        this.markShown(element, shown);
        return shown === "personalized";
      },
      false,
    );
  }

  setConsent(state: ConsentState): void {
    if (state !== "granted" && state !== "pending" && state !== "denied") {
      this.warnOnce("consent", `shelfwise: setConsent() takes "granted", "pending" or "denied"`);
      return;
    }
    this.consent = state;
    if (state !== "granted") dropCache();
    this.enqueue((engine) => {
      // Measurement withdrawn: the arm goes with it (this page keeps what it shows).
      this.endUnmeasured(engine);
      engine.setPersistent(state === "granted");
      this.startBeacons(engine);
    });
  }

  /** The segment terms that hold for the shopper now (see docs/targeting.md). */
  segments(): Promise<string[]> {
    return this.request("segments", (engine) => engine.segments().split(SEPARATOR).filter(Boolean), [], false);
  }

  setPreference(key: string, value: string): void {
    if (typeof key !== "string" || typeof value !== "string") return;
    this.enqueue((engine) => {
      if (!engine.setPreference(key, value)) this.warnOnce("preference", `shelfwise: setPreference("${key}", …) was refused (a key is letters, digits, _ and -, up to 32; a value up to 200 characters)`);
      this.syncControls(engine);
    });
  }

  clearPreference(key: string): void {
    if (typeof key !== "string") return;
    this.enqueue((engine) => {
      engine.clearPreference(key);
      this.syncControls(engine);
    });
  }

  /** What Shelfwise keeps on this device, as readable data (`{}` when it could not start). */
  exportData(): Promise<ShelfwiseExport | NotStarted> {
    const none: NotStarted = {};
    return this.request<ShelfwiseExport | NotStarted>("export", (engine) => JSON.parse(engine.exportData()) as ShelfwiseExport, none, false);
  }

  /**
   * A token bucket for events from the page (`track`, dataLayer pushes): a
   * burst of {@link EVENT_BURST}, then {@link EVENT_RATE} a second. A page
   * stuck in a loop costs a warning, not the shopper's CPU or the profile.
   */
  private admit(): boolean {
    const now = Date.now();
    this.tokens = Math.min(EVENT_BURST, this.tokens + ((now - this.tokensAt) / 1000) * EVENT_RATE);
    this.tokensAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.warnOnce("rate", `shelfwise: more than ${EVENT_BURST} events at once (${EVENT_RATE}/s after that); the excess is ignored`);
    return false;
  }

  /** A CMP's later decision (the shopper chose, or changed their mind). */
  private decided(decision: Decision): void {
    this.measure = decision.measure;
    this.setConsent(decision.consent);
  }

  forget(): void {
    this.enqueue((engine) => {
      engine.forget();
      dropCache();
      this.outbox?.clear();
      this.syncControls(engine);
    });
  }

  onExitIntent(callback: (event: ExitIntentEvent) => void): () => void {
    if (typeof callback !== "function") return () => {};
    this.exitCallbacks.push(callback);
    if (this.engine) this.startExitIntent(this.engine);
    return () => {
      this.exitCallbacks = this.exitCallbacks.filter((c) => c !== callback);
    };
  }

  /** Sends the queued outcome beacons now; resolves when the collector answered (or could not). */
  flush(): Promise<void> {
    return this.request("flush", async () => (await this.delivering)?.flush(), Promise.resolve(), false).then((sent) => sent);
  }

  destroy(): void {
    this.state = "disabled";
    this.modelSettled();
    this.queue = [];
    for (const abandon of this.abandoned) abandon();
    this.abandoned.clear();
    this.exitCallbacks = [];
    const popup = this.popup;
    this.popup = null;
    popup?.close();
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // The page may have replaced what we hooked; nothing to undo then.
      }
    }
    // What was still undecided shows as the merchant wrote it, also on a
    // page whose own CSS hides undecided widgets (the README's rule); a page
    // Shelfwise never started on (or none: server rendering) is not touched.
    if (this.started) this.hold.settle();
    this.hold.stop();
    this.outbox?.stop();
    this.outbox = null;
    this.delivering = null;
    try {
      this.engine?.free();
    } catch {
      // Already trapped: nothing to free.
    }
    this.engine = null;
  }

  /**
   * Reorders every widget not yet handled, then marks it with how it is
   * shown. A widget that would make the task longer than
   * {@link TASK_BUDGET_MS} waits for the next one (all are held meanwhile);
   * resolves `false` when the page destroyed Shelfwise between two.
   */
  private async reorderAll(): Promise<boolean> {
    const engine = this.engine;
    let began = performance.now();
    for (const widget of Array.from(document.querySelectorAll("[data-shelfwise-widget]:not([data-shelfwise-state])"))) {
      if (performance.now() - began > TASK_BUDGET_MS) {
        if (!(await this.endTask())) return false;
        began = performance.now();
        if (!widget.isConnected || widget.hasAttribute("data-shelfwise-state")) continue;
      }
      const shown = this.unless(widget) ?? (engine ? this.guard(() => engine.reorder(widget)) : undefined) ?? "error";
      if (this.options.debug) console.debug(`shelfwise: widget ${widget.getAttribute("data-shelfwise-widget")} → ${shown}`);
      this.markShown(widget, shown);
    }
    return true;
  }

  /** Why `element` keeps the merchant's order as written whatever the engine says, if it does. */
  private unless(element: Element): Shown | undefined {
    if (this.consent !== "granted") return "consent";
    if (!this.hold.mayMove(element)) return "timeout";
    return undefined;
  }

  /** Marks a widget or banner final (`data-shelfwise-state`), remembering how it is shown for its exposure. */
  private markShown(element: Element, shown: Shown): void {
    this.shownAs.set(element, shown);
    element.setAttribute("data-shelfwise-state", shown === "personalized" ? "personalized" : "merchant");
  }

  /** Learns from GA4 e-commerce pushes, including those made before Shelfwise loaded. */
  private hookDataLayer(): void {
    const w = globalThis as unknown as { dataLayer?: unknown };
    const hook = (): boolean => {
      const layer = w.dataLayer;
      if (!Array.isArray(layer) || (layer as { __shelfwise?: boolean }).__shelfwise) return Array.isArray(layer);
      for (const entry of layer.slice()) this.enqueue((engine) => engine.dataLayer(entry));
      const original = layer.push;
      const runtime = this;
      const hooked = function (this: unknown[], ...entries: unknown[]): number {
        const length = original.apply(this, entries);
        for (const entry of entries) if (runtime.admit()) runtime.enqueue((engine) => engine.dataLayer(entry));
        return length;
      };
      Object.defineProperty(layer, "__shelfwise", { value: true, configurable: true });
      layer.push = hooked;
      this.cleanups.push(() => {
        if (layer.push === hooked) layer.push = original;
        delete (layer as { __shelfwise?: boolean }).__shelfwise;
      });
      return true;
    };
    if (!hook()) this.listen(document, "DOMContentLoaded", () => hook());
  }

  /**
   * Segment's analytics.js, now or once it appears (checked again when the
   * DOM and the page have loaded): its emitter's `track` events feed
   * {@link track}. On the snippet's stub, `on` is a buffered call the
   * library runs before replaying the buffered `track` calls, so those come
   * through too, once each.
   */
  private hookSegment(): void {
    type Analytics = { on?: (event: string, handler: (name: unknown, properties: unknown) => void) => unknown; off?: (event: string, handler: unknown) => unknown };
    let hooked = false;
    const hook = (): void => {
      const analytics = (globalThis as { analytics?: Analytics }).analytics;
      if (hooked || typeof analytics?.on !== "function") return;
      hooked = true;
      const handler = (name: unknown, properties: unknown): void => {
        if (typeof name === "string") this.track(name, properties !== null && typeof properties === "object" ? (properties as Record<string, unknown>) : undefined);
      };
      analytics.on("track", handler);
      this.cleanups.push(() => void analytics.off?.("track", handler));
    };
    hook();
    if (!hooked) {
      this.listen(document, "DOMContentLoaded", hook);
      this.listen(window, "load", hook);
    }
  }

  /**
   * The markup's delegated listeners: `data-shelfwise-add-to-cart` buttons,
   * preference and "not for me" controls, and presses on widgets' cards.
   */
  private listenToMarkup(): void {
    this.listen(document, "click", (event) => {
      const clicked = event.target;
      if (clicked instanceof Element && clicked.closest("[data-shelfwise-preference],[data-shelfwise-less]")) {
        void this.targeting.then((target) => target && this.enqueue((engine) => target.toggle(engine, clicked)));
        return;
      }
      const target = clicked instanceof Element ? clicked.closest("[data-shelfwise-add-to-cart]") : null;
      const id = target?.getAttribute("data-shelfwise-add-to-cart");
      if (!target || !id) return;
      const category = target.getAttribute("data-shelfwise-category") ?? undefined;
      const price = Number(target.getAttribute("data-shelfwise-price") ?? "");
      const name = target.getAttribute("data-shelfwise-name") ?? undefined;
      this.track("Product Added", { product_id: id, name, category, price: Number.isFinite(price) ? price : undefined });
    });
    // A press on a widget's card (a product the shopper is likely opening):
    // a sharded model's next file for it is asked for now, in a request that
    // outlives the page (`keepalive`; unchecked: the page that reads the
    // file checks its integrity), so that it is in the HTTP cache, or on its
    // way, when that product's page asks — a round trip the page's hold no
    // longer waits for. The item is on this page: the request reveals
    // nothing. Never with `prefetch: false`.
    this.listen(document, "pointerdown", ({ target }) => {
      const item = target instanceof Element ? target.closest("[data-shelfwise-widget]>[data-item-id]")?.getAttribute("data-item-id") : null;
      if (!item || this.options.prefetch === false) return;
      for (const [name] of fileEntries(this.engine?.wantedFor(item) ?? "")) {
        fetch(new URL(name, this.modelUrl), { credentials: "omit", keepalive: true }).catch(() => {});
      }
    });
  }

  /**
   * Starts the exit-intent detector, once, when the page uses it (a pop-up
   * or an `onExitIntent` callback): its listeners (passive, removed on
   * destroy) and a one-second tick come from their own module. A trigger
   * the policy allows runs the callbacks and shows the pop-up.
   */
  private startExitIntent(engine: Engine): void {
    if (this.exitStarted || (!this.options.popup && this.exitCallbacks.length === 0)) return;
    this.exitStarted = true;
    const sensitivity = this.options.exitIntent ?? "medium";
    if (sensitivity === "off") return;
    if (!engine.exitStart(sensitivity, window.innerWidth, window.innerHeight)) {
      this.warnOnce("exit", `shelfwise: exitIntent "${String(sensitivity)}" is not low, medium, high or off; exit intent is off`);
      return;
    }
    const hooks = {
      listen: (target: EventTarget, type: string, handler: (event: Event) => void) => this.listen(target, type, handler),
      every: (ms: number, tick: () => void) => {
        const timer = setInterval(() => this.guard(tick), ms);
        this.cleanups.push(() => clearInterval(timer));
      },
    };
    this.chunks.exitWatch().then(
      (module) => {
        if (this.engine === engine) this.guard(() => module.watchExitIntent(engine, ExitInput, hooks, (reason) => this.exitIntent(engine, reason)));
      },
      (error: unknown) => this.warnOnce("exit", `shelfwise: exit intent could not be loaded (${String(error)})`),
    );
  }

  private exitIntent(engine: Engine, reason: ExitIntentEvent["reason"]): void {
    // A pop-up targeted at shoppers its rule does not hold for is not there.
    const popup = this.options.popup?.when && this.popupTarget(engine, this.options.popup.when) === "hide" ? undefined : this.options.popup;
    if (this.popup || this.popupPending || (this.exitCallbacks.length === 0 && !popup)) return;
    // Nothing is shown without consent; the holdout records what it would
    // have seen (for the beacons) and sees nothing.
    const verdict = engine.exitShow(this.consent !== "granted");
    this.pump();
    if (this.options.debug) console.debug(`shelfwise: exit intent (${reason}) → ${verdict}`);
    if (verdict !== "shown") return;
    for (const callback of this.exitCallbacks.slice()) {
      try {
        callback({ reason });
      } catch (error) {
        this.warnOnce("exit-callback", `shelfwise: an onExitIntent callback threw (${String(error)})`);
      }
    }
    if (popup && typeof popup.title === "string") {
      const last = engine.lastCartItem();
      const name = last ? this.names.get(last) ?? null : null;
      this.popupPending = true;
      this.chunks.popup().then(
        (module) => {
          this.popupPending = false;
          if (this.disabled) return;
          this.popup = this.guard(() => module.showPopup(popup, name, (converted) => {
            this.popup = null;
            if (converted) this.beacon("exit_cta");
          })) ?? null;
        },
        (error) => {
          this.popupPending = false;
          this.warnOnce("popup", `shelfwise: the pop-up could not be loaded (${String(error)})`);
        },
      );
    }
  }

  /** What the pop-up's targeting rule decides (an invalid rule warns once and hides it). */
  private popupTarget(engine: Engine, rule: string): string {
    // A rule holding the list separator comes back as two or more: no rule.
    const [target, more] = engine.whenAll(rule);
    if (target !== "invalid" && !more) return target;
    this.warnOnce("rule", `shelfwise: the pop-up's rule "${rule}" is not a rule (${engine.ruleError(rule)}); the pop-up is not shown`);
    return "hide";
  }

  /**
   * Beacons flow when the page is {@link measured}; otherwise nothing is
   * queued, and what was is erased.
   */
  private startBeacons(engine: Engine): void {
    const url = this.options.collector;
    this.guard(() => engine.setBeacons(this.measured));
    if (!this.measured || !url) {
      this.outbox?.clear();
      return;
    }
    if (this.delivering) return;
    // Until the delivery code is here, the engine keeps the beacons.
    const delivering = this.chunks.outbox().then(
      ({ Outbox }) => {
        if (this.delivering !== delivering) return null; // destroyed meanwhile
        const keeper = {
          get: () => this.guard(() => this.engine?.kept("outbox")) ?? null,
          set: (text: string | null) => void this.guard(() => this.engine?.keep("outbox", text ?? "")),
        };
        const outbox = new Outbox(url, keeper, (kind, message) => this.warnOnce(kind, message));
        this.outbox = outbox;
        this.listen(document, "visibilitychange", () => {
          if (document.visibilityState === "hidden") outbox.flushOnHide();
        });
        this.listen(window, "pagehide", () => outbox.flushOnHide());
        this.listen(window, "pageshow", () => outbox.resume());
        // Measurement may have been withdrawn while the code loaded: then
        // what earlier pages left goes, as it would have at once.
        if (this.measured) outbox.resume();
        else outbox.clear();
        this.pump();
        return outbox;
      },
      (error: unknown) => {
        this.warnOnce("outbox", `shelfwise: beacon delivery could not be loaded (${String(error)}); this page's outcomes are not sent`);
        return null;
      },
    );
    this.delivering = delivering;
    this.listen(document, "click", (event) => this.clicked(event.target));
  }

  /**
   * Whether this page's outcomes are measured: a collector is configured,
   * consent is granted (with measurement, when a CMP decides) and GPC is off.
   */
  private get measured(): boolean {
    const url = this.options.collector;
    return typeof url === "string" && url.length > 0 && this.consent === "granted" && this.measure && !this.gpc;
  }

  /**
   * The holdout exists to be measured: where outcomes are not (no
   * collector, measurement refused, GPC), nobody is held out or keeps an arm.
   */
  private endUnmeasured(engine: Engine): void {
    if (this.measured) return;
    engine.endExperiment();
    this.holdout = false;
  }

  /**
   * Queues a beacon the page layer observes (see `Engine.beacon`); an
   * exposure says how the widget is `shown`; targeted content, its `variant`.
   */
  private beacon(kind: string, widget = "", position = 0, shown?: Shown, variant?: string): void {
    const engine = this.engine;
    if (!engine || !this.delivering) return;
    this.guard(() => engine.beacon(kind, widget, position, shown, variant));
    this.pump();
  }

  /** Moves the engine's new beacon events into the outbox. */
  private pump(): void {
    const engine = this.engine;
    if (engine && this.outbox) this.outbox.add(this.guard(() => engine.takeBeacons()) ?? "");
  }

  /** A click on a widget's item (with its position as shown), on a banner or on targeted content. */
  private clicked(target: EventTarget | null): void {
    if (!(target instanceof Element)) return;
    const item = target.closest("[data-item-id]");
    const widget = item?.parentElement;
    const kind = widget?.getAttribute("data-shelfwise-widget");
    const banner = target.closest("[data-shelfwise-banner]");
    const targeted = target.closest(TARGETED);
    if (item && widget && kind) {
      const items = Array.from(widget.children).filter((c) => c.hasAttribute("data-item-id"));
      this.beacon("click", kind, items.indexOf(item) + 1);
    } else if (banner) {
      this.beacon("click", "banner", 1, undefined, this.variants.get(banner));
    } else if (targeted && this.variants.has(targeted)) {
      this.beacon("click", "targeted", 1, undefined, this.variants.get(targeted));
    }
  }

  /**
   * An exposure beacon for each widget, banner and counted targeted element
   * (see {@link variants}) the first time it is in view — for one held out,
   * the first time its empty box is.
   */
  private watchExposures(): void {
    if (!this.delivering || typeof IntersectionObserver !== "function") return;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const element = entry.target;
        observer.unobserve(element);
        const variant = this.variants.get(element);
        if (element.matches(TARGETED)) {
          this.beacon("exposure", "targeted", 0, undefined, variant);
        } else {
          // Not decided here: the hold showed it in the merchant's order, in time for the shopper.
          this.beacon("exposure", element.getAttribute("data-shelfwise-widget") ?? "banner", 0, this.shownAs.get(element) ?? "timeout", variant);
        }
      }
    });
    const targeted = Array.from(this.variants.keys()).filter((e) => e.matches(TARGETED));
    for (const element of [...Array.from(document.querySelectorAll("[data-shelfwise-widget],[data-shelfwise-banner]")), ...targeted]) {
      observer.observe(element);
    }
    this.exposures = observer;
    this.cleanups.push(() => observer.disconnect());
  }

  /** Product names are kept only for a pop-up whose title names the cart's item. */
  private get wantsNames(): boolean {
    return typeof this.options.popup?.cartTitle === "string";
  }

  /** Keeps the names of tracked products (for the pop-up), through the engine. */
  private rememberNames(engine: Engine, properties: Record<string, unknown> | undefined): void {
    if (!this.wantsNames || !properties || typeof properties !== "object") return;
    const found = new Map<string, string>();
    const take = (p: Record<string, unknown>) => {
      const id = p.product_id ?? p.sku ?? p.item_id ?? p.id;
      const name = p.name ?? p.item_name;
      if ((typeof id === "string" || typeof id === "number") && typeof name === "string" && name.length > 0) {
        found.set(String(id), name.slice(0, 200));
      }
    };
    take(properties);
    for (const list of [properties.products, properties.items]) {
      if (Array.isArray(list)) for (const p of list) if (p && typeof p === "object") take(p as Record<string, unknown>);
    }
    if (found.size === 0) return;
    for (const [id, name] of found) {
      this.names.delete(id);
      this.names.set(id, name);
    }
    while (this.names.size > MAX_NAMES) this.names.delete(this.names.keys().next().value as string);
    engine.keep("names", JSON.stringify(Array.from(this.names)));
  }

  private restoreNames(engine: Engine): void {
    if (!this.wantsNames) return;
    try {
      const stored: unknown = JSON.parse(engine.kept("names") ?? "[]");
      if (!Array.isArray(stored)) return;
      for (const entry of stored.slice(-MAX_NAMES)) {
        if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "string") {
          this.names.set(entry[0], entry[1].slice(0, 200));
        }
      }
    } catch {
      // Unreadable: start without names.
    }
  }

  /**
   * Personalized banners: in each `[data-shelfwise-banner]`, shows the
   * first variant whose rule (`data-shelfwise-when`) holds, else the variant
   * (`data-shelfwise-category`) of the shopper's strongest category, else
   * leaves the merchant's default (`data-shelfwise-default`).
   */
  private pickBanners(target: typeof Target | null): void {
    const engine = this.engine;
    const ranked = engine ? this.guard(() => engine.bannerCategories().split(SEPARATOR).filter(Boolean)) ?? [] : [];
    const warn = (message: string) => this.warnOnce("rule", message);
    const decide = (variant: Element) =>
      engine !== null && target !== null && variant.hasAttribute("data-shelfwise-when") ? target.decision(engine, variant, warn) : "hide";
    for (const banner of Array.from(document.querySelectorAll("[data-shelfwise-banner]:not([data-shelfwise-state])"))) {
      const unless = this.unless(banner);
      const variants = unless ? [] : Array.from(banner.children);
      // The first targeted variant whose rule holds: shown, or in the holdout withheld.
      let targeted: Element | undefined;
      let decided = "hide";
      for (const variant of variants) {
        decided = decide(variant);
        if (decided !== "hide") {
          targeted = variant;
          break;
        }
      }
      const name = targeted?.getAttribute("data-shelfwise-variant");
      if (name) this.variants.set(banner, name);
      const chosen = (decided === "show" ? targeted : undefined) ?? ranked.map((c) => variants.find((v) => v.getAttribute("data-shelfwise-category") === c)).find(Boolean);
      if (chosen) {
        for (const child of Array.from(banner.children)) {
          if (child instanceof HTMLElement) child.hidden = child !== chosen;
        }
      }
      this.markShown(banner, chosen ? "personalized" : unless ?? (this.holdout ? "holdout" : engine ? "no-history" : "error"));
    }
  }

  /**
   * Asks for the modules this page needs besides the script, to download
   * beside the wasm, each in a task of its own: importing one costs a few
   * milliseconds of the main thread (many more under a debugger, as in
   * Lighthouse). Beacon delivery's (used only if measured) when `collector`;
   * then targeting's, resolving as {@link loadTargeting} does.
   */
  private async fetchChunks(collector: boolean): Promise<typeof Target | null> {
    if (!(await this.endTask())) return null;
    if (collector) {
      this.chunks.outbox().catch(() => {});
      if (!(await this.endTask())) return null;
    }
    return this.loadTargeting();
  }

  /**
   * The targeting module, once the page is parsed, for a page with
   * targeting markup (asked for at once when the markup is already there);
   * `null` for a page without, or when it could not be loaded (a warning:
   * targeted elements then stay hidden, as without Shelfwise).
   */
  private loadTargeting(): Promise<typeof Target | null> {
    const load = () =>
      this.chunks.target().catch((error: unknown) => {
        this.warnOnce("target", `shelfwise: targeting could not be loaded (${String(error)}); targeted elements stay hidden`);
        return null;
      });
    const early = document.querySelector(TARGETING_MARKUP) ? load() : null;
    return domReady().then(() => early ?? (document.querySelector(TARGETING_MARKUP) ? load() : null));
  }

  /** Decides the page's targeted elements and shows its controls' state (see `target.ts`). */
  private target(target: typeof Target, engine: Engine): void {
    if (this.engine !== engine) return;
    const counted = (element: Element) => {
      const name = element.getAttribute("data-shelfwise-variant");
      if (!name) return;
      this.variants.set(element, name);
      this.exposures?.observe(element);
    };
    target.applyTargeting(engine, (element) => this.hold.mayMove(element), (message) => this.warnOnce("rule", message), counted);
    target.syncControls(engine);
  }

  /** Shows the controls' state again after a change, if the page has any. */
  private syncControls(engine: Engine): void {
    void this.targeting.then((target) => target?.syncControls(engine));
  }

  /** A passive, capturing listener removed on destroy. */
  private listen(target: EventTarget, type: string, handler: (event: Event) => void): void {
    const guarded = (event: Event) => {
      this.guard(() => handler(event));
    };
    const options = { capture: true, passive: true } as const;
    target.addEventListener(type, guarded, options);
    this.cleanups.push(() => target.removeEventListener(type, guarded, options));
  }

  /** Runs `body`; an exception disables Shelfwise for the page instead of reaching the host. */
  guard<T>(body: () => T): T | undefined {
    if (this.state === "disabled") return undefined;
    try {
      return body();
    } catch (error) {
      this.disable("stopped after an internal error", error);
      return undefined;
    }
  }

  private disable(what: string, error: unknown): void {
    const first = this.state !== "disabled";
    this.destroy();
    if (first) this.warnOnce("disabled", `shelfwise: ${what}; the page keeps the merchant's order (${String(error)})`);
  }

  warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    try {
      console.warn(message);
    } catch {
      // A page without a console.
    }
  }
}

/** The names of the engine's reason codes, read from it once (code `i` is name `i`). */
let reasons: RankReason[] | null = null;

/** A ranked item from the engine's packed output. */
function item(id: string, code: number, score: number, because: string | undefined): RankedItem {
  reasons ??= rankReasons().split(SEPARATOR) as RankReason[];
  const out: RankedItem = { id, score, reason: reasons[code] ?? "merchant" };
  if (because) out.because = because;
  return out;
}

/** The page type for beacons: `data-shelfwise-page`, else product when it declares a view, else other. */
function pageType(): string {
  const marked = document.querySelector("[data-shelfwise-page]")?.getAttribute("data-shelfwise-page");
  return marked ?? (document.querySelector("[data-shelfwise-view]") ? "product" : "other");
}

/** The IANA time zone the browser reports (for the season), empty when it cannot say. */
function timeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}

/** The shopper asked for less data (the Save-Data client hint). */
function saveData(): boolean {
  return (navigator as { connection?: { saveData?: boolean } }).connection?.saveData === true;
}

/** Runs `task` when the browser is idle (or soon, where it cannot say). */
function whenIdle(task: () => void): void {
  if (typeof requestIdleCallback === "function") requestIdleCallback(task, { timeout: 5000 });
  else setTimeout(task, 200);
}

/**
 * Resolves in a task of its own, after what the browser has waiting (input,
 * a frame): work split at these points is never one long task. Neither way
 * is slowed in a background tab as timers are.
 */
function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === "function") return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * The widgets that the engine would leave in the merchant's order
 * ("no-history") on this page because nothing is known of the shopper: no
 * profile is stored (a new shopper, or storage that cannot be read, where
 * none can be kept), the page is about no product, and a widget has no
 * anchor and is not a recently-viewed shelf (emptied when there is nothing
 * to show). None when any of that does not hold.
 */
function historyOnly(): Element[] {
  try {
    if (localStorage.getItem(PROFILE_KEY) !== null) return [];
  } catch {
    // Unreadable storage keeps no profile either.
  }
  if (document.querySelector("[data-shelfwise-view]")) return [];
  return Array.from(document.querySelectorAll("[data-shelfwise-widget]:not([data-shelfwise-state]):not([data-shelfwise-anchor])")).filter(
    (widget) => widget.getAttribute("data-shelfwise-widget") !== "recently-viewed",
  );
}

/** What `init()` resolves with once `destroy()` came first. */
function destroyed(): InitResult {
  return { personalized: false, persistent: false, modelItems: 0, warning: "destroyed" };
}

/**
 * Resolves once the page is parsed: at once, or in a task of its own after
 * `DOMContentLoaded` — not in the parser's last task, often long already.
 */
function domReady(): Promise<void> {
  if (document.readyState !== "loading") return Promise.resolve();
  return new Promise((resolve) => document.addEventListener("DOMContentLoaded", () => void nextTask().then(resolve), { once: true }));
}
