//! The model encoder, behind the `encode` feature (used by the CLI).

use std::collections::{BTreeMap, BTreeSet};

use foldhash::HashMap;

use sha2::{Digest as _, Sha256};

use super::sharded::{self, DIGEST_LEN, Digest, FileKind};
use super::{
    FLAG_METADATA, HEADER_LEN, ITEM_OUT_OF_STOCK, ITEM_SENSITIVE, MAGIC, MAX_ID_LEN, MAX_PART_BITS,
    NO_CATEGORY, Part, STEPS_PER_OCTAVE, VERSION,
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
    /// What the previous build wrote of the item (see [`ModelBuilder::follow`]).
    previous: Option<Previous>,
}

/// An item in the previous build: its neighbours (builder indexes, in
/// order) with the weights their codes stood for, the strongest of them,
/// and its popularity code.
#[derive(Clone, Debug, Default)]
struct Previous {
    neighbors: Vec<(u32, f32)>,
    strongest: f32,
    popularity: u8,
}

impl Previous {
    /// The weight the previous build gave neighbour `item`, if it kept it.
    fn weight_of(&self, item: u32) -> Option<f32> {
        let at = self.neighbors.binary_search_by_key(&item, |n| n.0).ok()?;
        self.neighbors.get(at).map(|n| n.1)
    }

    /// Whether `weight` is near enough to `old`, a weight of this list, to
    /// keep its code ([`KEEP_WITHIN`], [`KEEP_NEAR`]).
    fn keeps(&self, old: f32, weight: f32) -> bool {
        (weight <= old * KEEP_WITHIN && old <= weight * KEEP_WITHIN)
            || (weight - old).abs() <= KEEP_NEAR * self.strongest
    }
}

/// How far a weight may move from the previous build's and keep its code,
/// as a ratio: five quantization steps (`2^(5/16)`, 24 %).
const KEEP_WITHIN: f32 = 1.242;

/// How far a weight may move and keep its code, whatever the ratio, as a
/// share of the strongest weight of its list in the previous build: a
/// seed's weak neighbours, whose small weights swing most from day to day,
/// move a ranking's scores least. With [`KEEP_WITHIN`], on DIGINETICA with
/// a day more data (`docs/benchmarks.md`), 53 % of the parts at 16 items a
/// part stay byte-identical (20 % with 2.5 steps alone, 0 % without
/// following), for HR@20 0.11 points under a fresh build's.
const KEEP_NEAR: f32 = 0.1;

/// How the encoder runs its work on every item: a block of items at a
/// time, in order on this thread ([`InOrder`]) or on several threads (a
/// native caller's). The bytes written are the same either way.
pub trait Blocks {
    /// `work` on consecutive blocks of `items`, covering them all, with the
    /// results in block order.
    fn map<T: Sync, R: Send>(&self, items: &[T], work: &(dyn Fn(&[T]) -> R + Sync)) -> Vec<R>;
}

/// [`Blocks`] as one block, on this thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct InOrder;

impl Blocks for InOrder {
    fn map<T: Sync, R: Send>(&self, items: &[T], work: &(dyn Fn(&[T]) -> R + Sync)) -> Vec<R> {
        vec![work(items)]
    }
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

    /// [`ModelBuilder::add_count`] by the index [`ModelBuilder::entry`]
    /// gave; an unknown index is ignored.
    pub fn add_count_at(&mut self, item: u32, count: u64) -> &mut ModelBuilder {
        if let Some(e) = self.items.get_mut(item as usize) {
            e.count = e.count.saturating_add(count);
        }
        self
    }

    /// [`ModelBuilder::set_meta`] by the index [`ModelBuilder::entry`]
    /// gave; an unknown index is ignored.
    pub fn set_meta_at(&mut self, item: u32, meta: ItemMeta) -> &mut ModelBuilder {
        if let Some(e) = self.items.get_mut(item as usize) {
            e.meta = Some(meta);
        }
        self
    }

    /// Declares an item (so it exists even without neighbours). Empty ids and
    /// ids over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes are ignored.
    pub fn add_item(&mut self, id: &str) -> &mut ModelBuilder {
        self.entry(id);
        self
    }

    /// Adds `count` occurrences to an item's popularity.
    pub fn add_count(&mut self, id: &str, count: u64) -> &mut ModelBuilder {
        if let Some(i) = self.entry(id) {
            self.add_count_at(i, count);
        }
        self
    }

    /// Sets an item's metadata.
    pub fn set_meta(&mut self, id: &str, meta: ItemMeta) -> &mut ModelBuilder {
        if let Some(i) = self.entry(id) {
            self.set_meta_at(i, meta);
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
        if !self.usable(from, to, weight) {
            return self;
        }
        if let Some(e) = self.items.get_mut(from as usize) {
            e.neighbors.push((to, weight));
        }
        self
    }

    /// Gives `from` the neighbours `neighbors` (builder indexes), in place
    /// of any it had: [`ModelBuilder::add_neighbor_at`] for each pair, the
    /// same pairs ignored, without copying a list made elsewhere pair by
    /// pair.
    pub fn set_neighbors_at(
        &mut self,
        from: u32,
        mut neighbors: Vec<(u32, f32)>,
    ) -> &mut ModelBuilder {
        neighbors.retain(|&(to, w)| self.usable(from, to, w));
        if let Some(e) = self.items.get_mut(from as usize) {
            e.neighbors = neighbors;
        }
        self
    }

    /// Whether the pair `from` → `to` of `weight` is one to keep: not a
    /// self-pair, towards a declared item, with a positive, finite weight.
    fn usable(&self, from: u32, to: u32, weight: f32) -> bool {
        from != to && weight.is_finite() && weight > 0.0 && (to as usize) < self.items.len()
    }

    /// Makes the next encoding keep what `previous` (the last build) wrote
    /// wherever the new data moved it little: a weight that moved by less
    /// than five quantization steps, or by less than a tenth of its list's
    /// strongest weight, keeps its code; a popularity its code within one;
    /// and a list its neighbours, unless a newcomer outweighs one by as much
    /// (the cut at [`ModelBuilder::max_neighbors`] chooses among the lists
    /// given, so give more than that for it to choose). A nightly rebuild
    /// then changes only the lists that really changed, and leaves most
    /// parts of a sharded model byte-identical — cached by returning
    /// shoppers. Call it once the items are declared; items `previous` does
    /// not know are encoded as usual.
    pub fn follow<L: super::Lookup>(&mut self, previous: &L) -> &mut ModelBuilder {
        for i in 0..self.items.len() {
            let Some(entry) = self.items.get(i) else {
                continue;
            };
            let Some((part, index)) = previous.find(&entry.id) else {
                continue;
            };
            let mut neighbors: Vec<(u32, f32)> = part
                .neighbors(index)
                .filter_map(|n| Some((*self.index.get(part.item_id(n.item)?)?, n.weight)))
                .collect();
            neighbors.sort_unstable_by_key(|n| n.0);
            let strongest = neighbors.iter().map(|n| n.1).fold(0.0, f32::max);
            let popularity = part.popularity(index);
            if let Some(e) = self.items.get_mut(i) {
                e.previous = Some(Previous {
                    neighbors,
                    strongest,
                    popularity,
                });
            }
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

    /// Writes the model as one file.
    pub fn encode(&self) -> Vec<u8> {
        let prepared = self.prepare(&InOrder);
        let all: Vec<u32> = (0..prepared.order.len() as u32).collect();
        prepared.write(&all, Part::default(), self.revisit_share)
    }

    /// Writes the model as a sharded one (see [`sharded`](super::sharded))
    /// of about `items_per_part` items per part: `2^p` parts for `p` the
    /// least that reaches it. The manifest holds at most 256 digests (8 KiB)
    /// and each index file 16 (0.5 KiB), with as few levels of index files
    /// as that allows: none up to 256 parts, one up to 4,096, two up to
    /// 65,536. [`ModelBuilder::sharding`] does the same a part at a time.
    pub fn encode_sharded(&self, items_per_part: usize) -> ShardedFiles {
        let sharding = self.sharding(items_per_part, &InOrder);
        let parts: Vec<Option<PartFile>> =
            (0..sharding.parts()).map(|n| sharding.part(n)).collect();
        sharding.finish(parts)
    }

    /// [`ModelBuilder::encode_sharded`] in steps, for a caller that writes
    /// the parts on several threads: the lists are cut and merged by
    /// `blocks`, then [`Sharding::part`] for every number below
    /// [`Sharding::parts`], in any order and on any thread, then
    /// [`Sharding::finish`] with them in number order.
    pub fn sharding(&self, items_per_part: usize, blocks: &impl Blocks) -> Sharding<'_> {
        let parts = self.items.len().div_ceil(items_per_part.max(1));
        let part_bits = parts
            .next_power_of_two()
            .trailing_zeros()
            .min(MAX_PART_BITS);
        let levels = part_bits.saturating_sub(MAX_INDEX_BITS).div_ceil(FAN_BITS);
        let prepared = self.prepare(blocks);
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); 1 << part_bits];
        for (rank, e) in prepared.order.iter().enumerate() {
            if let Some(m) = members.get_mut(sharded::part_of(e.id.as_bytes(), part_bits) as usize)
            {
                m.push(rank as u32);
            }
        }
        Sharding {
            header: Header {
                shape: (part_bits, part_bits - levels * FAN_BITS, FAN_BITS),
                items: prepared.order.len() as u32,
                revisit_share: self.revisit_share,
            },
            levels,
            prepared,
            members,
        }
    }

    /// Sorts the items by id and cuts, merges and quantizes every list,
    /// the lists a block at a time by `blocks`.
    fn prepare(&self, blocks: &impl Blocks) -> Prepared<'_> {
        // Items in id order; `rank` maps an entry to its place in the file.
        // Sorted by the ids' first eight bytes, read once into the array
        // being sorted, and by the whole ids only where those are equal: a
        // million ids sort without chasing a pointer per comparison.
        let id = |i: usize| self.items.get(i).map_or(&[][..], |e| e.id.as_bytes());
        let mut keyed: Vec<(u64, usize)> = (0..self.items.len())
            .map(|i| {
                let mut prefix = [0u8; 8];
                for (p, b) in prefix.iter_mut().zip(id(i)) {
                    *p = *b;
                }
                (u64::from_be_bytes(prefix), i)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| id(a.1).cmp(id(b.1))));
        let places: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
        let mut rank = vec![0u32; self.items.len()];
        for (place, &i) in places.iter().enumerate() {
            if let Some(r) = rank.get_mut(i) {
                *r = place as u32;
            }
        }
        let order: Vec<&Entry> = places.iter().filter_map(|&i| self.items.get(i)).collect();
        let k = self.max_neighbors.unwrap_or(usize::MAX);
        // Each block's kept lists, flat: `ends[i]` is where its item `i`'s
        // list ends.
        let cut_lists = |block: &[&Entry]| {
            let mut ends: Vec<u32> = Vec::with_capacity(block.len());
            let mut kept: Vec<(u32, f32)> = Vec::new();
            let mut calls: Vec<(u32, f32)> = Vec::new();
            let mut ranked: Vec<(f32, u32, f32)> = Vec::new();
            for e in block {
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
                let list = kept.get_mut(start..).unwrap_or_default();
                match &e.previous {
                    None => {
                        list.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                    }
                    Some(previous) => {
                        // A weight near its previous one takes it back; a
                        // newcomer displaces a neighbour at the cut only if
                        // it outweighs it by as much: `(rank by, target,
                        // weight)`.
                        ranked.clear();
                        ranked.extend(list.iter().map(|&(to, w)| {
                            let old = places
                                .get(to as usize)
                                .and_then(|&i| previous.weight_of(i as u32));
                            match old {
                                Some(old) if previous.keeps(old, w) => (old, to, old),
                                Some(_) => (w, to, w),
                                None => (w / KEEP_WITHIN, to, w),
                            }
                        }));
                        ranked.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                        for (slot, &(_, to, w)) in list.iter_mut().zip(&ranked) {
                            *slot = (to, w);
                        }
                    }
                }
                kept.truncate(start.saturating_add(k).min(kept.len()));
                ends.push(kept.len() as u32);
            }
            (ends, kept)
        };
        let cut = blocks.map(&order, &cut_lists);
        let popularity = order
            .iter()
            .map(|e| {
                let code = popularity_code(e.count);
                match &e.previous {
                    Some(p) if code.abs_diff(p.popularity) <= 1 => p.popularity,
                    _ => code,
                }
            })
            .collect();
        // The largest weight rounded up to a power of two: a rebuild with a
        // little more data keeps it, and with it every code that did not
        // move (the top octave of codes may go unused).
        let largest = cut
            .iter()
            .flat_map(|(_, kept)| kept.iter().map(|&(_, w)| w))
            .fold(0f32, f32::max)
            .max(f32::MIN_POSITIVE);
        let scale = 2f32.powi(largest.log2().ceil() as i32);
        // The file keeps codes, not weights: each list in the order of its
        // codes (ties by id), so that equal codes give equal bytes whatever
        // the weights behind them.
        let quantized = blocks.map(&cut, &|cut| {
            cut.iter()
                .map(|(ends, kept)| {
                    let mut codes: Vec<(u32, u8)> = kept
                        .iter()
                        .map(|&(to, w)| (to, quantize(w, scale)))
                        .collect();
                    let mut start = 0;
                    for &end in ends {
                        if let Some(list) = codes.get_mut(start..end as usize) {
                            list.sort_unstable_by_key(|&(to, code)| (core::cmp::Reverse(code), to));
                        }
                        start = end as usize;
                    }
                    codes
                })
                .collect::<Vec<_>>()
        });
        // The blocks' lists end to end.
        let mut ends: Vec<u32> = Vec::with_capacity(order.len());
        let mut kept: Vec<(u32, u8)> =
            Vec::with_capacity(cut.iter().map(|(_, kept)| kept.len()).sum());
        for ((block_ends, _), codes) in cut.iter().zip(quantized.into_iter().flatten()) {
            let offset = kept.len() as u32;
            ends.extend(block_ends.iter().map(|&end| offset + end));
            kept.extend(codes);
        }
        let has_metadata = order.iter().any(|e| e.meta.is_some());
        Prepared {
            order,
            ends,
            kept,
            popularity,
            scale,
            has_metadata,
        }
    }
}

/// Most index bits the encoder chooses: 256 digests, 8 KiB, in the manifest.
const MAX_INDEX_BITS: u32 = 8;

/// Bits each level of index files takes: 16 digests, 0.5 KiB, a file.
const FAN_BITS: u32 = 4;

/// What a sharded encoding writes: the manifest, and every other file by
/// name (see [`sharded::file_name`]).
#[derive(Clone, Debug)]
pub struct ShardedFiles {
    /// The entry file, `manifest.swm`.
    pub manifest: Vec<u8>,
    /// The index files and parts, `(name, bytes)`.
    pub files: Vec<(String, Vec<u8>)>,
}

/// A sharded encoding under way (see [`ModelBuilder::sharding`]): the items
/// sorted, cut and assigned to their parts.
pub struct Sharding<'a> {
    header: Header,
    levels: u32,
    prepared: Prepared<'a>,
    /// Each part's items, by place in id order.
    members: Vec<Vec<u32>>,
}

/// A part of a sharded model, written.
#[derive(Clone, Debug)]
pub struct PartFile {
    /// Its content name, [`sharded::file_name`].
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    digest: Digest,
}

impl Sharding<'_> {
    /// How many parts there are, empty ones included.
    pub fn parts(&self) -> usize {
        self.members.len()
    }

    /// Writes part `number`; an empty part, or a number past
    /// [`Sharding::parts`], gives `None` (no file).
    pub fn part(&self, number: usize) -> Option<PartFile> {
        let items = self.members.get(number).filter(|m| !m.is_empty())?;
        let part = Part {
            number: number as u32,
            bits: self.header.shape.0,
        };
        let bytes = self.prepared.write(items, part, self.header.revisit_share);
        let digest: Digest = Sha256::digest(&bytes).into();
        Some(PartFile {
            name: sharded::file_name(&digest, FileKind::Part),
            bytes,
            digest,
        })
    }

    /// Writes the index files and the manifest over `parts`, which are
    /// [`Sharding::part`] of every number in order.
    pub fn finish(self, parts: impl IntoIterator<Item = Option<PartFile>>) -> ShardedFiles {
        let mut files = Vec::new();
        let mut digests = Vec::with_capacity(self.members.len());
        for part in parts {
            match part {
                Some(p) => {
                    digests.push(p.digest);
                    files.push((p.name, p.bytes));
                }
                None => digests.push([0; DIGEST_LEN]),
            }
        }
        // Index files from the parts up: each level's digests, 16 to a file,
        // are the rows of the level above; a file with no rows is not there.
        for level in (1..=self.levels).rev() {
            let mut above = Vec::with_capacity(digests.len() >> FAN_BITS);
            for (number, rows) in digests.chunks(1 << FAN_BITS).enumerate() {
                if rows.iter().all(|d| *d == [0; DIGEST_LEN]) {
                    above.push([0; DIGEST_LEN]);
                    continue;
                }
                let bytes = self.header.write(level, number as u32, rows);
                let digest: Digest = Sha256::digest(&bytes).into();
                files.push((sharded::file_name(&digest, FileKind::Index(level)), bytes));
                above.push(digest);
            }
            digests = above;
        }
        ShardedFiles {
            manifest: self.header.write(0, 0, &digests),
            files,
        }
    }
}

/// The builder's items in id order, with their lists cut and merged.
struct Prepared<'a> {
    order: Vec<&'a Entry>,
    /// Where each item's list ends in `kept`.
    ends: Vec<u32>,
    /// `(target's place in order, weight code)`.
    kept: Vec<(u32, u8)>,
    /// Each item's popularity code, by place.
    popularity: Vec<u8>,
    scale: f32,
    has_metadata: bool,
}

impl Prepared<'_> {
    /// Writes the file holding the items at places `members` (sorted) with
    /// their lists; neighbours outside `members` become externals.
    fn write(&self, members: &[u32], part: Part, revisit_share: f32) -> Vec<u8> {
        let whole = members.len() == self.order.len();
        let list = |place: u32| {
            let start = match place {
                0 => 0,
                p => self.ends.get(p as usize - 1).copied().unwrap_or(0),
            };
            let end = self.ends.get(place as usize).copied().unwrap_or(start);
            self.kept
                .get(start as usize..end as usize)
                .unwrap_or_default()
        };
        // Externals, in id order: the neighbours that are not members.
        let externals: Vec<u32> = if whole {
            Vec::new()
        } else {
            let mut externals: Vec<u32> = members
                .iter()
                .flat_map(|&m| list(m).iter().map(|&(to, _)| to))
                .filter(|to| members.binary_search(to).is_err())
                .collect();
            externals.sort_unstable();
            externals.dedup();
            externals
        };
        let local = |place: u32| -> u32 {
            if whole {
                return place;
            }
            match members.binary_search(&place) {
                Ok(i) => i as u32,
                Err(_) => {
                    members.len() as u32 + externals.binary_search(&place).unwrap_or(0) as u32
                }
            }
        };
        let entry = |place: &u32| self.order.get(*place as usize).copied();
        let items: Vec<&Entry> = members.iter().filter_map(entry).collect();
        let named: Vec<&Entry> = items
            .iter()
            .copied()
            .chain(externals.iter().filter_map(entry))
            .collect();

        let categories: BTreeMap<&str, u16> = if self.has_metadata {
            let names: BTreeSet<&str> = named
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

        let ids: Vec<&str> = items.iter().map(|e| e.id.as_str()).collect();
        let external_ids: Vec<&str> = externals
            .iter()
            .filter_map(entry)
            .map(|e| e.id.as_str())
            .collect();
        let id_bytes: usize = ids.iter().map(|s| s.len()).sum();
        let external_bytes: usize = external_ids.iter().map(|s| s.len()).sum();
        let edges: usize = members.iter().map(|&m| list(m).len()).sum();
        // The file in one buffer, the header's fields written last: a
        // million-item model's parts are 650 MB, grown and copied again
        // otherwise.
        let mut body = Vec::with_capacity(
            HEADER_LEN
                + id_bytes
                + external_bytes
                + 4 * (ids.len() + external_ids.len() + 3)
                + 5 * edges
                + 5 * ids.len()
                + 3 * named.len(),
        );
        body.resize(HEADER_LEN, 0);
        write_strings(&mut body, &ids);
        let mut end = 0u32;
        body.extend_from_slice(&end.to_le_bytes());
        for &m in members {
            end += list(m).len() as u32;
            body.extend_from_slice(&end.to_le_bytes());
        }
        for &m in members {
            for &(target, _) in list(m) {
                body.extend_from_slice(&local(target).to_le_bytes());
            }
        }
        for &m in members {
            body.extend(list(m).iter().map(|&(_, code)| code));
        }
        body.extend(
            members
                .iter()
                .map(|&m| self.popularity.get(m as usize).copied().unwrap_or(0)),
        );
        if !external_ids.is_empty() {
            write_strings(&mut body, &external_ids);
        }
        if self.has_metadata {
            for e in &named {
                let c = e
                    .meta
                    .as_ref()
                    .and_then(|m| categories.get(m.category.as_deref()?).copied())
                    .unwrap_or(NO_CATEGORY);
                body.extend_from_slice(&c.to_le_bytes());
            }
            for e in &named {
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

        let category_bytes: usize = categories.keys().map(|s| s.len()).sum();
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(&MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        let flags = if self.has_metadata { FLAG_METADATA } else { 0 };
        header.extend_from_slice(&flags.to_le_bytes());
        for field in [
            ids.len() as u32,
            end,
            id_bytes as u32,
            categories.len() as u32,
            category_bytes as u32,
            self.scale.to_bits(),
            revisit_share.to_bits(),
            external_ids.len() as u32,
            external_bytes as u32,
            part.number,
            part.bits,
        ] {
            header.extend_from_slice(&field.to_le_bytes());
        }
        header.extend_from_slice(&0u64.to_le_bytes());
        if let Some(space) = body.get_mut(..HEADER_LEN) {
            space.copy_from_slice(&header);
        }
        seal(&mut body, HEADER_LEN);
        body
    }
}

/// What every directory file of a sharded model says alike.
struct Header {
    /// Part, index and fan bits.
    shape: (u32, u32, u32),
    items: u32,
    revisit_share: f32,
}

impl Header {
    /// The manifest (level 0) or an index file over `digests`.
    fn write(&self, level: u32, number: u32, digests: &[Digest]) -> Vec<u8> {
        let kind: u16 = if level == 0 { 0 } else { 1 };
        let (part_bits, index_bits, fan_bits) = self.shape;
        let mut out = Vec::with_capacity(sharded::HEADER_LEN + digests.len() * DIGEST_LEN);
        out.extend_from_slice(&sharded::MAGIC);
        out.extend_from_slice(&sharded::VERSION.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        for field in [
            part_bits,
            index_bits,
            fan_bits,
            level,
            number,
            self.items,
            self.revisit_share.to_bits(),
        ] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        out.extend_from_slice(&0u64.to_le_bytes());
        for d in digests {
            out.extend_from_slice(d);
        }
        seal(&mut out, sharded::HEADER_LEN);
        out
    }
}

/// Writes the checksum into the last 8 bytes of a `header_len`-byte header.
fn seal(out: &mut [u8], header_len: usize) {
    let sum = super::body_checksum(out, header_len).to_le_bytes();
    if let Some(field) = out.get_mut(header_len - 8..header_len) {
        field.copy_from_slice(&sum);
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
