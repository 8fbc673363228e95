//! Reading event properties out of JS objects: Segment `track` properties,
//! GA4 `items`, and `dataLayer` entries.

use js_sys::{Array, Reflect};
use shelfwise_core::beacon::Order;
use wasm_bindgen::{JsCast, JsValue};

/// One product named by an event or declared by the page.
pub(crate) struct Product {
    pub(crate) id: String,
    pub(crate) category: Option<String>,
    pub(crate) price: f64,
}

/// `products` as the core takes them.
pub(crate) fn borrowed(products: &[Product]) -> Vec<shelfwise_core::engine::Product<'_>> {
    products
        .iter()
        .map(|p| (p.id.as_str(), p.category.as_deref(), p.price))
        .collect()
}

/// A property as a string: strings as they are, numbers in JS's own
/// formatting (no float formatting code in the wasm), anything else absent.
pub(crate) fn text(object: &JsValue, key: &str) -> Option<String> {
    if !object.is_object() {
        return None;
    }
    let value = Reflect::get(object, &JsValue::from_str(key)).ok()?;
    if let Some(s) = value.as_string() {
        return Some(s).filter(|s| !s.is_empty());
    }
    let n = value.as_f64().filter(|n| n.is_finite())?;
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .ok()
        .map(String::from)
}

/// A non-negative number (or numeric string) property.
fn number(object: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_string().map(|s| js_sys::Number::parse_float(&s)))
        })
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// An order's value and currency: GA4 `value`, Segment `total` or
/// `revenue`, with `currency`. `None` when either is missing or malformed.
pub(crate) fn order(props: &JsValue) -> Option<Order> {
    if !props.is_object() {
        return None;
    }
    let value = ["value", "total", "revenue"]
        .iter()
        .find_map(|k| number(props, k))?;
    Order::new(value, &text(props, "currency")?)
}

fn product(object: &JsValue, id_keys: &[&str], category_keys: &[&str]) -> Option<Product> {
    let id = id_keys.iter().find_map(|k| text(object, k))?;
    Some(Product {
        id,
        category: category_keys.iter().find_map(|k| text(object, k)),
        price: number(object, "price").unwrap_or(0.0),
    })
}

/// The products an event's properties name: GA4 `items`, Segment
/// `products`, or a single Segment product.
pub(crate) fn products(props: &JsValue) -> Vec<Product> {
    let list = |key: &str| {
        if !props.is_object() {
            return None;
        }
        Reflect::get(props, &JsValue::from_str(key))
            .ok()
            .filter(Array::is_array)
            .map(|v| Array::from(&v))
    };
    if let Some(items) = list("items") {
        return items
            .iter()
            .filter_map(|i| product(&i, &["item_id", "id"], &["item_category", "category"]))
            .collect();
    }
    if let Some(products) = list("products") {
        return products
            .iter()
            .filter_map(|p| product(&p, &["product_id", "sku", "id"], &["category"]))
            .collect();
    }
    product(
        props,
        &["product_id", "sku", "id", "item_id"],
        &["category", "item_category"],
    )
    .into_iter()
    .collect()
}

/// A `dataLayer` entry as an event name and its parameters: either a GTM
/// push `{event, ecommerce}` or a gtag call `["event", name, params]`
/// (pushed as an `arguments` object).
pub(crate) fn data_layer_event(entry: &JsValue) -> Option<(String, JsValue)> {
    if !entry.is_object() {
        return None;
    }
    if let Some(event) = text(entry, "event") {
        let ecommerce = Reflect::get(entry, &JsValue::from_str("ecommerce")).ok()?;
        return ecommerce.is_object().then_some((event, ecommerce));
    }
    let first = Reflect::get(entry, &JsValue::from_f64(0.0)).ok()?;
    if first.as_string().as_deref() != Some("event") {
        return None;
    }
    let name = Reflect::get(entry, &JsValue::from_f64(1.0))
        .ok()?
        .as_string()?;
    let params = Reflect::get(entry, &JsValue::from_f64(2.0)).ok()?;
    params.is_object().then_some((name, params))
}

/// `value` as an element, if it is one.
pub(crate) fn element(value: &JsValue) -> Option<web_sys::Element> {
    value.dyn_ref::<web_sys::Element>().cloned()
}
