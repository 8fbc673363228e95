// The beacon outbox: events the engine wrote, kept until the collector has
// them.
//
// Kept through the engine (in localStorage when the profile is, in memory
// otherwise) so that what a page could not hand to the browser is sent by
// the next one; bounded at 100 events and
// 32 KiB, oldest dropped and counted. Sent in batches: by `fetch` while the
// page lives (retried with jittered backoff on network errors, 5xx and 429,
// honouring Retry-After; dropped on other 4xx), by `sendBeacon` — falling
// back to a keepalive `fetch` — when it is hidden. Every retry carries the
// same event ids; the collector keeps each once.

const MAX_EVENTS = 100;
const MAX_BYTES = 32 * 1024;
const BATCH_DELAY_MS = 1000;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const DEFAULT_RETRY_AFTER_S = 60;

/** What is kept: events (JSON lines), how many were dropped, and when sending may resume. */
interface Stored {
  events: string[];
  dropped: number;
  resumeAt: number;
}

/** Where the outbox keeps its text: the engine's storage (see `Engine.keep`). */
export interface Keeper {
  get(): string | null;
  /** Stores the text; `null` removes it. */
  set(text: string | null): void;
}

export class Outbox {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> | null = null;
  private failures = 0;

  /** `url`: the collector's `/collect`. `keeper`: where events wait. `warn`: the runtime's warn-once. */
  constructor(
    private readonly url: string,
    private readonly keeper: Keeper,
    private readonly warn: (kind: string, message: string) => void,
  ) {}

  /** Adds the engine's newline-separated events and schedules a send. */
  add(lines: string): void {
    if (!lines) return;
    const state = this.load();
    for (const line of lines.split("\n")) if (line) state.events.push(line);
    let bytes = state.events.reduce((sum, e) => sum + e.length + 1, 0);
    while (state.events.length > MAX_EVENTS || bytes > MAX_BYTES) {
      bytes -= (state.events.shift() as string).length + 1;
      state.dropped++;
      this.warn("outbox-full", `shelfwise: more than ${MAX_EVENTS} beacon events waiting; the oldest were dropped`);
    }
    this.save(state);
    this.schedule(BATCH_DELAY_MS);
  }

  /** Sends everything now (resolves when the collector answered or the send failed). */
  flush(): Promise<void> {
    this.stop();
    if (this.sending) return this.sending;
    const state = this.load();
    if (state.events.length === 0) return Promise.resolve();
    if (Date.now() < state.resumeAt) {
      // The collector asked for a pause (429): come back when it ends.
      this.schedule(state.resumeAt - Date.now());
      return Promise.resolve();
    }
    const sent = state.events.slice();
    this.sending = this.post(body(sent, state.dropped), false)
      .then((status) => this.settle(sent, status))
      .finally(() => {
        this.sending = null;
      });
    return this.sending;
  }

  /**
   * The page is being hidden or left: hands everything to the browser. What
   * `sendBeacon` accepts is gone from the outbox; otherwise a keepalive
   * `fetch` tries, and the events stay until it succeeds — if the page dies
   * first, the next one sends them again under the same ids.
   */
  flushOnHide(): void {
    this.stop();
    const state = this.load();
    if (state.events.length === 0 || Date.now() < state.resumeAt) return;
    const sent = state.events.slice();
    const payload = body(sent, state.dropped);
    let queued = false;
    try {
      queued = typeof navigator.sendBeacon === "function" && navigator.sendBeacon(this.url, payload);
    } catch {
      queued = false;
    }
    if (queued) {
      this.settle(sent, 204);
      return;
    }
    void this.post(payload, true).then((status) => this.settle(sent, status));
  }

  /** Sends what a previous page left behind. */
  resume(): void {
    if (this.load().events.length > 0) this.schedule(BATCH_DELAY_MS);
  }

  /** Cancels the scheduled send; what is stored stays (for a later send, or the next page). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Drops everything kept. */
  clear(): void {
    this.stop();
    this.keeper.set(null);
  }

  /** POSTs a batch as text/plain (no CORS preflight); the status, 0 for a network error. */
  private async post(payload: string, keepalive: boolean): Promise<number> {
    try {
      const response = await fetch(this.url, {
        method: "POST",
        body: payload,
        headers: { "content-type": "text/plain;charset=UTF-8" },
        credentials: "omit",
        keepalive,
        signal: typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : undefined,
      });
      if (response.status === 429) {
        const after = Number(response.headers.get("retry-after"));
        const state = this.load();
        state.resumeAt = Date.now() + 1000 * (after > 0 ? Math.min(after, 3600) : DEFAULT_RETRY_AFTER_S);
        this.save(state);
      }
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Removes what was delivered (or refused for good); schedules a retry otherwise. */
  private settle(sent: string[], status: number): void {
    const delivered = status >= 200 && status < 300;
    const refused = status >= 400 && status < 500 && status !== 429 && status !== 408;
    if (delivered || refused) {
      const gone = new Set(sent);
      const state = this.load();
      state.events = state.events.filter((e) => !gone.has(e));
      if (delivered) state.dropped = 0;
      else state.dropped += sent.length;
      this.save(state);
      if (refused) this.warn("collector-refused", `shelfwise: the collector refused ${sent.length} beacon events (HTTP ${status}); dropped`);
      this.failures = 0;
      if (state.events.length > 0) this.schedule(BATCH_DELAY_MS);
      return;
    }
    this.failures++;
    const resumeAt = this.load().resumeAt;
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.failures - 1, 20));
    const jittered = backoff * (0.5 + Math.random());
    this.schedule(Math.max(jittered, resumeAt - Date.now()));
  }

  private schedule(delay: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  private load(): Stored {
    const text = this.keeper.get();
    return text === null ? { events: [], dropped: 0, resumeAt: 0 } : parse(text);
  }

  private save(state: Stored): void {
    const empty = state.events.length === 0 && state.dropped === 0 && state.resumeAt <= Date.now();
    this.keeper.set(empty ? null : `${state.dropped}|${state.resumeAt}\n${state.events.join("\n")}`);
  }
}

/** The stored form: a `dropped|resumeAt` line, then one event per line; anything unreadable is left out. */
function parse(text: string): Stored {
  const [head = "", ...lines] = text.split("\n");
  const [dropped, resumeAt] = head.split("|").map(Number);
  const events = lines.filter((line) => {
    try {
      const event: unknown = JSON.parse(line);
      return typeof event === "object" && event !== null && typeof (event as { id?: unknown }).id === "string";
    } catch {
      return false;
    }
  });
  return {
    events: events.slice(-MAX_EVENTS),
    dropped: Number.isInteger(dropped) && dropped > 0 ? dropped : 0,
    resumeAt: Number.isFinite(resumeAt) && resumeAt > 0 ? resumeAt : 0,
  };
}

/** A batch: `{"v":1,"dropped":N,"events":[...]}` (at most 32 KiB of events, far under the 64 KiB beacon quota). */
function body(events: string[], dropped: number): string {
  return `{"v":1,"dropped":${dropped},"events":[${events.join(",")}]}`;
}
