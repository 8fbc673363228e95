//! Progress on stderr for long inputs: a byte bar while reading, a spinner
//! for each phase after. Nothing is drawn when stderr is not a terminal.

use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// A byte bar over an input of `len` bytes, read by one reader or several
/// at once ([`Bar::wrap`]); cleared when dropped.
///
/// # Errors
///
/// None in practice: the bar's template is fixed.
pub fn bar(len: u64) -> anyhow::Result<Bar> {
    Ok(Bar(ProgressBar::new(len).with_style(
        ProgressStyle::with_template(
            "reading {bar:32} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )?
        .progress_chars("=> "),
    )))
}

/// See [`bar`].
pub struct Bar(ProgressBar);

impl Bar {
    /// `input`, advancing the bar by what is read from it.
    pub fn wrap<R: Read>(&self, input: R) -> impl Read + use<R> {
        self.0.wrap_read(input)
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Runs `work` under a spinner named `what`, timed (see [`times`]).
pub fn phase<T>(what: &'static str, work: impl FnOnce() -> T) -> T {
    let spinner = ProgressBar::new_spinner().with_message(what);
    spinner.enable_steady_tick(Duration::from_millis(120));
    let out = timed(what, work);
    spinner.finish_and_clear();
    out
}

/// Runs `work`, which draws its own progress, timed (see [`times`]).
pub fn timed<T>(what: &'static str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = work();
    if let Ok(mut times) = TIMES.lock() {
        times.push((what, started.elapsed().as_secs_f64()));
    }
    out
}

/// The timed phases so far, in order, with their seconds.
pub fn times() -> Vec<(&'static str, f64)> {
    TIMES.lock().map(|t| t.clone()).unwrap_or_default()
}

static TIMES: Mutex<Vec<(&'static str, f64)>> = Mutex::new(Vec::new());
