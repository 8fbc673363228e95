//! Browser tests of the wasm binding: storage (working, blocked, full,
//! corrupt), model loading and DOM reordering, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use shelfwise::{Engine, Shown};
use shelfwise_core::model::{ItemMeta, ModelBuilder};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const real = Object.getOwnPropertyDescriptor(window, "localStorage");
const realSet = Storage.prototype.setItem;
export function block_storage() {
  Object.defineProperty(window, "localStorage", { configurable: true, get() { throw new DOMException("blocked", "SecurityError"); } });
}
export function fill_storage() {
  Storage.prototype.setItem = function () { throw new DOMException("full", "QuotaExceededError"); };
}
export function restore_storage() {
  Object.defineProperty(window, "localStorage", real);
  Storage.prototype.setItem = realSet;
  localStorage.clear();
}
export function stored(key) { return localStorage.getItem(key); }
export function store(key, value) { localStorage.setItem(key, value); }
export function widget(kind, ids, attrs) {
  const el = document.createElement("div");
  el.setAttribute("data-shelfwise-widget", kind);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const id of ids) {
    const child = document.createElement("div");
    if (id !== null) child.setAttribute("data-item-id", id);
    el.appendChild(child);
  }
  document.body.appendChild(el);
  return el;
}
export function order(el) {
  return Array.from(el.children).filter((c) => c.style.display !== "none").map((c) => c.getAttribute("data-item-id")).join(",");
}
export function product(id, category) { return { product_id: id, category }; }
export function view(id) {
  const el = document.createElement("div");
  el.setAttribute("data-shelfwise-view", id);
  document.body.appendChild(el);
  return el;
}
export function polluted() { return ({}).polluted !== undefined; }
"#)]
extern "C" {
    fn block_storage();
    fn fill_storage();
    fn restore_storage();
    fn stored(key: &str) -> Option<String>;
    fn store(key: &str, value: &str);
    fn widget(kind: &str, ids: Vec<JsValue>, attrs: JsValue) -> web_sys::Element;
    fn order(el: &web_sys::Element) -> String;
    fn product(id: &str, category: &str) -> JsValue;
    fn view(id: &str) -> web_sys::Element;
    fn polluted() -> bool;
}

const KEY: &str = "shelfwise:v1:profile";

/// Shoes s1..s4 similar to each other, hats h1..h4 likewise.
fn model() -> Vec<u8> {
    let mut b = ModelBuilder::new();
    for (prefix, category) in [("s", "shoes"), ("h", "hats")] {
        for i in 1..=4 {
            let id = format!("{prefix}{i}");
            b.set_meta(
                &id,
                ItemMeta {
                    category: Some(category.into()),
                    ..ItemMeta::default()
                },
            );
            for j in 1..=4 {
                b.add_neighbor(&id, &format!("{prefix}{j}"), 1.0);
            }
        }
    }
    b.encode()
}

fn ids(list: &[&str]) -> Vec<JsValue> {
    list.iter().map(|s| JsValue::from_str(s)).collect()
}

#[wasm_bindgen_test]
fn profile_persists_in_local_storage() {
    restore_storage();
    let mut engine = Engine::new(true, 0);
    assert!(engine.is_persistent());
    assert!(engine.track("Product Viewed", product("s1", "shoes")));
    assert!(stored(KEY).unwrap().contains("s1"));
    // A new engine (the next page) reads it back.
    let mut next = Engine::new(true, 0);
    next.load_model(model()).unwrap();
    let el = widget("reorder", ids(&["h1", "s2"]), JsValue::UNDEFINED);
    assert_eq!(next.reorder(el.clone().into()), Shown::Personalized);
    assert_eq!(order(&el), "s2,h1");
    el.remove();
}

#[wasm_bindgen_test]
fn blocked_storage_falls_back_to_memory() {
    restore_storage();
    block_storage();
    let mut engine = Engine::new(true, 0);
    assert!(!engine.is_persistent());
    assert!(engine.track("view_item", product("h2", "hats")));
    engine.load_model(model()).unwrap();
    let el = widget("reorder", ids(&["s1", "h1"]), JsValue::UNDEFINED);
    assert_eq!(engine.reorder(el.clone().into()), Shown::Personalized);
    assert_eq!(order(&el), "h1,s1");
    el.remove();
    restore_storage();
}

#[wasm_bindgen_test]
fn full_storage_keeps_the_profile_in_memory() {
    restore_storage();
    let mut engine = Engine::new(true, 0);
    fill_storage();
    assert!(engine.track("Product Added", product("s3", "shoes")));
    assert!(!engine.is_persistent());
    assert!(engine.track("Product Viewed", product("s4", "shoes")));
    engine.load_model(model()).unwrap();
    let el = widget("reorder", ids(&["h1", "s1"]), JsValue::UNDEFINED);
    assert_eq!(engine.reorder(el.clone().into()), Shown::Personalized);
    assert_eq!(order(&el), "s1,h1");
    el.remove();
    restore_storage();
}

#[wasm_bindgen_test]
fn corrupt_and_hostile_stored_values_read_as_empty() {
    for value in [
        "{\"__proto__\":{\"polluted\":1}}",
        "swp1\n\u{0}\u{fffd}garbage",
        "swp9\ni\tv\t1\tx\t",
        "",
    ] {
        restore_storage();
        store(KEY, value);
        let mut engine = Engine::new(true, 0);
        engine.load_model(model()).unwrap();
        let el = widget("reorder", ids(&["h1", "s1"]), JsValue::UNDEFINED);
        assert_eq!(
            engine.reorder(el.clone().into()),
            Shown::NoHistory,
            "{value:?}"
        );
        assert_eq!(order(&el), "h1,s1");
        el.remove();
        assert!(!polluted());
    }
    restore_storage();
}

#[wasm_bindgen_test]
fn forget_erases_every_key() {
    restore_storage();
    store("shelfwise:v0:old", "x");
    store("merchant:cart", "keep");
    let mut engine = Engine::new(true, 0);
    engine.track("Product Viewed", product("s1", "shoes"));
    engine.forget();
    assert_eq!(stored(KEY), None);
    assert_eq!(stored("shelfwise:v0:old"), None);
    assert_eq!(stored("merchant:cart").as_deref(), Some("keep"));
    restore_storage();
}

#[wasm_bindgen_test]
fn without_consent_nothing_is_written() {
    restore_storage();
    let mut engine = Engine::new(false, 0);
    engine.track("Product Viewed", product("s1", "shoes"));
    assert_eq!(stored(KEY), None);
    engine.set_persistent(true);
    assert!(stored(KEY).unwrap().contains("s1"));
    engine.set_persistent(false);
    assert_eq!(stored(KEY), None);
    restore_storage();
}

#[wasm_bindgen_test]
fn bad_models_are_rejected_and_the_old_one_kept() {
    let mut engine = Engine::new(false, 0);
    let good = model();
    assert_eq!(engine.load_model(good.clone()).unwrap(), 8);
    let mut wrong_version = good.clone();
    wrong_version[8] = 9;
    let mut corrupt = good.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xff;
    for bad in [
        good[..good.len() / 2].to_vec(),
        corrupt,
        wrong_version,
        b"<html>404</html>".to_vec(),
        Vec::new(),
    ] {
        assert!(engine.load_model(bad).is_err());
    }
    // The good one still answers: s1's neighbours, by the model.
    let similar = engine.recommend("similar", Some("s1".into()), 3, false);
    assert!(!similar.is_empty());
}

#[wasm_bindgen_test]
fn widgets_reorder_trim_and_refuse_bad_markup() {
    restore_storage();
    let mut engine = Engine::new(false, 0);
    engine.load_model(model()).unwrap();
    engine.track("Product Viewed", product("h1", "hats"));

    let el = widget(
        "reorder",
        ids(&["s1", "s2", "h2", "h3"]),
        js_sys::JSON::parse(r#"{"data-shelfwise-limit":"2"}"#).unwrap(),
    );
    assert_eq!(engine.reorder(el.clone().into()), Shown::Personalized);
    assert_eq!(order(&el), "h2,h3");
    el.remove();

    let similar = widget(
        "similar",
        ids(&["h2", "s2"]),
        js_sys::JSON::parse(r#"{"data-shelfwise-anchor":"s1"}"#).unwrap(),
    );
    assert_eq!(engine.reorder(similar.clone().into()), Shown::Personalized);
    assert_eq!(order(&similar), "s2,h2");
    similar.remove();

    // Malformed markup leaves the widget exactly as it was.
    let unknown = widget("carousel", ids(&["s1", "h2"]), JsValue::UNDEFINED);
    assert_eq!(engine.reorder(unknown.clone().into()), Shown::Error);
    assert_eq!(order(&unknown), "s1,h2");
    unknown.remove();
    let missing = widget(
        "reorder",
        vec![
            JsValue::from_str("s1"),
            JsValue::NULL,
            JsValue::from_str("h2"),
        ],
        JsValue::UNDEFINED,
    );
    assert_eq!(engine.reorder(missing.clone().into()), Shown::Error);
    missing.remove();
    let bad_limit = widget(
        "reorder",
        ids(&["s1", "h2"]),
        js_sys::JSON::parse(r#"{"data-shelfwise-limit":"-3x"}"#).unwrap(),
    );
    assert_eq!(
        engine.reorder(bad_limit.clone().into()),
        Shown::Personalized
    );
    assert_eq!(order(&bad_limit), "h2,s1");
    bad_limit.remove();
    assert_eq!(
        engine.reorder(JsValue::from_str("not an element")),
        Shown::Error
    );
}

#[wasm_bindgen_test]
fn awkward_item_ids_survive_storage_and_ranking() {
    restore_storage();
    let awkward = [
        "\"quoted\"",
        "<img src=x onerror=alert(1)>",
        "ünïcødé ✓",
        "tab\there",
    ];
    let mut engine = Engine::new(true, 0);
    for id in awkward {
        assert!(engine.track("Product Viewed", product(id, "odd")));
    }
    let mut builder = ModelBuilder::new();
    for id in awkward {
        builder.add_item(id);
    }
    let mut next = Engine::new(true, 0);
    next.load_model(builder.encode()).unwrap();
    let packed = next.rank(&awkward.join("\u{1e}"), "recently-viewed", None);
    let got: Vec<&str> = packed.chunks(3).map(|t| awkward[t[0] as usize]).collect();
    let reasons: Vec<f32> = packed.chunks(3).map(|t| t[1]).collect();
    assert_eq!(reasons, [2.0; 4], "all revisits");
    assert_eq!(next.last_because().split('\u{1e}').collect::<Vec<_>>(), got);
    // Most recently viewed first: the ids came back from storage intact.
    assert_eq!(
        got,
        [
            "tab\there",
            "ünïcødé ✓",
            "<img src=x onerror=alert(1)>",
            "\"quoted\""
        ]
    );
    restore_storage();
}

#[wasm_bindgen_test]
fn recently_viewed_shows_only_views_unless_filled_and_never_the_pages_product() {
    restore_storage();
    let mut engine = Engine::new(false, 0);
    engine.load_model(model()).unwrap();
    engine.track("Product Viewed", product("s2", "shoes"));
    let page = view("h3");
    engine.track_page("Europe/Berlin");
    let recent = |attrs: &str| {
        widget(
            "recently-viewed",
            ids(&["s1", "s2", "h3"]),
            js_sys::JSON::parse(attrs).unwrap(),
        )
    };
    let el = recent("{}");
    assert_eq!(engine.reorder(el.clone().into()), Shown::Personalized);
    assert_eq!(
        order(&el),
        "s2",
        "only what was viewed, and not this page's product"
    );
    el.remove();
    let filled = recent(r#"{"data-shelfwise-fill":""}"#);
    engine.reorder(filled.clone().into());
    assert_eq!(
        order(&filled),
        "s2,s1",
        "the merchant's items fill, this page's product still not"
    );
    filled.remove();
    let nothing = widget("recently-viewed", ids(&["s1", "h1"]), JsValue::UNDEFINED);
    engine.reorder(nothing.clone().into());
    assert_eq!(order(&nothing), "");
    assert!(nothing.has_attribute("data-shelfwise-empty"));
    nothing.remove();
    // Any widget: the page's product goes, the rest keep their order.
    let together = widget("bought-together", ids(&["h3", "s1"]), JsValue::UNDEFINED);
    engine.reorder(together.clone().into());
    assert_eq!(order(&together), "s1");
    together.remove();
    page.remove();
}

#[wasm_bindgen_test]
fn the_time_zone_gives_the_season_and_a_zone_that_names_no_place_none() {
    restore_storage();
    let mut engine = Engine::new(false, 0);
    engine.track_page("UTC");
    assert!(
        !engine.segments().contains("season:"),
        "{}",
        engine.segments()
    );
    engine.track_page("Australia/Sydney");
    assert!(
        engine.segments().contains("season:"),
        "{}",
        engine.segments()
    );
    assert!(
        !engine.export_data().contains("Sydney"),
        "only the season is kept"
    );
    restore_storage();
}
