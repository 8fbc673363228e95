//! What the browser gives the core engine ([`shelfwise_core::engine::Host`]):
//! storage, the clock, randomness — and the console, once per failure class.

use shelfwise_core::engine::Host;
use wasm_bindgen::JsValue;

use crate::clock;
use crate::storage::{Fallback, Store};

/// Failure classes, each warned about at most once per page.
#[derive(Clone, Copy)]
#[repr(u32)]
pub(crate) enum Warning {
    StorageBlocked = 1,
    StorageFull = 2,
    Widget = 4,
    BadLimit = 8,
    WidgetChanged = 16,
    BadEvent = 32,
}

/// The page's storage ([`Store`]), clock and CSPRNG.
pub(crate) struct Browser {
    store: Store,
    warned: u32,
}

impl Browser {
    /// In memory until the engine says whether to persist.
    pub(crate) fn new() -> Browser {
        Browser {
            store: Store::open(false).0,
            warned: 0,
        }
    }

    /// Logs `message` as a console warning, unless `class` was already.
    pub(crate) fn warn_once(&mut self, class: Warning, message: &str) {
        if self.warned & class as u32 == 0 {
            self.warned |= class as u32;
            web_sys::console::warn_1(&JsValue::from_str(message));
        }
    }
}

impl Host for Browser {
    fn get(&self, key: &str) -> Option<String> {
        self.store.get(key)
    }

    fn set(&mut self, key: &str, value: &str) {
        if self.store.set(key, value) == Some(Fallback::WriteFailed) {
            self.warn_once(
                Warning::StorageFull,
                "shelfwise: localStorage refused a write (full?); personalization lasts for this page only",
            );
        }
    }

    fn remove(&mut self, key: &str) {
        self.store.remove(key);
    }

    fn clear(&mut self) {
        self.store.clear();
    }

    fn entries(&self) -> Vec<(String, String)> {
        self.store.entries()
    }

    fn persist(&mut self, persistent: bool) {
        if persistent == self.store.is_persistent() {
            return;
        }
        let (store, fallback) = Store::open(persistent);
        self.store = store;
        if fallback == Some(Fallback::Blocked) {
            self.warn_once(
                Warning::StorageBlocked,
                "shelfwise: localStorage is unavailable; personalization lasts for this page only",
            );
        }
    }

    fn is_persistent(&self) -> bool {
        self.store.is_persistent()
    }

    fn now_ms(&self) -> u64 {
        clock::now_ms()
    }

    /// From `crypto.getRandomValues` (`Math.random` where `crypto` is
    /// missing).
    fn random(&mut self, words: &mut [u32]) {
        // The engine asks for at most six words at a time.
        let mut bytes = [0u8; 32];
        let filled = window()
            .and_then(|w| w.crypto().ok())
            .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
        for (i, word) in words.iter_mut().enumerate() {
            *word = match bytes.get(4 * i..4 * i + 4).map(<[u8; 4]>::try_from) {
                Some(Ok(b)) if filled => u32::from_le_bytes(b),
                _ => (js_sys::Math::random() * 4_294_967_296.0) as u32,
            };
        }
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The page's `window`. Read directly: `web_sys::window()` looks for the
    /// global object through four names first (0.2 KB gzip of the script tag).
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Option<web_sys::Window>;
}

/// The page's `window`; `None` where there is none.
pub(crate) fn window() -> Option<web_sys::Window> {
    WINDOW.with(Clone::clone)
}
