//! Page markup: widgets (`data-shelfwise-widget`) and product pages
//! (`data-shelfwise-view`).

use shelfwise_core::beacon::Widget as WidgetKind;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::props::Product;

/// A widget container read from the page, not yet changed.
pub(crate) struct Widget {
    element: Element,
    /// `reorder`, `similar`, `bought-together` or `recently-viewed`.
    pub(crate) kind: WidgetKind,
    /// Keep at most this many children visible.
    pub(crate) limit: Option<usize>,
    /// The item `similar` is about.
    pub(crate) anchor: Option<String>,
    /// `recently-viewed` only: the merchant's items may fill the places the
    /// shopper's views leave (`data-shelfwise-fill`).
    pub(crate) fill: bool,
    children: Vec<Element>,
    /// The children's `data-item-id`s, in the merchant's order.
    pub(crate) ids: Vec<String>,
}

/// A widget kind of the page-markup contract (`data-shelfwise-widget`);
/// an empty name is `reorder`, a banner is not a widget kind.
pub(crate) fn widget_kind(name: &str) -> Option<WidgetKind> {
    match name.trim() {
        "" => Some(WidgetKind::Reorder),
        name => WidgetKind::from_name(name).filter(|&k| k != WidgetKind::Banner),
    }
}

/// Why a widget is left in the merchant's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Malformed {
    UnknownKind,
    MissingItemId,
}

impl Malformed {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Malformed::UnknownKind => {
                "shelfwise: a widget has an unknown data-shelfwise-widget kind (expected reorder, similar, bought-together or recently-viewed); left in merchant order"
            }
            Malformed::MissingItemId => {
                "shelfwise: a widget has a child without data-item-id; left in merchant order"
            }
        }
    }
}

impl Widget {
    /// Reads a widget. `Ok` carries whether `data-shelfwise-limit` was
    /// malformed (then ignored).
    pub(crate) fn read(element: &Element) -> Result<(Widget, bool), Malformed> {
        let kind = element
            .get_attribute("data-shelfwise-widget")
            .and_then(|name| widget_kind(&name))
            .ok_or(Malformed::UnknownKind)?;
        let (limit, bad_limit) = match element.get_attribute("data-shelfwise-limit") {
            None => (None, false),
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => (Some(n), false),
                _ => (None, true),
            },
        };
        // Only `similar` needs an anchor; without the attribute it is the
        // product the page shows.
        let anchor = match kind {
            WidgetKind::Similar => element
                .get_attribute("data-shelfwise-anchor")
                .filter(|a| !a.trim().is_empty())
                .or_else(|| page_items().into_iter().next().map(|p| p.id)),
            _ => None,
        };
        let fill = element.has_attribute("data-shelfwise-fill");
        let collection = element.children();
        let mut children = Vec::with_capacity(collection.length() as usize);
        let mut ids = Vec::with_capacity(children.capacity());
        for i in 0..collection.length() {
            let Some(child) = collection.item(i) else {
                continue;
            };
            let id = child
                .get_attribute("data-item-id")
                .ok_or(Malformed::MissingItemId)?;
            ids.push(id);
            children.push(child);
        }
        Ok((
            Widget {
                element: element.clone(),
                kind,
                limit,
                anchor,
                fill,
                children,
                ids,
            },
            bad_limit,
        ))
    }

    /// Moves the children into `order` (positions into the merchant's
    /// order) and hides those `show` says not to show — all or nothing: if
    /// any child has left the container since it was read, nothing moves.
    /// A widget left showing nothing is marked `data-shelfwise-empty` (for
    /// the page's CSS).
    pub(crate) fn apply(&self, order: &[usize], show: &[bool]) -> bool {
        let intact = self
            .children
            .iter()
            .all(|c| c.parent_element().as_ref() == Some(&self.element));
        if !intact || order.len() != self.children.len() {
            return false;
        }
        let already = order.iter().enumerate().all(|(i, &p)| i == p);
        if !already {
            for &position in order {
                let Some(child) = self.children.get(position) else {
                    return false;
                };
                if self.element.append_child(child).is_err() {
                    return false;
                }
            }
        }
        for (&position, _) in order.iter().zip(show).filter(|(_, show)| !**show) {
            if let Some(child) = self
                .children
                .get(position)
                .and_then(|c| c.dyn_ref::<HtmlElement>())
            {
                let _ = child
                    .style()
                    .set_property_with_priority("display", "none", "important");
                let _ = child.set_attribute("data-shelfwise-trimmed", "");
            }
        }
        if !show.contains(&true) && !order.is_empty() {
            let _ = self.element.set_attribute("data-shelfwise-empty", "");
        }
        true
    }
}

/// Products the page declares it shows (`data-shelfwise-view`), with their
/// optional category and price.
pub(crate) fn page_items() -> Vec<Product> {
    elements("[data-shelfwise-view]")
        .into_iter()
        .filter_map(|e| {
            let id = e
                .get_attribute("data-shelfwise-view")
                .filter(|v| !v.is_empty())?;
            let price = e
                .get_attribute("data-shelfwise-price")
                .map(|p| js_sys::Number::parse_float(&p))
                .filter(|p| p.is_finite() && *p >= 0.0)
                .unwrap_or(0.0);
            Some(Product {
                id,
                category: e.get_attribute("data-shelfwise-category"),
                price,
            })
        })
        .collect()
}

/// Item ids the page's markup names besides its products: the anchors of
/// its `similar` widgets or, with `candidates`, every widget's items.
pub(crate) fn named_items(candidates: bool) -> Vec<String> {
    let (selector, attribute) = if candidates {
        ("[data-shelfwise-widget]>[data-item-id]", "data-item-id")
    } else {
        ("[data-shelfwise-anchor]", "data-shelfwise-anchor")
    };
    elements(selector)
        .iter()
        .filter_map(|e| e.get_attribute(attribute))
        .filter(|id| !id.trim().is_empty())
        .collect()
}

/// The elements matching `selector`, in document order; none without a
/// document.
fn elements(selector: &str) -> Vec<Element> {
    let Some(document) = crate::host::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    let Ok(nodes) = document.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into::<Element>().ok())
        .collect()
}
