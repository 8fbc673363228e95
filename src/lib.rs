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
mod props;
#[cfg(target_arch = "wasm32")]
mod storage;

#[cfg(target_arch = "wasm32")]
pub use api::{Engine, rank_reasons};
#[cfg(target_arch = "wasm32")]
pub use boundary::{ExitInput, ExitReason, ExitVerdict, Placement};
