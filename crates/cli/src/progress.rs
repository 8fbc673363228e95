//! Progress on stderr for long inputs: a byte bar while reading, a spinner
//! for each phase after. Nothing is drawn when stderr is not a terminal.

use std::fs::File;
use std::io::Read;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Wraps `file` in a reader that advances a bar over the file's size.
///
/// # Errors
///
/// The file's metadata cannot be read.
pub fn reading(file: File) -> anyhow::Result<impl Read> {
    let len = file.metadata()?.len();
    let bar = ProgressBar::new(len).with_style(
        ProgressStyle::with_template(
            "reading {bar:32} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )?
        .progress_chars("=> "),
    );
    Ok(Finishing(bar.wrap_read(file)))
}

/// Clears the bar once the reader is dropped.
struct Finishing(indicatif::ProgressBarIter<File>);

impl Read for Finishing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Drop for Finishing {
    fn drop(&mut self) {
        self.0.progress.finish_and_clear();
    }
}

/// Runs `work` under a spinner named `what`.
pub fn phase<T>(what: &'static str, work: impl FnOnce() -> T) -> T {
    let spinner = ProgressBar::new_spinner().with_message(what);
    spinner.enable_steady_tick(Duration::from_millis(120));
    let out = work();
    spinner.finish_and_clear();
    out
}
