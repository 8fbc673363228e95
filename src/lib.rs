//! The WebAssembly binding of Shelfwise: the only code that touches the
//! browser.
//!
//! Each exported method converts its arguments, calls one function of
//! `shelfwise-core`, and converts the result back. Nothing here throws into
//! the host page except the setup call [`Engine::load_model`], whose caller
//! (the JS façade) catches it: hot-path calls return a status instead and
//! report a problem at most once, as a console warning.
//!
//! The modules are compiled for `wasm32` only; on other targets this crate
//! is empty, so that native builds and tests of the workspace stay fast.

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod boundary;
#[cfg(target_arch = "wasm32")]
mod clock;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod props;
#[cfg(target_arch = "wasm32")]
mod storage;

#[cfg(target_arch = "wasm32")]
pub use api::{Engine, rank_reasons};
#[cfg(target_arch = "wasm32")]
pub use boundary::{ExitInput, ExitReason, ExitVerdict, Shown};

/// A first-fit free list that merges neighbours (`lol_alloc`) instead of
/// std's dlmalloc: 3.0 KB gzip less of the script tag, and no slower here —
/// a page allocates its model once and small vectors per call (rank 100
/// candidates, engine call: 46–48 µs median with either, four interleaved
/// runs of `tests/bench/browser.mjs`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
