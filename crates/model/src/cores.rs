//! Work split over the machine's cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use shelfwise_core::model::Blocks;

/// Blocks per core: items handed out a block at a time to whichever core is
/// free, so that a core given the heavy items (the popular ones come first
/// in a log's item order) does not finish long after the others.
const BLOCKS_PER_CORE: usize = 8;

/// Splits `items` into blocks, runs `work` on each block on whichever of the
/// machine's cores is free and returns the results in block order. A panic
/// in `work` is raised again here: a lost block never passes for an empty
/// one.
pub fn on_every_core<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    on_every_core_with(items, || (), |(), block| work(block))
}

/// [`on_every_core`], with a value each core makes once (`init`) and hands
/// to `work` for each of its blocks: a buffer or a builder that a block
/// would otherwise make anew.
pub fn on_every_core_with<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &[T]) -> R + Sync,
) -> Vec<R> {
    let threads = thread::available_parallelism().map_or(1, |n| n.get());
    let block = items.len().div_ceil(threads * BLOCKS_PER_CORE).max(1);
    let blocks: Vec<&[T]> = items.chunks(block).collect();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(blocks.len()))
            .map(|_| {
                let (init, work, blocks, next) = (&init, &work, &blocks, &next);
                scope.spawn(move || {
                    let mut done = Vec::new();
                    let mut state = init();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(block) = blocks.get(i) else {
                            return done;
                        };
                        done.push((i, work(&mut state, block)));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(joined).collect()
    });
    done.sort_unstable_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The model encoder's per-item work ([`Blocks`]) on every core.
#[derive(Clone, Copy, Debug, Default)]
pub struct EveryCore;

impl Blocks for EveryCore {
    fn map<T: Sync, R: Send>(&self, items: &[T], work: &(dyn Fn(&[T]) -> R + Sync)) -> Vec<R> {
        on_every_core(items, work)
    }
}

/// What a scoped thread returned; its panic, if it panicked, is raised
/// again here: a lost result never passes for an empty one.
pub fn joined<R>(thread: thread::ScopedJoinHandle<'_, R>) -> R {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_items_order() {
        let items: Vec<u32> = (0..1000).collect();
        let sums = on_every_core(&items, |block| block.to_vec());
        assert_eq!(sums.concat(), items);
        assert!(on_every_core(&[] as &[u32], |b| b.len()).is_empty());
    }

    #[test]
    fn each_core_makes_its_value_once() {
        let made = AtomicUsize::new(0);
        let items: Vec<u32> = (0..1000).collect();
        let blocks = on_every_core_with(
            &items,
            || made.fetch_add(1, Ordering::Relaxed),
            |_, block| block.len(),
        );
        assert_eq!(blocks.iter().sum::<usize>(), 1000);
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        assert!(blocks.len() > cores);
        assert!((1..=cores).contains(&made.load(Ordering::Relaxed)));
    }
}
