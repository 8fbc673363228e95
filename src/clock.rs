//! Time for the core, from the JS clock (`SystemTime::now` panics on
//! `wasm32-unknown-unknown`).

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// The shopper's local hour (0–23), weekday (0 = Sunday) and month (1–12).
pub(crate) fn local_time() -> (u32, u8, u8) {
    let date = js_sys::Date::new_0();
    (
        date.get_hours(),
        date.get_day() as u8,
        date.get_month() as u8 + 1,
    )
}
