//! The compact item-similarity model and its binary wire format.
//!
//! A model maps each item to a short list of neighbours with quantized
//! weights, plus optional per-item metadata (category, flags). The format is
//! specified in `docs/model-format.md`; in short, a 64-byte little-endian
//! header (magic, version, counts, weight scale, part, checksum) followed by
//! flat sections whose sizes all follow from the header's counts.
//!
//! A file is either a whole model or one *part* of a [sharded](sharded) one:
//! the items whose ids hash to it, each with its neighbour list, and the
//! neighbours that live in other parts as *externals* (id and metadata, no
//! list of their own). Ranking asks a model only about the shopper's seeds
//! and their neighbours, so one part per seed answers exactly as the whole
//! file does.
//!
//! [`Model::decode`] validates everything once, up front — magic, version,
//! checksum, every length and offset, every index, UTF-8, sort orders — and
//! then reads values straight out of the caller's buffer: nothing is copied
//! and no allocation depends on an untrusted length.

#[cfg(feature = "encode")]
mod encode;
mod error;
pub mod sharded;

use core::ops::Range;

#[cfg(feature = "encode")]
pub use encode::{Blocks, InOrder, ItemMeta, ModelBuilder, PartFile, ShardedFiles, Sharding};
pub use error::DecodeError;

/// The eight bytes every model file starts with. Like PNG's signature, the
/// high-bit first byte and the CR LF / LF pair catch text-mode transfers.
pub const MAGIC: [u8; 8] = *b"\x89SWM\r\n\x1a\n";

/// The format version this build writes; it reads version 1 too (a whole
/// model, no externals, a 48-byte header).
pub const VERSION: u16 = 2;

/// Size of the fixed header in bytes.
pub const HEADER_LEN: usize = 64;

/// Size of a version-1 header.
const HEADER_LEN_V1: usize = 48;

/// Most part bits a sharded model may use (16 million parts).
pub const MAX_PART_BITS: u32 = 24;

/// Longest item id or category name accepted, in bytes.
pub const MAX_ID_LEN: usize = 1024;

/// Header flag: the file carries the metadata sections.
const FLAG_METADATA: u16 = 1;

/// Item flag: the merchant marked the item out of stock.
pub const ITEM_OUT_OF_STOCK: u8 = 1;
/// Item flag: the item belongs to a sensitive category and is never pushed.
pub const ITEM_SENSITIVE: u8 = 2;
const KNOWN_ITEM_FLAGS: u8 = ITEM_OUT_OF_STOCK | ITEM_SENSITIVE;

/// Category index meaning "no category" in the metadata section.
const NO_CATEGORY: u16 = u16::MAX;

/// Weight quantization: `w(q) = scale * 2^((q - 255) / 16)`, sixteen steps
/// per octave, so 256 codes span sixteen octaves with 4.4 % steps.
#[cfg(feature = "encode")]
const STEPS_PER_OCTAVE: f64 = 16.0;

/// `2^(1/16)`, one quantization step.
const STEP: f64 = 1.044_273_782_427_413_8;

/// A decoded model, reading from the buffer `B` it was decoded from.
///
/// Item indices are dense `u32`s in `0..item_count()`, ordered by the items'
/// ids (bytewise), which is what makes [`Model::item_index`] a binary search.
#[derive(Clone, Debug)]
pub struct Model<B> {
    bytes: B,
    version: u16,
    item_count: u32,
    edge_count: u32,
    external_count: u32,
    category_count: u32,
    revisit_share: f32,
    part: Part,
    checksum: u64,
    layout: Layout,
    weights: [f32; 256],
}

/// Which part of a sharded model a file is: part `number` of `2^bits`, the
/// one whose items' ids hash to it ([`sharded::part_of`]). A whole model is
/// part 0 of 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Part {
    /// The part's number, `< 2^bits`.
    pub number: u32,
    /// How many bits of an id's hash choose its part.
    pub bits: u32,
}

/// Byte ranges of the sections inside the buffer, all validated.
#[derive(Clone, Debug, Default)]
struct Layout {
    id_offsets: Range<usize>,
    id_blob: Range<usize>,
    edge_offsets: Range<usize>,
    edge_targets: Range<usize>,
    edge_weights: Range<usize>,
    popularity: Range<usize>,
    external_offsets: Range<usize>,
    external_blob: Range<usize>,
    metadata: Option<MetaLayout>,
}

/// The metadata sections; categories and flags cover the items, then the
/// externals.
#[derive(Clone, Debug, Default)]
struct MetaLayout {
    item_category: Range<usize>,
    item_flags: Range<usize>,
    category_offsets: Range<usize>,
    category_blob: Range<usize>,
}

/// One neighbour of an item: its index and its similarity weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbor {
    /// Index of the neighbouring item.
    pub item: u32,
    /// Similarity weight, positive, in the model's scale.
    pub weight: f32,
}

/// What ranking asks of a model: where an item's own entry is. A whole model
/// answers for every item; a [`Sharded`](sharded::Sharded) one for the items
/// of the parts it has loaded.
pub trait Lookup {
    /// The bytes the model files read from.
    type Bytes: AsRef<[u8]>;

    /// The file holding item `id` with its neighbour list, and the item's
    /// index there; `None` when the model does not know the item.
    fn find(&self, id: &str) -> Option<(&Model<Self::Bytes>, u32)>;

    /// See [`Model::revisit_share`].
    fn revisit_share(&self) -> Option<f32>;
}

impl<B: AsRef<[u8]>> Lookup for Model<B> {
    type Bytes = B;

    fn find(&self, id: &str) -> Option<(&Model<B>, u32)> {
        Some((self, self.item_index(id)?))
    }

    fn revisit_share(&self) -> Option<f32> {
        Model::revisit_share(self)
    }
}

/// A model as a page holds it: one whole file, or a sharded one loading the
/// parts its seeds need.
#[derive(Clone, Debug)]
pub enum Source {
    /// A whole model file.
    Whole(Box<Model<Vec<u8>>>),
    /// A sharded model.
    Sharded(sharded::Sharded),
}

impl Source {
    /// Decodes a whole model or a manifest, whichever `bytes` are.
    ///
    /// # Errors
    ///
    /// As [`Model::decode`] or [`Sharded::decode`](sharded::Sharded::decode).
    pub fn decode(bytes: Vec<u8>) -> Result<Source, DecodeError> {
        if sharded::Sharded::is_manifest(&bytes) {
            sharded::Sharded::decode(bytes).map(Source::Sharded)
        } else {
            Model::decode(bytes).map(|m| Source::Whole(Box::new(m)))
        }
    }

    /// Number of items (over all parts).
    pub fn item_count(&self) -> u32 {
        match self {
            Source::Whole(m) => m.item_count(),
            Source::Sharded(s) => s.layout().items,
        }
    }
}

impl Lookup for Source {
    type Bytes = Vec<u8>;

    fn find(&self, id: &str) -> Option<(&Model<Vec<u8>>, u32)> {
        match self {
            Source::Whole(m) => m.find(id),
            Source::Sharded(s) => s.find(id),
        }
    }

    fn revisit_share(&self) -> Option<f32> {
        match self {
            Source::Whole(m) => m.revisit_share(),
            Source::Sharded(s) => s.revisit_share(),
        }
    }
}

/// Counts and sizes of a model, as `shelfwise inspect` shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Format version.
    pub version: u16,
    /// Number of items.
    pub items: u32,
    /// Number of neighbour entries over all items.
    pub edges: u32,
    /// Number of externals (items of other parts named as neighbours).
    pub externals: u32,
    /// Which part of a sharded model this is.
    pub part: Part,
    /// Number of distinct categories (0 without metadata).
    pub categories: u32,
    /// Whether the metadata sections are present.
    pub has_metadata: bool,
    /// Total file size in bytes.
    pub bytes: usize,
    /// The header checksum.
    pub checksum: u64,
    /// Longest neighbour list.
    pub max_neighbors: u32,
}

impl<B: AsRef<[u8]>> Model<B> {
    /// Validates `bytes` as a model file and returns a model reading from it.
    ///
    /// # Errors
    ///
    /// Returns an error when the bytes are not a model of this format
    /// version, are truncated or corrupt (checksum), or break any structural
    /// rule of `docs/model-format.md`.
    pub fn decode(bytes: B) -> Result<Model<B>, DecodeError> {
        let buf = bytes.as_ref();
        let version = match (buf.get(..8), buf.get(8..10)) {
            (Some(magic), _) if magic != MAGIC => return Err(DecodeError::bad_magic()),
            (Some(_), Some(&[a, b])) => u16::from_le_bytes([a, b]),
            _ => return Err(DecodeError::truncated("header")),
        };
        let header_len = match version {
            1 => HEADER_LEN_V1,
            VERSION => HEADER_LEN,
            other => return Err(DecodeError::unsupported_version(other)),
        };
        let header = buf
            .get(..header_len)
            .ok_or_else(|| DecodeError::truncated("header"))?;
        let mut r = Reader {
            buf: header,
            pos: 10,
        };
        let flags = r.u16()?;
        let item_count = r.u32()?;
        let edge_count = r.u32()?;
        let id_bytes = r.u32()?;
        let category_count = r.u32()?;
        let category_bytes = r.u32()?;
        let scale = f32::from_bits(r.u32()?);
        let revisit_share = f32::from_bits(r.u32()?);
        let (external_count, external_bytes, part) = if version == 1 {
            (0, 0, Part::default())
        } else {
            let (count, bytes) = (r.u32()?, r.u32()?);
            let part = Part {
                number: r.u32()?,
                bits: r.u32()?,
            };
            (count, bytes, part)
        };
        let checksum = r.u64()?;
        if flags & !FLAG_METADATA != 0 {
            return Err(DecodeError::invalid("unknown header flags"));
        }
        if !(revisit_share.is_finite() && revisit_share >= 0.0) {
            return Err(DecodeError::invalid("revisit share is not a number >= 0"));
        }
        if !(scale.is_finite() && scale > 0.0) {
            return Err(DecodeError::invalid(
                "weight scale is not a positive number",
            ));
        }
        if part.bits > MAX_PART_BITS || u64::from(part.number) >> part.bits != 0 {
            return Err(DecodeError::invalid("part number out of range"));
        }
        if (external_count == 0) != (external_bytes == 0) {
            return Err(DecodeError::invalid("externals without ids"));
        }
        let has_metadata = flags & FLAG_METADATA != 0;
        if !has_metadata && (category_count != 0 || category_bytes != 0) {
            return Err(DecodeError::invalid("categories without metadata"));
        }
        if category_count > u32::from(NO_CATEGORY) {
            return Err(DecodeError::invalid("too many categories"));
        }

        // Lay the sections out with checked arithmetic, then demand that the
        // file is exactly that long: no allocation follows from these counts.
        let n = item_count as usize;
        let x = external_count as usize;
        let table = |count: usize| count.checked_add(1).and_then(|k| k.checked_mul(4));
        let mut at = Cursor { pos: header_len };
        let mut layout = Layout {
            id_offsets: at.section(table(n))?,
            id_blob: at.section(Some(id_bytes as usize))?,
            edge_offsets: at.section(table(n))?,
            edge_targets: at.section((edge_count as usize).checked_mul(4))?,
            edge_weights: at.section(Some(edge_count as usize))?,
            popularity: at.section(Some(n))?,
            external_offsets: at.section(if x == 0 { Some(0) } else { table(x) })?,
            external_blob: at.section(Some(external_bytes as usize))?,
            metadata: None,
        };
        if has_metadata {
            let c = category_count as usize;
            let nx = n.checked_add(x);
            layout.metadata = Some(MetaLayout {
                item_category: at.section(nx.and_then(|k| k.checked_mul(2)))?,
                item_flags: at.section(nx)?,
                category_offsets: at.section(table(c))?,
                category_blob: at.section(Some(category_bytes as usize))?,
            });
        }
        if at.pos > buf.len() {
            return Err(DecodeError::truncated("sections"));
        }
        if at.pos < buf.len() {
            return Err(DecodeError::trailing_bytes());
        }
        // Under the fuzzer the checksum is not compared: random mutations
        // would almost never pass it, leaving the structural checks below
        // unexplored. Everything after it must hold for any bytes anyway.
        if body_checksum(buf, header_len) != checksum && !cfg!(fuzzing) {
            return Err(DecodeError::checksum_mismatch());
        }

        let model = Model {
            bytes,
            version,
            item_count,
            edge_count,
            external_count,
            category_count,
            revisit_share,
            part,
            checksum,
            layout,
            weights: weight_table(scale),
        };
        model.validate()?;
        Ok(model)
    }

    fn buf(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    fn section(&self, range: &Range<usize>) -> &[u8] {
        self.buf().get(range.clone()).unwrap_or_default()
    }

    /// Checks every semantic rule; runs once, in `decode`.
    fn validate(&self) -> Result<(), DecodeError> {
        let n = self.item_count;
        // Item ids: offsets strictly increasing (no empty id), blob UTF-8,
        // ids strictly increasing bytewise (sorted, no duplicates).
        let blob = self.section(&self.layout.id_blob);
        validate_strings(self.section(&self.layout.id_offsets), blob)?;
        // A part holds exactly the items whose ids hash to it.
        if self.part.bits > 0
            && (0..n).any(|i| {
                sharded::part_of(self.item_id_bytes(i), self.part.bits) != self.part.number
            })
        {
            return Err(DecodeError::invalid("item in the wrong part"));
        }
        // Externals: sorted, unique, none of them an item of this part.
        let externals = self.section(&self.layout.external_offsets);
        if self.external_count > 0 {
            let blob = self.section(&self.layout.external_blob);
            validate_strings(externals, blob)?;
            let mut local = 0;
            for x in 0..self.external_count as usize {
                let id = string_at(externals, blob, x);
                while local < n && self.item_id_bytes(local) < id {
                    local += 1;
                }
                if local < n && self.item_id_bytes(local) == id {
                    return Err(DecodeError::invalid("an external is an item of the part"));
                }
            }
        }
        let named = n.saturating_add(self.external_count);

        // Neighbour lists: offsets non-decreasing and ending at edge_count;
        // targets in range and not the item itself; weights non-increasing.
        let offsets = self.section(&self.layout.edge_offsets);
        let targets = self.section(&self.layout.edge_targets);
        let weights = self.section(&self.layout.edge_weights);
        if read_u32(offsets, 0) != Some(0) || read_u32(offsets, n as usize) != Some(self.edge_count)
        {
            return Err(DecodeError::invalid(
                "neighbour offsets do not span the edges",
            ));
        }
        let mut start = 0u32;
        for item in 0..n {
            let end = read_u32(offsets, item as usize + 1).unwrap_or(u32::MAX);
            if end < start || end > self.edge_count {
                return Err(DecodeError::invalid("neighbour offsets out of order"));
            }
            let mut previous = u8::MAX;
            for e in start as usize..end as usize {
                let target = read_u32(targets, e).unwrap_or(u32::MAX);
                if target >= named || target == item {
                    return Err(DecodeError::invalid("neighbour index out of range"));
                }
                let w = weights.get(e).copied().unwrap_or(u8::MAX);
                if w > previous {
                    return Err(DecodeError::invalid("neighbour weights not sorted"));
                }
                previous = w;
            }
            start = end;
        }

        if let Some(meta) = &self.layout.metadata {
            let cats = self.section(&meta.item_category);
            for c in cats.chunks_exact(2) {
                let c = u16::from_le_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ]);
                if c != NO_CATEGORY && u32::from(c) >= self.category_count {
                    return Err(DecodeError::invalid("category index out of range"));
                }
            }
            if self
                .section(&meta.item_flags)
                .iter()
                .any(|f| f & !KNOWN_ITEM_FLAGS != 0)
            {
                return Err(DecodeError::invalid("unknown item flags"));
            }
            validate_strings(
                self.section(&meta.category_offsets),
                self.section(&meta.category_blob),
            )?;
        }
        Ok(())
    }

    /// The weight ranking gives an item the shopper already engaged with,
    /// on the scale of the similarity weights, as learned by the builder
    /// from held-out sessions; `None` when the file does not say (0).
    pub fn revisit_share(&self) -> Option<f32> {
        (self.revisit_share > 0.0).then_some(self.revisit_share)
    }

    /// Number of items in the model.
    pub fn item_count(&self) -> u32 {
        self.item_count
    }

    /// Returns a summary of the model's counts and sizes.
    pub fn summary(&self) -> Summary {
        let offsets = self.section(&self.layout.edge_offsets);
        let max_neighbors = (0..self.item_count as usize)
            .map(|i| {
                let a = read_u32(offsets, i).unwrap_or(0);
                read_u32(offsets, i + 1).unwrap_or(a).saturating_sub(a)
            })
            .max()
            .unwrap_or(0);
        Summary {
            version: self.version,
            items: self.item_count,
            edges: self.edge_count,
            externals: self.external_count,
            part: self.part,
            categories: self.category_count,
            has_metadata: self.layout.metadata.is_some(),
            bytes: self.buf().len(),
            checksum: self.checksum,
            max_neighbors,
        }
    }

    /// Finds the index of the item with id `id`, by binary search.
    pub fn item_index(&self, id: &str) -> Option<u32> {
        let offsets = self.section(&self.layout.id_offsets);
        let blob = self.section(&self.layout.id_blob);
        find_string(offsets, blob, self.item_count as usize, id).and_then(|i| u32::try_from(i).ok())
    }

    fn item_id_bytes(&self, item: u32) -> &[u8] {
        string_at(
            self.section(&self.layout.id_offsets),
            self.section(&self.layout.id_blob),
            item as usize,
        )
    }

    /// The id of item `item` — an item of this file below
    /// [`item_count`](Model::item_count), an external above — or `None`
    /// when the index is out of range.
    pub fn item_id(&self, item: u32) -> Option<&str> {
        core::str::from_utf8(self.name_bytes(item)?).ok()
    }

    /// [`Model::item_id`] as the bytes `decode` validated, for ranking's
    /// inner loops.
    pub(crate) fn name_bytes(&self, item: u32) -> Option<&[u8]> {
        if item < self.item_count {
            Some(self.item_id_bytes(item))
        } else if item - self.item_count < self.external_count {
            Some(string_at(
                self.section(&self.layout.external_offsets),
                self.section(&self.layout.external_blob),
                (item - self.item_count) as usize,
            ))
        } else {
            None
        }
    }

    /// Number of externals: items of other parts that neighbour lists name,
    /// indexed from [`item_count`](Model::item_count) on (0 for a whole model).
    pub fn external_count(&self) -> u32 {
        self.external_count
    }

    /// Which part of a sharded model this file is.
    pub fn part(&self) -> Part {
        self.part
    }

    /// The neighbours of `item`, strongest first (empty when out of range).
    pub fn neighbors(&self, item: u32) -> impl Iterator<Item = Neighbor> + '_ {
        let offsets = self.section(&self.layout.edge_offsets);
        let start = read_u32(offsets, item as usize).unwrap_or(0) as usize;
        let end = read_u32(offsets, item as usize + 1).unwrap_or(0) as usize;
        let targets = self.section(&self.layout.edge_targets);
        let weights = self.section(&self.layout.edge_weights);
        (start..end.max(start)).map(move |e| Neighbor {
            item: read_u32(targets, e).unwrap_or(0),
            weight: self.weight(weights.get(e).copied().unwrap_or(0)),
        })
    }

    fn weight(&self, q: u8) -> f32 {
        self.weights.get(usize::from(q)).copied().unwrap_or(0.0)
    }

    /// The item's popularity code: `round(16 * log2(1 + count))`, capped at 255.
    pub fn popularity(&self, item: u32) -> u8 {
        self.section(&self.layout.popularity)
            .get(item as usize)
            .copied()
            .unwrap_or(0)
    }

    /// The category index of an item or external, when the model has
    /// metadata and the item a category.
    pub fn category_of(&self, item: u32) -> Option<u16> {
        let meta = self.layout.metadata.as_ref()?;
        let c = read_u16(self.section(&meta.item_category), item as usize)?;
        (c != NO_CATEGORY).then_some(c)
    }

    /// The name of category `category`.
    pub fn category_name(&self, category: u16) -> Option<&str> {
        core::str::from_utf8(self.category_bytes(category)?).ok()
    }

    /// [`Model::category_name`] as the bytes `decode` validated.
    pub(crate) fn category_bytes(&self, category: u16) -> Option<&[u8]> {
        let meta = self.layout.metadata.as_ref()?;
        if u32::from(category) >= self.category_count {
            return None;
        }
        Some(string_at(
            self.section(&meta.category_offsets),
            self.section(&meta.category_blob),
            usize::from(category),
        ))
    }

    /// The index of the category named `name`, by binary search (category
    /// names are stored sorted).
    pub fn category_index(&self, name: &str) -> Option<u16> {
        let meta = self.layout.metadata.as_ref()?;
        let offsets = self.section(&meta.category_offsets);
        let blob = self.section(&meta.category_blob);
        find_string(offsets, blob, self.category_count as usize, name)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// The flags of an item or external ([`ITEM_OUT_OF_STOCK`],
    /// [`ITEM_SENSITIVE`]).
    pub fn flags(&self, item: u32) -> u8 {
        self.layout
            .metadata
            .as_ref()
            .and_then(|m| self.section(&m.item_flags).get(item as usize).copied())
            .unwrap_or(0)
    }
}

/// The checksum of a whole file with a `header_len`-byte header: it covers
/// the header before the checksum (its last 8 bytes) and everything after
/// the header.
pub(crate) fn body_checksum(file: &[u8], header_len: usize) -> u64 {
    let header = file.get(..header_len.saturating_sub(8)).unwrap_or_default();
    let body = file.get(header_len..).unwrap_or_default();
    crate::hash::checksum(body, crate::hash::checksum(header, 0))
}

/// The 256 weights the quantization codes stand for, built by repeated
/// division so the wasm build needs no `powf`.
fn weight_table(scale: f32) -> [f32; 256] {
    let mut table = [0f32; 256];
    let mut w = f64::from(scale);
    for slot in table.iter_mut().rev() {
        *slot = w as f32;
        w /= STEP;
    }
    table
}

/// Checks an offsets table and its blob: starts at 0, ends at the blob's
/// length, strictly increasing, each string UTF-8 and at most `MAX_ID_LEN`
/// bytes, strings strictly increasing bytewise (sorted and unique).
fn validate_strings(offsets: &[u8], blob: &[u8]) -> Result<(), DecodeError> {
    if core::str::from_utf8(blob).is_err() {
        return Err(DecodeError::invalid("string table is not UTF-8"));
    }
    let count = (offsets.len() / 4).saturating_sub(1);
    if read_u32(offsets, 0) != Some(0)
        || read_u32(offsets, count).map(|v| v as usize) != Some(blob.len())
    {
        return Err(DecodeError::invalid("string offsets do not span the table"));
    }
    let mut previous: &[u8] = &[];
    let mut start = 0usize;
    for i in 0..count {
        let end = read_u32(offsets, i + 1).unwrap_or(0) as usize;
        if end <= start || end - start > MAX_ID_LEN {
            return Err(DecodeError::invalid("string length out of range"));
        }
        let s = blob
            .get(start..end)
            .ok_or_else(|| DecodeError::invalid("string out of range"))?;
        // Each string boundary must also be a character boundary.
        if core::str::from_utf8(s).is_err() {
            return Err(DecodeError::invalid("string is not UTF-8"));
        }
        if i > 0 && s <= previous {
            return Err(DecodeError::invalid("strings not sorted or not unique"));
        }
        previous = s;
        start = end;
    }
    Ok(())
}

/// Binary search for `needle` among the `count` sorted strings of a table.
fn find_string(offsets: &[u8], blob: &[u8], count: usize, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    let (mut lo, mut hi) = (0usize, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match string_at(offsets, blob, mid).cmp(needle) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

#[inline(always)]
fn string_at<'a>(offsets: &[u8], blob: &'a [u8], i: usize) -> &'a [u8] {
    let start = read_u32(offsets, i).unwrap_or(0) as usize;
    let end = read_u32(offsets, i + 1).unwrap_or(0) as usize;
    blob.get(start..end).unwrap_or_default()
}

#[inline(always)]
fn read_u32(section: &[u8], i: usize) -> Option<u32> {
    let at = i.checked_mul(4)?;
    let b = section.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

#[inline(always)]
fn read_u16(section: &[u8], i: usize) -> Option<u16> {
    let at = i.checked_mul(2)?;
    let b = section.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

/// Reads fixed-size header fields.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(len)
            .ok_or_else(|| DecodeError::truncated("header"))?;
        let bytes = self
            .buf
            .get(self.pos..end)
            .ok_or_else(|| DecodeError::truncated("header"))?;
        self.pos = end;
        Ok(bytes)
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes(
            b.try_into().map_err(|_| DecodeError::truncated("header"))?,
        ))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes(
            b.try_into().map_err(|_| DecodeError::truncated("header"))?,
        ))
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(
            b.try_into().map_err(|_| DecodeError::truncated("header"))?,
        ))
    }
}

/// Lays sections out one after another with overflow-checked sizes.
struct Cursor {
    pos: usize,
}

impl Cursor {
    fn section(&mut self, len: Option<usize>) -> Result<Range<usize>, DecodeError> {
        let end = len
            .and_then(|len| self.pos.checked_add(len))
            .ok_or_else(|| DecodeError::invalid("section sizes overflow"))?;
        let range = self.pos..end;
        self.pos = end;
        Ok(range)
    }
}

#[cfg(all(test, feature = "encode"))]
mod tests {
    use super::*;

    /// `bytes` with header field `at` set to `value` and the checksum fixed,
    /// so that only the rule under test can reject it.
    fn with_field(bytes: &[u8], at: usize, value: u32) -> Vec<u8> {
        let mut out = bytes.to_vec();
        out[at..at + 4].copy_from_slice(&value.to_le_bytes());
        let sum = body_checksum(&out, HEADER_LEN);
        out[HEADER_LEN - 8..HEADER_LEN].copy_from_slice(&sum.to_le_bytes());
        out
    }

    /// A whole model written by this build, rewritten as version 1 wrote it:
    /// a 48-byte header without the externals and part fields.
    fn as_version_1(v2: &[u8]) -> Vec<u8> {
        assert!(v2[40..56].iter().all(|&b| b == 0), "a whole model");
        let mut out = v2[..40].to_vec();
        out[8..10].copy_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&v2[HEADER_LEN..]);
        let sum = body_checksum(&out, HEADER_LEN_V1);
        out[40..48].copy_from_slice(&sum.to_le_bytes());
        out
    }

    #[test]
    fn version_1_files_still_decode_to_the_same_model() {
        let mut b = ModelBuilder::new();
        b.add_neighbor("a", "b", 2.0).add_neighbor("a", "c", 1.0);
        b.set_meta(
            "c",
            ItemMeta {
                category: Some("hats".into()),
                out_of_stock: true,
                sensitive: false,
            },
        );
        let v2 = b.encode();
        let (new, old) = (
            Model::decode(&v2[..]).unwrap(),
            Model::decode(as_version_1(&v2)).unwrap(),
        );
        assert_eq!(
            old.summary().version,
            1,
            "summaries report the version read"
        );
        for id in ["a", "b", "c"] {
            let (i, j) = (new.item_index(id).unwrap(), old.item_index(id).unwrap());
            assert_eq!(
                new.neighbors(i).collect::<Vec<_>>(),
                old.neighbors(j).collect::<Vec<_>>()
            );
            assert_eq!(
                (new.flags(i), new.category_of(i)),
                (old.flags(j), old.category_of(j))
            );
        }
        let mut trailing = as_version_1(&v2);
        trailing.push(0);
        assert!(Model::decode(&trailing[..]).is_err());
    }

    #[test]
    fn header_numbers_are_range_checked_behind_a_valid_checksum() {
        let mut b = ModelBuilder::new();
        b.add_neighbor("a", "b", 1.0).revisit_share(1.0);
        let bytes = b.encode();
        assert!(Model::decode(with_field(&bytes, 36, 1.5f32.to_bits())).is_ok());
        for bad in [-1.0f32, f32::NAN, f32::INFINITY] {
            let err = Model::decode(with_field(&bytes, 36, bad.to_bits())).unwrap_err();
            assert!(err.to_string().contains("revisit share"), "{err}");
            let err = Model::decode(with_field(&bytes, 32, bad.to_bits())).unwrap_err();
            assert!(err.to_string().contains("weight scale"), "{err}");
        }
        let err = Model::decode(with_field(&bytes, 8, 0x0004_0001)).unwrap_err();
        assert!(err.to_string().contains("unknown header flags"), "{err}");
    }
}
