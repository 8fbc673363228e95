//! A sharded model on disk, read as the browser reads it: `shelfwise
//! inspect` validates the whole set, `shelfwise eval --sharded` loads each
//! case's parts through the same [`Sharded`] state the SDK uses and counts
//! the bytes they cost.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use sha2::{Digest as _, Sha256};
use shelfwise_core::model::ShardedFiles;
use shelfwise_core::model::sharded::{Digest, Sharded, Want};

/// The files of a sharded model, read and checked once.
#[derive(Clone, Debug)]
pub struct Shards {
    manifest: Vec<u8>,
    files: HashMap<String, File>,
    /// The whole model, every file loaded.
    whole: Sharded,
    /// The state before any fetch: the manifest alone, decoded once.
    empty: Sharded,
}

#[derive(Clone, Debug)]
struct File {
    bytes: Vec<u8>,
    digest: Digest,
    gzip: usize,
}

/// What loading the files of one visit cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Files fetched.
    pub files: u64,
    /// Their bytes, gzip-compressed as a web server sends them.
    pub gzip_bytes: u64,
    /// Sequential rounds of fetches.
    pub rounds: u64,
}

impl Shards {
    /// Reads `manifest` and every file it references beside it, checking
    /// each against its digest and decoding it.
    ///
    /// # Errors
    ///
    /// A file missing, unreadable, with the wrong digest or invalid.
    pub fn open(manifest: &Path) -> anyhow::Result<Shards> {
        Shards::new(read_manifest(manifest)?, beside(manifest))
            .with_context(|| format!("{} is not a valid sharded model", manifest.display()))
    }

    /// The whole model `manifest` names, every file read beside it and
    /// checked as by [`Shards::open`], without what `eval` keeps of each
    /// file (a copy, its gzip size): what following a previous build needs.
    ///
    /// # Errors
    ///
    /// As [`Shards::open`].
    pub fn open_whole(manifest: &Path) -> anyhow::Result<Sharded> {
        let empty = Sharded::decode(read_manifest(manifest)?).context("the manifest")?;
        load_all(empty, beside(manifest), |_, _, _| Ok(()))
            .with_context(|| format!("{} is not a valid sharded model", manifest.display()))
    }

    /// The files an encoding wrote, as [`Shards::open`] would read them.
    ///
    /// # Errors
    ///
    /// As [`Shards::open`].
    pub fn from_files(files: ShardedFiles) -> anyhow::Result<Shards> {
        let mut by_name: HashMap<String, Vec<u8>> = files.files.into_iter().collect();
        Shards::new(files.manifest, |name| {
            by_name
                .remove(name)
                .with_context(|| format!("no file {name}"))
        })
    }

    fn new(
        manifest: Vec<u8>,
        read: impl FnMut(&str) -> anyhow::Result<Vec<u8>>,
    ) -> anyhow::Result<Shards> {
        let empty = Sharded::decode(manifest.clone()).context("the manifest")?;
        let mut files = HashMap::new();
        let whole = load_all(empty.clone(), read, |name, bytes, digest| {
            let gzip = gzip_len(bytes)?;
            let bytes = bytes.to_vec();
            files.insert(
                name.to_owned(),
                File {
                    bytes,
                    digest,
                    gzip,
                },
            );
            Ok(())
        })?;
        Ok(Shards {
            manifest,
            files,
            whole,
            empty,
        })
    }

    /// The whole model, every part loaded.
    pub fn whole(&self) -> &Sharded {
        &self.whole
    }

    /// The manifest's size, raw and gzip.
    pub fn manifest_len(&self) -> anyhow::Result<(usize, usize)> {
        Ok((self.manifest.len(), gzip_len(&self.manifest)?))
    }

    /// Number of files besides the manifest, and their total size raw and gzip.
    pub fn files_len(&self) -> (usize, usize, usize) {
        let raw = self.files.values().map(|f| f.bytes.len()).sum();
        let gzip = self.files.values().map(|f| f.gzip).sum();
        (self.files.len(), raw, gzip)
    }

    /// A page's loading state before any fetch: the manifest alone.
    pub fn start(&self) -> Sharded {
        self.empty.clone()
    }

    /// Loads into `state` what `ids` need, round after round as the browser
    /// does, and says what it cost.
    pub fn load(&self, state: &mut Sharded, ids: &[&str]) -> Cost {
        let mut cost = Cost::default();
        loop {
            let wanted = state.wanted(ids);
            if wanted.is_empty() {
                return cost;
            }
            cost.rounds += 1;
            for want in wanted {
                self.fetch(state, &want, &mut cost);
            }
        }
    }

    fn fetch(&self, state: &mut Sharded, want: &Want, cost: &mut Cost) {
        match self.files.get(&want.file_name()) {
            Some(file) if file.digest == want.digest => {
                cost.files += 1;
                cost.gzip_bytes += file.gzip as u64;
                // Checked when opened: it decodes.
                let _ = state.add(want, file.bytes.clone());
            }
            _ => state.fail(want),
        }
    }
}

/// The bytes of `manifest`.
fn read_manifest(manifest: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(manifest).with_context(|| format!("reading {}", manifest.display()))
}

/// A reader of the files beside `manifest`, by name.
fn beside(manifest: &Path) -> impl FnMut(&str) -> anyhow::Result<Vec<u8>> {
    let dir = manifest
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf);
    move |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    }
}

/// Loads into `state` every file it names, level by level, each `read`,
/// checked against its digest, shown to `each` (name, bytes, digest) and
/// decoded.
fn load_all(
    mut state: Sharded,
    mut read: impl FnMut(&str) -> anyhow::Result<Vec<u8>>,
    mut each: impl FnMut(&str, &[u8], Digest) -> anyhow::Result<()>,
) -> anyhow::Result<Sharded> {
    loop {
        let wanted = state.unloaded();
        if wanted.is_empty() {
            return Ok(state);
        }
        for want in wanted {
            let name = want.file_name();
            let bytes = read(&name)?;
            let digest: Digest = Sha256::digest(&bytes).into();
            if digest != want.digest {
                bail!("{name} does not match its digest");
            }
            each(&name, &bytes, digest)?;
            state
                .add(&want, bytes)
                .with_context(|| format!("{name} is not valid"))?;
        }
    }
}

/// The size of `bytes` gzip-compressed at the best level.
///
/// # Errors
///
/// Only what writing to memory may fail with.
pub fn gzip_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}
