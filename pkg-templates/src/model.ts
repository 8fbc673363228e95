// Fetching the model: without credentials, checked against an SRI hash
// (the page's for the entry file, the manifest's for a sharded model's
// other files), its content type sanity-checked, and capped in size while
// it downloads. The engine then checks the checksum in each file's header.

import { SEPARATOR } from "./boundary.js";

const MAX_MODEL_BYTES = 32 * 1024 * 1024;

/** The device cache a sharded model's files are kept in, with the shopper's consent. */
const CACHE = "shelfwise-model";
/** Files kept in {@link CACHE} at most; the oldest go first. */
const MAX_CACHED = 400;
/** Rounds of files at most: up to four levels of index files, the parts, and slack. */
const MAX_ROUNDS = 8;

/** The model's bytes; rejects with what went wrong (HTTP status, content type, size, integrity, network). */
export async function fetchModel(url: string | URL, integrity: string | undefined, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url, { credentials: "omit", integrity, signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("text/") || type.includes("json") || type.includes("html")) {
    throw new Error(`wrong content type ${type}`);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_MODEL_BYTES) throw new Error(`larger than ${MAX_MODEL_BYTES} bytes`);
  return readCapped(response, MAX_MODEL_BYTES);
}

/** A response's body, failing as soon as it passes `cap` bytes (a missing or lying Content-Length cannot get past). */
async function readCapped(response: Response, cap: number): Promise<Uint8Array<ArrayBuffer>> {
  // No body: a 204 or 205, which no model file is.
  if (!response.body) throw new Error(`HTTP ${response.status} without a body`);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      void reader.cancel();
      throw new Error(`larger than ${cap} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** What the loader needs of the engine. */
interface Files {
  wantedFiles(prefetch: boolean): string;
  addFile(index: number, bytes?: Uint8Array): boolean;
}

/**
 * Loads the files a sharded model needs, beside the manifest at `base`:
 * round after round (an index file names the next), each round's files in
 * parallel, until nothing is missing or `signal` aborts. Files only the
 * device's cache may answer come from {@link CACHE} or not at all; with
 * `keep` (the shopper consented to storage), fetched files are kept there.
 * Resolves with the failures, for one warning; never rejects.
 */
export async function loadFiles(engine: Files, base: URL, prefetch: boolean, keep: boolean, signal: AbortSignal): Promise<string[]> {
  const failures: string[] = [];
  // Opened once a file is wanted: a whole model wants none.
  let cache: Cache | null | undefined;
  for (let round = 0; round < MAX_ROUNDS && !signal.aborted; round++) {
    const entries = fileEntries(engine.wantedFiles(prefetch));
    if (entries.length === 0) break;
    if (cache === undefined) cache = keep ? await openCache() : null;
    const arrived = await Promise.all(
      entries.map(async ([name, integrity, from]) => {
        const url = new URL(name, base);
        try {
          const cached = await cache?.match(url);
          if (cached) return new Uint8Array(await cached.arrayBuffer());
          if (from !== "network") return undefined;
          const bytes = await fetchModel(url, integrity, signal);
          void cache?.put(url, new Response(bytes)).catch(() => {});
          return bytes;
        } catch (error) {
          failures.push(`${name}: ${signal.aborted ? "timed out" : (error as Error).message}`);
          return undefined;
        }
      }),
    );
    // Added once all are in, by position: the list is the engine's until the next round.
    arrived.forEach((bytes, i) => {
      if (!engine.addFile(i, bytes) && bytes) failures.push(`${entries[i][0]}: not a file of this model`);
    });
  }
  if (cache) void trimCache(cache);
  return failures;
}

/** The `[NAME, INTEGRITY, FROM]` of each file of the engine's list (`wantedFiles`, `wantedFor`). */
export function fileEntries(list: string): string[][] {
  return list ? list.split(SEPARATOR).map((entry) => entry.split(" ")) : [];
}

/** The device cache of model files, or `null` where there is none (an insecure page, storage blocked). */
async function openCache(): Promise<Cache | null> {
  try {
    return await caches.open(CACHE);
  } catch {
    return null;
  }
}

/** Keeps the newest {@link MAX_CACHED} files of `cache`. */
async function trimCache(cache: Cache): Promise<void> {
  try {
    const keys = await cache.keys();
    await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_CACHED)).map((key) => cache.delete(key)));
  } catch {
    // Trimmed next time.
  }
}

/** Erases the device cache of model files (consent withdrawn, `forget()`). */
export function dropCache(): void {
  try {
    void caches.delete(CACHE).catch(() => {});
  } catch {
    // No cache here.
  }
}
