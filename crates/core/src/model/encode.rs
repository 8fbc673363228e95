//! The model encoder, behind the `encode` feature (used by the CLI).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{
    FLAG_METADATA, HEADER_LEN, ITEM_OUT_OF_STOCK, ITEM_SENSITIVE, MAGIC, MAX_ID_LEN, NO_CATEGORY,
    STEPS_PER_OCTAVE, VERSION,
};

/// Per-item metadata written into the model's metadata sections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemMeta {
    /// The item's category, if known.
    pub category: Option<String>,
    /// The merchant marked the item out of stock.
    pub out_of_stock: bool,
    /// The item is in a sensitive category: never pushed by ranking.
    pub sensitive: bool,
}

#[derive(Clone, Debug, Default)]
struct Entry {
    id: String,
    /// `(item, weight)` in call order; merged and cut when encoding.
    neighbors: Vec<(u32, f32)>,
    count: u64,
    meta: Option<ItemMeta>,
}

/// Collects items, neighbours and metadata, and writes a model file.
///
/// The output is deterministic: the same calls give the same bytes, and
/// items may be declared in any order. Neighbour lists are sorted by weight
/// (ties by item id) and cut to [`ModelBuilder::max_neighbors`].
#[derive(Clone, Debug, Default)]
pub struct ModelBuilder {
    index: HashMap<String, u32>,
    items: Vec<Entry>,
    max_neighbors: Option<usize>,
    revisit_share: f32,
}

impl ModelBuilder {
    /// An empty builder.
    pub fn new() -> ModelBuilder {
        ModelBuilder::default()
    }

    /// Records the revisit share ranking should use with this model (see
    /// [`Model::revisit_share`](super::Model::revisit_share)); values that
    /// are not finite and positive leave it unset.
    pub fn revisit_share(&mut self, share: f32) -> &mut ModelBuilder {
        self.revisit_share = if share.is_finite() && share > 0.0 {
            share
        } else {
            0.0
        };
        self
    }

    /// Keeps at most `k` neighbours per item (the strongest).
    pub fn max_neighbors(&mut self, k: usize) -> &mut ModelBuilder {
        self.max_neighbors = Some(k);
        self
    }

    /// The builder's index of item `id`, declaring it if new: a handle for
    /// [`ModelBuilder::add_neighbor_at`]. Empty ids and ids over
    /// [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes give `None`.
    pub fn entry(&mut self, id: &str) -> Option<u32> {
        if id.is_empty() || id.len() > MAX_ID_LEN || self.items.len() >= u32::MAX as usize {
            return None;
        }
        if let Some(&i) = self.index.get(id) {
            return Some(i);
        }
        let i = self.items.len() as u32;
        self.index.insert(id.to_owned(), i);
        self.items.push(Entry {
            id: id.to_owned(),
            ..Entry::default()
        });
        Some(i)
    }

    fn entry_mut(&mut self, id: &str) -> Option<&mut Entry> {
        let i = self.entry(id)?;
        self.items.get_mut(i as usize)
    }

    /// Declares an item (so it exists even without neighbours). Empty ids and
    /// ids over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes are ignored.
    pub fn add_item(&mut self, id: &str) -> &mut ModelBuilder {
        self.entry(id);
        self
    }

    /// Adds `count` occurrences to an item's popularity.
    pub fn add_count(&mut self, id: &str, count: u64) -> &mut ModelBuilder {
        if let Some(e) = self.entry_mut(id) {
            e.count = e.count.saturating_add(count);
        }
        self
    }

    /// Sets an item's metadata.
    pub fn set_meta(&mut self, id: &str, meta: ItemMeta) -> &mut ModelBuilder {
        if let Some(e) = self.entry_mut(id) {
            e.meta = Some(meta);
        }
        self
    }

    /// Adds `weight` to the similarity of `from` towards `to`. Self-pairs and
    /// weights that are not positive and finite are ignored.
    pub fn add_neighbor(&mut self, from: &str, to: &str, weight: f32) -> &mut ModelBuilder {
        if from == to {
            return self;
        }
        if let (Some(from), Some(to)) = (self.entry(from), self.entry(to)) {
            self.add_neighbor_at(from, to, weight);
        }
        self
    }

    /// [`ModelBuilder::add_neighbor`] by the indexes [`ModelBuilder::entry`]
    /// gave; unknown indexes are ignored.
    pub fn add_neighbor_at(&mut self, from: u32, to: u32, weight: f32) -> &mut ModelBuilder {
        if from == to || !(weight.is_finite() && weight > 0.0) || to as usize >= self.items.len() {
            return self;
        }
        if let Some(e) = self.items.get_mut(from as usize) {
            e.neighbors.push((to, weight));
        }
        self
    }

    /// Forgets every neighbour, keeping the items and their metadata: one
    /// builder can then write several models over the same items.
    pub fn clear_neighbors(&mut self) -> &mut ModelBuilder {
        for e in &mut self.items {
            e.neighbors.clear();
        }
        self
    }

    /// Writes the model file.
    pub fn encode(&self) -> Vec<u8> {
        // Items in id order; `rank` maps an entry to its place in the file.
        let mut places: Vec<usize> = (0..self.items.len()).collect();
        places.sort_unstable_by(|&a, &b| {
            self.items
                .get(a)
                .map(|e| &e.id)
                .cmp(&self.items.get(b).map(|e| &e.id))
        });
        let mut rank = vec![0u32; self.items.len()];
        for (place, &i) in places.iter().enumerate() {
            if let Some(r) = rank.get_mut(i) {
                *r = place as u32;
            }
        }
        let order: Vec<&Entry> = places.iter().filter_map(|&i| self.items.get(i)).collect();
        let k = self.max_neighbors.unwrap_or(usize::MAX);
        // Every kept list, flat: `ends[i]` is where item `i`'s list ends.
        let mut ends: Vec<u32> = Vec::with_capacity(order.len());
        let mut kept: Vec<(u32, f32)> = Vec::new();
        let mut calls: Vec<(u32, f32)> = Vec::new();
        for e in &order {
            calls.clear();
            calls.extend(
                e.neighbors
                    .iter()
                    .filter_map(|&(to, w)| Some((*rank.get(to as usize)?, w))),
            );
            // Stable: repeated pairs are summed in call order.
            calls.sort_by_key(|c| c.0);
            let start = kept.len();
            for &(to, w) in &calls {
                match kept.get_mut(start..).and_then(|l| l.last_mut()) {
                    Some(last) if last.0 == to => last.1 += w,
                    _ => kept.push((to, w)),
                }
            }
            if let Some(list) = kept.get_mut(start..) {
                list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            }
            kept.truncate(start.saturating_add(k).min(kept.len()));
            ends.push(kept.len() as u32);
        }
        let scale = kept
            .iter()
            .map(|&(_, w)| w)
            .fold(0f32, f32::max)
            .max(f32::MIN_POSITIVE);

        let has_metadata = order.iter().any(|e| e.meta.is_some());
        let categories: BTreeMap<&str, u16> = if has_metadata {
            let names: BTreeSet<&str> = order
                .iter()
                .filter_map(|e| e.meta.as_ref()?.category.as_deref())
                .filter(|c| !c.is_empty() && c.len() <= MAX_ID_LEN)
                .collect();
            names
                .into_iter()
                .take(usize::from(NO_CATEGORY))
                .enumerate()
                .map(|(i, c)| (c, i as u16))
                .collect()
        } else {
            BTreeMap::new()
        };

        let mut body = Vec::new();
        let ids: Vec<&str> = order.iter().map(|e| e.id.as_str()).collect();
        write_strings(&mut body, &ids);
        body.extend_from_slice(&0u32.to_le_bytes());
        for end in &ends {
            body.extend_from_slice(&end.to_le_bytes());
        }
        for &(target, _) in &kept {
            body.extend_from_slice(&target.to_le_bytes());
        }
        for &(_, w) in &kept {
            body.push(quantize(w, scale));
        }
        for e in &order {
            body.push(popularity_code(e.count));
        }
        if has_metadata {
            for e in &order {
                let c = e
                    .meta
                    .as_ref()
                    .and_then(|m| categories.get(m.category.as_deref()?).copied())
                    .unwrap_or(NO_CATEGORY);
                body.extend_from_slice(&c.to_le_bytes());
            }
            for e in &order {
                let m = e.meta.clone().unwrap_or_default();
                let mut flags = 0;
                if m.out_of_stock {
                    flags |= ITEM_OUT_OF_STOCK;
                }
                if m.sensitive {
                    flags |= ITEM_SENSITIVE;
                }
                body.push(flags);
            }
            let names: Vec<&str> = categories.keys().copied().collect();
            write_strings(&mut body, &names);
        }

        let id_bytes: usize = ids.iter().map(|s| s.len()).sum();
        let category_bytes: usize = categories.keys().map(|s| s.len()).sum();
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(if has_metadata { FLAG_METADATA } else { 0 }).to_le_bytes());
        out.extend_from_slice(&(ids.len() as u32).to_le_bytes());
        out.extend_from_slice(&(kept.len() as u32).to_le_bytes());
        out.extend_from_slice(&(id_bytes as u32).to_le_bytes());
        out.extend_from_slice(&(categories.len() as u32).to_le_bytes());
        out.extend_from_slice(&(category_bytes as u32).to_le_bytes());
        out.extend_from_slice(&scale.to_bits().to_le_bytes());
        out.extend_from_slice(&self.revisit_share.to_bits().to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        out.extend_from_slice(&body);
        let sum = super::body_checksum(&out).to_le_bytes();
        if let Some(field) = out.get_mut(super::CHECKSUM_AT..HEADER_LEN) {
            field.copy_from_slice(&sum);
        }
        out
    }
}

fn write_strings(out: &mut Vec<u8>, strings: &[&str]) {
    let mut offset = 0u32;
    out.extend_from_slice(&0u32.to_le_bytes());
    for s in strings {
        offset += s.len() as u32;
        out.extend_from_slice(&offset.to_le_bytes());
    }
    for s in strings {
        out.extend_from_slice(s.as_bytes());
    }
}

/// The code `q` whose weight `scale * 2^((q - 255) / 16)` is nearest `w` on a
/// log scale.
fn quantize(w: f32, scale: f32) -> u8 {
    let q = 255.0 + STEPS_PER_OCTAVE * f64::from(w / scale).log2();
    q.round().clamp(0.0, 255.0) as u8
}

fn popularity_code(count: u64) -> u8 {
    (16.0 * (count as f64).ln_1p() / std::f64::consts::LN_2)
        .round()
        .min(255.0) as u8
}
