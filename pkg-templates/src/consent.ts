// Consent signals Shelfwise reads by itself: an IAB TCF v2.2 CMP
// (`__tcfapi`) and Global Privacy Control.
//
// TCF purposes (v2.2): personalization keeps a profile on the device and
// uses it to choose content — purposes 1 (store and/or access information
// on a device), 5 (create profiles to personalise content) and 6 (use
// profiles to select personalised content); outcome beacons measure content
// — purposes 1 and 8 (measure content performance). Consent is required for
// each; legitimate interest is never taken as a yes.
//
// Shelfwise is the store's own tool, not a vendor on the Global Vendor List,
// so its processing is the publisher's: the purposes it reads are the
// publisher's (`publisher.consents`, the TC string's publisher segment)
// when the CMP records any publisher purpose, and the global purpose
// consents otherwise, as most CMPs record only those. A merchant can name
// one of the two (`tcfPurposes`). Vendor consents and publisher
// restrictions are about vendors and are not read; docs/privacy.md has the
// table.

import type { ConsentState, TcfPurposes } from "./types.js";

/** What a CMP decided: the consent state, and whether measurement is allowed too. */
export interface Decision {
  consent: ConsentState;
  measure: boolean;
}

/** A TCF boolean vector: purpose id → yes or no. */
type Vector = Record<string, boolean>;

/** The TCData fields Shelfwise reads. */
interface TcData {
  gdprApplies?: boolean;
  eventStatus?: string;
  listenerId?: number;
  purpose?: { consents?: Vector };
  publisher?: { consents?: Vector; legitimateInterests?: Vector };
}

type TcfApi = (command: string, version: number, callback: (data: TcData, success: boolean) => void, parameter?: unknown) => void;

/** The page's TCF API, if a CMP installed one. */
export function tcfApi(): TcfApi | null {
  const api = (globalThis as { __tcfapi?: unknown }).__tcfapi;
  return typeof api === "function" ? (api as TcfApi) : null;
}

/** What a TCData means for Shelfwise; `null` while the shopper has not chosen. */
export function decide(data: TcData, purposes: TcfPurposes = "auto"): Decision | null {
  if (data.gdprApplies === false) return { consent: "granted", measure: true };
  if (data.eventStatus !== "tcloaded" && data.eventStatus !== "useractioncomplete") return null;
  const consents = readPublisher(data, purposes) ? data.publisher?.consents : data.purpose?.consents;
  const yes = (n: number) => consents?.[String(n)] === true;
  return { consent: yes(1) && yes(5) && yes(6) ? "granted" : "denied", measure: yes(1) && yes(8) };
}

/** Whether the publisher's purposes apply: named so, or recorded by the CMP (any entry). */
function readPublisher(data: TcData, purposes: TcfPurposes): boolean {
  if (purposes !== "auto") return purposes === "publisher";
  const recorded = (v: Vector | undefined) => v !== null && typeof v === "object" && Object.keys(v).length > 0;
  return recorded(data.publisher?.consents) || recorded(data.publisher?.legitimateInterests);
}

/**
 * Listens to the CMP: resolves with the first decision, with `pending`
 * when the CMP shows its dialog (the shopper is choosing), or `denied` after
 * `timeout` ms without an answer; every later decision (the shopper choosing
 * or changing their mind) goes to `changed`. Returns the listener's removal.
 */
export function listenToTcf(
  api: TcfApi,
  timeout: number,
  purposes: TcfPurposes,
  changed: (decision: Decision) => void,
): { first: Promise<Decision>; stop: () => void } {
  let settled = false;
  let listenerId: number | undefined;
  let resolveFirst: (decision: Decision) => void = () => {};
  const first = new Promise<Decision>((resolve) => {
    resolveFirst = resolve;
  });
  const settle = (decision: Decision) => {
    if (settled) {
      changed(decision);
    } else {
      settled = true;
      clearTimeout(timer);
      resolveFirst(decision);
    }
  };
  const timer = setTimeout(() => settle({ consent: "denied", measure: false }), timeout);
  try {
    api("addEventListener", 2, (data, success) => {
      if (!success || !data) return;
      listenerId = data.listenerId;
      const decision = decide(data, purposes);
      if (decision) settle(decision);
      else if (!settled && data.eventStatus === "cmpuishown") settle({ consent: "pending", measure: false });
    });
  } catch {
    settle({ consent: "denied", measure: false });
  }
  const stop = () => {
    clearTimeout(timer);
    if (listenerId === undefined) return;
    try {
      api("removeEventListener", 2, () => {}, listenerId);
    } catch {
      // The CMP went away; nothing to remove.
    }
  };
  return { first, stop };
}

/** Whether the browser sends Global Privacy Control. */
export function globalPrivacyControl(): boolean {
  try {
    return (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  } catch {
    return false;
  }
}
