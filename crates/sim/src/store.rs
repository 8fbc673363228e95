//! The demo store as data: its catalogue, the sample sessions its model is
//! built from, and what each page shows. `cargo xtask demo` renders these
//! pages as HTML; the native simulator shops in them through the core. One
//! definition, so that both are the same store.
//!
//! Everything comes from fixed seeds: the same commit gives the same store.

use std::fmt::Write as _;

use shelfwise_core::beacon::{Page, Widget};

/// Category names, with the nouns of their products; the last one is the
/// sensitive category (marked so in the catalogue, and nobody is simulated
/// into it).
pub const CATEGORIES: &[(&str, &[&str])] = &[
    ("Shoes", &["Sneaker", "Loafer", "Boot", "Sandal", "Runner"]),
    (
        "Jackets",
        &["Parka", "Blazer", "Windbreaker", "Denim Jacket", "Puffer"],
    ),
    ("Hats", &["Beanie", "Fedora", "Cap", "Bucket Hat", "Beret"]),
    (
        "Bags",
        &["Tote", "Backpack", "Duffel", "Messenger", "Clutch"],
    ),
    (
        "Watches",
        &[
            "Chronograph",
            "Field Watch",
            "Diver",
            "Dress Watch",
            "Smartwatch",
        ],
    ),
    (
        "Kitchen",
        &[
            "Skillet",
            "Chef Knife",
            "Kettle",
            "Dutch Oven",
            "Cutting Board",
        ],
    ),
    (
        "Bedding",
        &["Duvet", "Pillow", "Throw", "Sheet Set", "Quilt"],
    ),
    (
        "Lighting",
        &["Desk Lamp", "Pendant", "Floor Lamp", "Lantern", "Sconce"],
    ),
    (
        "Books",
        &["Cookbook", "Novel", "Field Guide", "Atlas", "Anthology"],
    ),
    (
        "Toys",
        &["Puzzle", "Kite", "Building Set", "Plush Bear", "Yo-yo"],
    ),
    (
        "Garden",
        &["Trowel", "Planter", "Watering Can", "Hose Reel", "Pruner"],
    ),
    (
        "Pharmacy",
        &[
            "Vitamin D",
            "Pain Relief",
            "Allergy Tabs",
            "First Aid Kit",
            "Sleep Aid",
        ],
    ),
];
const ADJECTIVES: &[&str] = &[
    "Classic", "Urban", "Alpine", "Coastal", "Nordic", "Vintage", "Everyday", "Studio",
];
/// Products per category.
pub const PER_CATEGORY: usize = 20;
/// Sample sessions the model is built from.
const SESSIONS: usize = 4000;
/// How many of the merchant's cross-category picks the store has.
const PICKS: usize = 24;

/// One product of the catalogue.
#[derive(Clone, Debug)]
pub struct Product {
    /// `sku-CCIII`: category CC and place III, from 1.
    pub id: String,
    /// Adjective and noun.
    pub name: String,
    /// Index into [`CATEGORIES`].
    pub category: usize,
    /// The price in cents.
    pub price_cents: u64,
    /// Out of stock: it cannot be put in the cart.
    pub out_of_stock: bool,
}

impl Product {
    /// The category's name.
    pub fn category_name(&self) -> &'static str {
        CATEGORIES[self.category].0
    }

    /// The price in currency units.
    pub fn price(&self) -> f64 {
        self.price_cents as f64 / 100.0
    }
}

/// A small deterministic generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// SplitMix64's finalizer: a well-spread 64-bit hash of `z`.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform in [0, 1), from a hash of `z`.
pub fn unit(z: u64) -> f64 {
    (mix(z) >> 11) as f64 / (1u64 << 53) as f64
}

/// What a page shows: its type, the product it is about, the banner, and
/// its widgets in page order.
#[derive(Clone, Debug)]
pub struct Layout {
    /// `data-shelfwise-page`.
    pub page: Page,
    /// The product a product page shows (`data-shelfwise-view`).
    pub product: Option<usize>,
    /// Whether the page has the campaign banner (one variant per category).
    pub banner: bool,
    /// The widgets, top to bottom.
    pub shelves: Vec<Shelf>,
}

/// One widget as the merchant writes it.
#[derive(Clone, Debug)]
pub struct Shelf {
    /// `data-shelfwise-widget`.
    pub kind: Widget,
    /// The heading above it.
    pub title: String,
    /// The products, in the merchant's order.
    pub items: Vec<usize>,
    /// `data-shelfwise-limit`.
    pub limit: Option<usize>,
    /// `data-shelfwise-anchor`.
    pub anchor: Option<usize>,
}

impl Shelf {
    fn new(kind: Widget, title: &str, items: Vec<usize>, limit: Option<usize>) -> Shelf {
        Shelf {
            kind,
            title: title.to_owned(),
            items,
            limit,
            anchor: None,
        }
    }
}

/// The demo store.
#[derive(Clone, Debug)]
pub struct Store {
    /// Every product, category by category.
    pub products: Vec<Product>,
}

impl Store {
    /// The store, from its fixed seed.
    pub fn demo() -> Store {
        let mut rng = Rng(2016);
        let mut products = Vec::new();
        for (c, (_, nouns)) in CATEGORIES.iter().enumerate() {
            for i in 0..PER_CATEGORY {
                let noun = nouns[i % nouns.len()];
                let adjective = ADJECTIVES[(i / nouns.len() + c) % ADJECTIVES.len()];
                products.push(Product {
                    id: format!("sku-{:02}{:03}", c + 1, i + 1),
                    name: format!("{adjective} {noun}"),
                    category: c,
                    price_cents: 900 + rng.below(40) as u64 * 250 + 99,
                    out_of_stock: rng.chance(4),
                });
            }
        }
        Store { products }
    }

    /// Whether category `c` is the sensitive one.
    pub fn is_sensitive(c: usize) -> bool {
        c == CATEGORIES.len() - 1
    }

    /// The merchant's cross-category picks: a few items of every category
    /// but the sensitive one.
    pub fn picks(&self) -> Vec<usize> {
        let open = CATEGORIES.len() - 1;
        (0..PICKS)
            .map(|i| (i % open) * PER_CATEGORY + i / open)
            .collect()
    }

    /// The home page: the banner, the picks reordered for the shopper, and
    /// what they viewed.
    pub fn home(&self) -> Layout {
        Layout {
            page: Page::Home,
            product: None,
            banner: true,
            shelves: vec![
                Shelf::new(
                    Widget::Reorder,
                    "Recommended for you",
                    self.picks(),
                    Some(8),
                ),
                Shelf::new(
                    Widget::RecentlyViewed,
                    "Recently viewed",
                    self.picks(),
                    Some(4),
                ),
            ],
        }
    }

    /// Category `c`'s page: all of its products, then the picks.
    pub fn category(&self, c: usize) -> Layout {
        let name = CATEGORIES[c].0;
        let all = (c * PER_CATEGORY..(c + 1) * PER_CATEGORY).collect();
        Layout {
            page: Page::Category,
            product: None,
            banner: false,
            shelves: vec![
                Shelf::new(
                    Widget::Reorder,
                    &format!("All {}", name.to_lowercase()),
                    all,
                    None,
                ),
                Shelf::new(Widget::Reorder, "You may also like", self.picks(), Some(6)),
            ],
        }
    }

    /// Product `i`'s page: similar items (nine of its category and four
    /// others), and what goes with the cart.
    pub fn product(&self, i: usize) -> Layout {
        let p = &self.products[i];
        let same = (p.category * PER_CATEGORY..(p.category + 1) * PER_CATEGORY)
            .filter(|&q| q != i)
            .take(9);
        let others = (1..=4).map(|k| (i + k * 37) % self.products.len());
        let similar = Shelf {
            anchor: Some(i),
            ..Shelf::new(
                Widget::Similar,
                "Similar items",
                same.chain(others).collect(),
                Some(6),
            )
        };
        Layout {
            page: Page::Product,
            product: Some(i),
            banner: false,
            shelves: vec![
                similar,
                Shelf::new(
                    Widget::BoughtTogether,
                    "Goes well with your cart",
                    self.picks(),
                    Some(4),
                ),
            ],
        }
    }

    /// The cart page.
    pub fn cart(&self) -> Layout {
        Layout {
            page: Page::Cart,
            product: None,
            banner: false,
            shelves: vec![Shelf::new(
                Widget::BoughtTogether,
                "Frequently bought together",
                self.picks(),
                Some(4),
            )],
        }
    }

    /// The catalogue file `shelfwise build --catalog` reads.
    pub fn catalog_csv(&self) -> String {
        let mut csv = String::from("item_id,category,out_of_stock,sensitive\n");
        for p in &self.products {
            let _ = writeln!(
                csv,
                "{},{},{},{}",
                p.id,
                p.category_name(),
                u8::from(p.out_of_stock),
                u8::from(Store::is_sensitive(p.category))
            );
        }
        csv
    }

    /// Sample sessions, the model's training log: shoppers with a hidden
    /// favourite category browse mostly within it, near the items they just
    /// saw, and sometimes add or buy.
    pub fn sample_events(&self) -> String {
        let mut rng = Rng(42);
        let mut csv = String::from("session_id,timestamp,item_id,event,category\n");
        let mut t: u64 = 1_700_000_000;
        for session in 0..SESSIONS {
            let favourite = rng.below(CATEGORIES.len() - 1);
            let length = 3 + rng.below(10);
            let mut current = favourite * PER_CATEGORY + rng.below(PER_CATEGORY);
            for _ in 0..length {
                t += 20 + rng.below(120) as u64;
                let p = &self.products[current];
                let event = if rng.chance(12) {
                    "addtocart"
                } else if rng.chance(3) {
                    "transaction"
                } else {
                    "view"
                };
                let _ = writeln!(csv, "s{session},{t},{},{event},{}", p.id, p.category_name());
                current = if rng.chance(80) {
                    // Stay in the category, near the current item.
                    let base = favourite * PER_CATEGORY;
                    let offset =
                        (current % PER_CATEGORY + PER_CATEGORY + rng.below(7) - 3) % PER_CATEGORY;
                    base + offset
                } else {
                    rng.below(self.products.len())
                };
            }
        }
        csv
    }

    /// The product with `id`, if the store sells it.
    pub fn find(&self, id: &str) -> Option<usize> {
        let number = id.strip_prefix("sku-")?;
        let (c, i) = number.split_at_checked(2)?;
        let (c, i): (usize, usize) = (c.parse().ok()?, i.parse().ok()?);
        let index = (c.checked_sub(1)?) * PER_CATEGORY + i.checked_sub(1)?;
        (i <= PER_CATEGORY && self.products.get(index)?.id == id).then_some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_products() {
        let store = Store::demo();
        assert_eq!(store.products.len(), CATEGORIES.len() * PER_CATEGORY);
        for (i, p) in store.products.iter().enumerate() {
            assert_eq!(store.find(&p.id), Some(i));
        }
        for id in ["sku-00001", "sku-01021", "sku-13001", "sku-1", "x"] {
            assert_eq!(store.find(id), None, "{id}");
        }
    }

    #[test]
    fn the_picks_leave_out_the_sensitive_category() {
        let store = Store::demo();
        let picks = store.picks();
        assert_eq!(picks.len(), PICKS);
        assert!(
            picks
                .iter()
                .all(|&i| !Store::is_sensitive(store.products[i].category))
        );
    }
}
