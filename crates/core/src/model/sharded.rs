//! A model in parts, loaded on demand: what a shopper's visit needs of a
//! catalogue of any size.
//!
//! Items are routed to parts by a hash of their id ([`part_of`]), so finding
//! an item's part needs no table. A part is an ordinary model file (see the
//! [parent module](super)) holding its items' neighbour lists and, as
//! *externals*, the id and metadata of every neighbour that lives elsewhere:
//! ranking asks a model only about the shopper's seeds and their neighbours,
//! so the parts of the seeds answer exactly as the whole model would.
//!
//! Parts are named by their content's SHA-256 and are immutable. Their
//! digests form a tree of *directory* files: the *manifest* (the entry file,
//! small whatever the catalogue) holds `2^i` digests, each index file `2^f`,
//! and a part's number read from its top bits down picks the row at each
//! level: `i` bits in the manifest, then `f` bits per level of index files,
//! down to the part. A seed costs one small fetch per level and its part,
//! each checked against a digest from a checked file; the manifest itself is
//! pinned by the page (Subresource Integrity).
//!
//! [`Sharded`] is the loading state the browser and the native evaluator
//! share: it says which files the seeds still need ([`Sharded::wanted`]),
//! takes them as they arrive, and answers [`Lookup`] from what it holds. An
//! item whose part is missing (not fetched yet, failed, corrupt) is simply
//! unknown: its seeds contribute nothing, as for an item the model never saw.

use super::{DecodeError, Lookup, MAX_PART_BITS, Model, Reader};

/// The eight bytes manifests and index files start with.
pub const MAGIC: [u8; 8] = *b"\x89SWS\r\n\x1a\n";

/// The directory format version this build reads and writes.
pub const VERSION: u16 = 1;

/// Size of a directory file's header in bytes.
pub const HEADER_LEN: usize = 48;

/// Length of a SHA-256 digest.
pub const DIGEST_LEN: usize = 32;

/// Most rows of one directory file: 65,536 digests (2 MiB).
pub const MAX_TABLE_BITS: u32 = 16;

/// The SHA-256 digest of a file; all zeros for a part no item hashes to.
pub type Digest = [u8; DIGEST_LEN];

const KIND_MANIFEST: u16 = 0;
const KIND_INDEX: u16 = 1;

/// The part an item id belongs to among `2^bits` parts: the top `bits`
/// bits of the id's hash.
pub fn part_of(id: &[u8], bits: u32) -> u32 {
    match bits {
        0 => 0,
        bits => (crate::hash::checksum(id, 0) >> (64 - bits.min(32))) as u32,
    }
}

/// A file a seed needs: an index file or a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Want {
    /// What the file is.
    pub kind: FileKind,
    /// Its number among its kind (among its level, for index files).
    pub number: u32,
    /// Its SHA-256 digest, as the directory above it records it.
    pub digest: Digest,
}

/// The kinds of file a manifest references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An index file of level `1..=L`: digests of the level below.
    Index(u32),
    /// A part: a model file.
    Part,
}

impl Want {
    /// The file's name beside the manifest: the first half of its digest in
    /// hex, and `.swi` for an index file or `.swp` for a part.
    pub fn file_name(&self) -> String {
        file_name(&self.digest, self.kind)
    }

    /// The file's Subresource Integrity metadata, `sha256-` and the digest
    /// in base64, for the browser to check the file with as it fetches it.
    pub fn integrity(&self) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::with_capacity(7 + DIGEST_LEN.div_ceil(3) * 4);
        out.push_str("sha256-");
        for chunk in self.digest.chunks(3) {
            let word = chunk
                .iter()
                .enumerate()
                .fold(0u32, |w, (i, &b)| w | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                let sextet = ALPHABET.get((word >> (18 - 6 * i) & 63) as usize);
                out.push(match sextet {
                    Some(&b) if i <= chunk.len() => char::from(b),
                    _ => '=',
                });
            }
        }
        out
    }
}

/// The name of a file of kind `kind` with digest `digest` (see
/// [`Want::file_name`]).
pub fn file_name(digest: &Digest, kind: FileKind) -> String {
    let mut name = String::with_capacity(DIGEST_LEN + 4);
    for b in digest.iter().take(DIGEST_LEN / 2) {
        for nibble in [b >> 4, b & 15] {
            name.extend(char::from_digit(u32::from(nibble), 16));
        }
    }
    name.push_str(match kind {
        FileKind::Index(_) => ".swi",
        FileKind::Part => ".swp",
    });
    name
}

/// A decoded manifest or index file: a header and a table of digests.
#[derive(Clone, Debug)]
struct Directory {
    bytes: Vec<u8>,
    shape: Shape,
    level: u32,
    number: u32,
    items: u32,
    revisit_share: f32,
}

/// The tree's shape, the same in every directory file of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    /// `p`: bits of a part number.
    part_bits: u32,
    /// `i`: bits the manifest's rows take.
    index_bits: u32,
    /// `f`: bits each level of index files takes.
    fan_bits: u32,
}

impl Shape {
    /// Levels of index files between the manifest and the parts.
    fn levels(&self) -> u32 {
        (self.part_bits - self.index_bits)
            .checked_div(self.fan_bits)
            .unwrap_or(0)
    }

    /// Bits of a part number the rows of a level-`level` directory file
    /// take: `i` for the manifest (level 0), `f` for index files.
    fn row_bits(&self, level: u32) -> u32 {
        if level == 0 {
            self.index_bits
        } else {
            self.fan_bits
        }
    }

    /// The mask of those bits.
    fn row_mask(&self, level: u32) -> u32 {
        (1u32 << self.row_bits(level)).wrapping_sub(1)
    }

    /// Bits of a part number known once level `level`'s rows are read
    /// (the manifest is level 0).
    fn known_bits(&self, level: u32) -> u32 {
        self.index_bits + level * self.fan_bits
    }
}

impl Directory {
    fn decode(bytes: Vec<u8>, kind: u16) -> Result<Directory, DecodeError> {
        let header = bytes
            .get(..HEADER_LEN)
            .ok_or_else(|| DecodeError::truncated("header"))?;
        let mut r = Reader {
            buf: header,
            pos: 0,
        };
        if r.take(8)? != MAGIC {
            return Err(DecodeError::bad_magic());
        }
        let version = r.u16()?;
        if version != VERSION {
            return Err(DecodeError::unsupported_version(version));
        }
        if r.u16()? != kind {
            return Err(DecodeError::invalid("not a manifest or index of this kind"));
        }
        let shape = Shape {
            part_bits: r.u32()?,
            index_bits: r.u32()?,
            fan_bits: r.u32()?,
        };
        let level = r.u32()?;
        let number = r.u32()?;
        let items = r.u32()?;
        let revisit_share = f32::from_bits(r.u32()?);
        let checksum = r.u64()?;
        let Shape {
            part_bits,
            index_bits,
            fan_bits,
        } = shape;
        if part_bits > MAX_PART_BITS
            || index_bits > part_bits
            || index_bits > MAX_TABLE_BITS
            || fan_bits > MAX_TABLE_BITS
            || (part_bits > index_bits
                && (fan_bits == 0 || (part_bits - index_bits) % fan_bits != 0))
        {
            return Err(DecodeError::invalid("part, index or fan bits out of range"));
        }
        if !(revisit_share.is_finite() && revisit_share >= 0.0) {
            return Err(DecodeError::invalid("revisit share is not a number >= 0"));
        }
        let number_bits = match kind {
            KIND_MANIFEST if level == 0 => 0,
            KIND_INDEX if (1..=shape.levels()).contains(&level) => shape.known_bits(level - 1),
            _ => return Err(DecodeError::invalid("directory level out of range")),
        };
        let rows = shape.row_bits(level);
        if u64::from(number) >> number_bits != 0 {
            return Err(DecodeError::invalid("index number out of range"));
        }
        let len = HEADER_LEN + (DIGEST_LEN << rows);
        if bytes.len() < len {
            return Err(DecodeError::truncated("digests"));
        }
        if bytes.len() > len {
            return Err(DecodeError::trailing_bytes());
        }
        if super::body_checksum(&bytes, HEADER_LEN) != checksum && !cfg!(fuzzing) {
            return Err(DecodeError::checksum_mismatch());
        }
        Ok(Directory {
            bytes,
            shape,
            level,
            number,
            items,
            revisit_share,
        })
    }

    /// Row `row` of the digest table; `None` out of range or when all zeros
    /// (no file).
    fn digest(&self, row: u32) -> Option<Digest> {
        let at = HEADER_LEN.checked_add((row as usize).checked_mul(DIGEST_LEN)?)?;
        let digest: Digest = self.bytes.get(at..at + DIGEST_LEN)?.try_into().ok()?;
        (digest != [0; DIGEST_LEN]).then_some(digest)
    }
}

/// A sharded model as far as it is loaded (see the [module](self)
/// documentation).
#[derive(Clone, Debug)]
pub struct Sharded {
    manifest: Directory,
    /// Loaded index files by (level, number), sorted.
    indexes: Vec<((u32, u32), Directory)>,
    /// Loaded parts by number, sorted.
    parts: Vec<(u32, Model<Vec<u8>>)>,
    /// Files that failed: never asked for again.
    failed: Vec<(FileKind, u32)>,
}

/// Counts of a sharded model, as `shelfwise inspect` shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Number of items over all parts.
    pub items: u32,
    /// How many bits of an id's hash choose its part.
    pub part_bits: u32,
    /// How many of them the manifest's rows take.
    pub index_bits: u32,
    /// How many each level of index files takes.
    pub fan_bits: u32,
    /// Levels of index files between the manifest and the parts.
    pub levels: u32,
}

impl Sharded {
    /// Validates a manifest; nothing else is loaded yet.
    ///
    /// # Errors
    ///
    /// When the bytes are not a manifest of this version, or are truncated,
    /// corrupt or structurally invalid.
    pub fn decode(manifest: Vec<u8>) -> Result<Sharded, DecodeError> {
        Ok(Sharded {
            manifest: Directory::decode(manifest, KIND_MANIFEST)?,
            indexes: Vec::new(),
            parts: Vec::new(),
            failed: Vec::new(),
        })
    }

    /// Whether `bytes` start like a manifest (rather than a whole model).
    pub fn is_manifest(bytes: &[u8]) -> bool {
        bytes.get(..8) == Some(&MAGIC[..])
    }

    /// The manifest's counts.
    pub fn layout(&self) -> Layout {
        let shape = self.manifest.shape;
        Layout {
            items: self.manifest.items,
            part_bits: shape.part_bits,
            index_bits: shape.index_bits,
            fan_bits: shape.fan_bits,
            levels: shape.levels(),
        }
    }

    /// The next file part `part` needs, or `None` when it is loaded or no
    /// file is there (an empty part).
    fn next_for(&self, part: u32) -> Option<Want> {
        if self.part(part).is_some() {
            return None;
        }
        let shape = self.manifest.shape;
        let prefix = |known: u32| part >> (shape.part_bits - known);
        // Walk down from the manifest while the files are loaded.
        let mut directory = &self.manifest;
        for level in 1..=shape.levels() {
            let number = prefix(shape.known_bits(level - 1));
            let Some(index) = self.index(level, number) else {
                return directory
                    .digest(number & shape.row_mask(directory.level))
                    .map(|digest| Want {
                        kind: FileKind::Index(level),
                        number,
                        digest,
                    });
            };
            directory = index;
        }
        directory
            .digest(part & shape.row_mask(directory.level))
            .map(|digest| Want {
                kind: FileKind::Part,
                number: part,
                digest,
            })
    }

    /// The files still needed to know every item of `ids`: for each, the
    /// first file on the way from the manifest down to its part that is not
    /// loaded — an index file, or the part itself. Nothing for items already
    /// loaded, for parts no item hashes to, and for files that failed. Each
    /// file once, in first-needed order.
    pub fn wanted(&self, ids: &[&str]) -> Vec<Want> {
        let mut out: Vec<Want> = Vec::new();
        for id in ids {
            let want = self.next_for(part_of(id.as_bytes(), self.manifest.shape.part_bits));
            if let Some(want) = want.filter(|w| {
                !self.failed.contains(&(w.kind, w.number))
                    && !out.iter().any(|o| (o.kind, o.number) == (w.kind, w.number))
            }) {
                out.push(want);
            }
        }
        out
    }

    /// Takes a file [`Sharded::wanted`] asked for, its digest already checked
    /// by the caller (the browser's Subresource Integrity; `shelfwise eval`
    /// hashes it). A file that does not decode, or is not the one asked for,
    /// is recorded as failed and not asked for again.
    ///
    /// # Errors
    ///
    /// Why the file was refused.
    pub fn add(&mut self, want: &Want, bytes: Vec<u8>) -> Result<(), DecodeError> {
        let added = match want.kind {
            FileKind::Index(level) => self.add_index(level, want.number, bytes),
            FileKind::Part => self.add_part(want.number, bytes),
        };
        if added.is_err() {
            self.fail(want);
        }
        added
    }

    /// Records that a wanted file could not be had (network error, wrong
    /// digest, timeout): it is not asked for again.
    pub fn fail(&mut self, want: &Want) {
        if !self.failed.contains(&(want.kind, want.number)) {
            self.failed.push((want.kind, want.number));
        }
    }

    fn add_index(&mut self, level: u32, number: u32, bytes: Vec<u8>) -> Result<(), DecodeError> {
        let directory = Directory::decode(bytes, KIND_INDEX)?;
        if (directory.shape, directory.level, directory.number)
            != (self.manifest.shape, level, number)
        {
            return Err(DecodeError::invalid("index file of another layout"));
        }
        if let Err(at) = self.indexes.binary_search_by_key(&(level, number), |e| e.0) {
            self.indexes.insert(at, ((level, number), directory));
        }
        Ok(())
    }

    fn add_part(&mut self, number: u32, bytes: Vec<u8>) -> Result<(), DecodeError> {
        let model = Model::decode(bytes)?;
        let part = model.part();
        if (part.bits, part.number) != (self.manifest.shape.part_bits, number)
            || model.revisit_share.to_bits() != self.manifest.revisit_share.to_bits()
        {
            return Err(DecodeError::invalid("part of another model"));
        }
        if let Err(at) = self.parts.binary_search_by_key(&number, |e| e.0) {
            self.parts.insert(at, (number, model));
        }
        Ok(())
    }

    fn index(&self, level: u32, number: u32) -> Option<&Directory> {
        let at = self
            .indexes
            .binary_search_by_key(&(level, number), |e| e.0)
            .ok()?;
        self.indexes.get(at).map(|e| &e.1)
    }

    fn part(&self, number: u32) -> Option<&Model<Vec<u8>>> {
        let at = self.parts.binary_search_by_key(&number, |e| e.0).ok()?;
        self.parts.get(at).map(|e| &e.1)
    }

    /// Every file the loaded manifest and index files reference that is
    /// not loaded yet (nor failed): loading them all, round after round,
    /// loads the whole model.
    pub fn unloaded(&self) -> Vec<Want> {
        let shape = self.manifest.shape;
        let mut out = Vec::new();
        let directories = core::iter::once(&self.manifest).chain(self.indexes.iter().map(|e| &e.1));
        for directory in directories {
            let rows = shape.row_bits(directory.level);
            let below = directory.level + 1;
            for row in 0..1u32 << rows {
                let Some(digest) = directory.digest(row) else {
                    continue;
                };
                let number = directory.number << rows | row;
                let (kind, loaded) = if below > shape.levels() {
                    (FileKind::Part, self.part(number).is_some())
                } else {
                    (FileKind::Index(below), self.index(below, number).is_some())
                };
                if !loaded && !self.failed.contains(&(kind, number)) {
                    out.push(Want {
                        kind,
                        number,
                        digest,
                    });
                }
            }
        }
        out
    }

    /// The loaded parts.
    pub fn parts(&self) -> impl Iterator<Item = &Model<Vec<u8>>> {
        self.parts.iter().map(|e| &e.1)
    }
}

impl Lookup for Sharded {
    type Bytes = Vec<u8>;

    fn find(&self, id: &str) -> Option<(&Model<Vec<u8>>, u32)> {
        let part = self.part(part_of(id.as_bytes(), self.manifest.shape.part_bits))?;
        Some((part, part.item_index(id)?))
    }

    fn revisit_share(&self) -> Option<f32> {
        let share = self.manifest.revisit_share;
        (share > 0.0).then_some(share)
    }
}
