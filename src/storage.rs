//! Shelfwise's own storage façade: `localStorage` when the browser allows it
//! and the shopper consented, memory otherwise.
//!
//! `gloo-storage` throws a JS exception from inside wasm when `localStorage`
//! is blocked, so this module talks to `web_sys::Storage` directly, probes it
//! with a write and a removal first, and falls back to memory at the first
//! failure — keeping the data for the rest of the page.

/// Every key Shelfwise writes starts with `shelfwise:` and a format version
/// (`shelfwise:v1:profile`); [`Store::clear`] removes all versions.
const PROBE_KEY: &str = "shelfwise:v1:probe";

/// Where the profile lives.
pub(crate) enum Store {
    /// The page's `localStorage`, probed and working.
    Local(web_sys::Storage),
    /// A map that lives as long as the page.
    Memory(Vec<(String, String)>),
}

/// Why the store is in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// Persistent storage not wanted (no consent).
    NotWanted,
    /// `localStorage` missing or throwing on access.
    Blocked,
    /// A write failed (quota exceeded, private mode).
    WriteFailed,
}

impl Store {
    /// Opens `localStorage` when `persistent`, else memory.
    pub(crate) fn open(persistent: bool) -> (Store, Option<Fallback>) {
        if !persistent {
            return (Store::Memory(Vec::new()), Some(Fallback::NotWanted));
        }
        match probe() {
            Some(storage) => (Store::Local(storage), None),
            None => (Store::Memory(Vec::new()), Some(Fallback::Blocked)),
        }
    }

    /// Reads a value; a failing read reads as absent.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        match self {
            Store::Local(s) => s.get_item(key).ok().flatten(),
            Store::Memory(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
        }
    }

    /// Writes a value. On failure the store moves to memory, keeping what it
    /// held, and the fallback is returned so the caller can warn once.
    pub(crate) fn set(&mut self, key: &str, value: &str) -> Option<Fallback> {
        if let Store::Local(s) = self {
            if s.set_item(key, value).is_ok() {
                return None;
            }
            let kept = self.entries();
            *self = Store::Memory(kept);
            self.set(key, value);
            return Some(Fallback::WriteFailed);
        }
        if let Store::Memory(m) = self {
            m.retain(|(k, _)| k != key);
            m.push((key.to_owned(), value.to_owned()));
        }
        None
    }

    /// Removes one key; a failing removal leaves nothing else changed.
    pub(crate) fn remove(&mut self, key: &str) {
        match self {
            Store::Local(s) => {
                let _ = s.remove_item(key);
            }
            Store::Memory(m) => m.retain(|(k, _)| k != key),
        }
    }

    /// Every Shelfwise key and its value.
    pub(crate) fn entries(&self) -> Vec<(String, String)> {
        match self {
            Store::Local(s) => own_keys(s)
                .into_iter()
                .filter_map(|k| Some((k.clone(), s.get_item(&k).ok()??)))
                .collect(),
            Store::Memory(m) => m.clone(),
        }
    }

    /// Removes every Shelfwise key (of this and earlier format versions).
    pub(crate) fn clear(&mut self) {
        match self {
            Store::Local(s) => {
                for k in own_keys(s) {
                    let _ = s.remove_item(&k);
                }
            }
            Store::Memory(m) => m.clear(),
        }
    }

    /// Whether the profile persists across pages.
    pub(crate) fn is_persistent(&self) -> bool {
        matches!(self, Store::Local(_))
    }
}

/// `localStorage`, if reading the property, writing and removing all work.
fn probe() -> Option<web_sys::Storage> {
    let storage = crate::host::window()?.local_storage().ok()??;
    storage.set_item(PROBE_KEY, "1").ok()?;
    storage.remove_item(PROBE_KEY).ok()?;
    Some(storage)
}

/// Keys starting with `shelfwise:` (any version).
fn own_keys(storage: &web_sys::Storage) -> Vec<String> {
    let len = storage.length().unwrap_or(0);
    (0..len)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with("shelfwise:"))
        .collect()
}
