//! The interaction log held in memory by the builder: interned item ids and
//! every session's events packed into one flat array of `u32`.
//!
//! An event is its item's dense index in the low 30 bits and its intent
//! weight (view 1, cart 2, purchase 3) in the top two; sessions are separated
//! by [`SEPARATOR`]. Ten million events take 40 MB, whatever the ids look
//! like.

use std::ops::Range;
use std::sync::OnceLock;

use compact_str::CompactString;
use foldhash::HashMap as FastMap;
use shelfwise_core::profile::EventKind;

/// Ends every session in [`Log::events`].
pub const SEPARATOR: u32 = u32::MAX;
/// Item indexes use the low 30 bits of an event.
const ITEM_BITS: u32 = 30;
const ITEM_MASK: u32 = (1 << ITEM_BITS) - 1;
/// Most distinct items a log can hold (`SEPARATOR`'s item bits are reserved).
pub const MAX_ITEMS: usize = ITEM_MASK as usize;

/// The item index of a packed event.
pub fn item(event: u32) -> u32 {
    event & ITEM_MASK
}

/// The intent weight of a packed event: 1, 2 or 3.
pub fn weight(event: u32) -> f64 {
    f64::from(event >> ITEM_BITS)
}

/// Packs an item index and an event kind; kinds that carry no intent
/// (cart removals, checkout steps) give `None`.
pub fn pack(item: u32, kind: EventKind) -> Option<u32> {
    let code = match kind {
        EventKind::View => 1,
        EventKind::AddToCart => 2,
        EventKind::Purchase => 3,
        _ => return None,
    };
    Some(code << ITEM_BITS | item)
}

/// Sessions of interned items, in the order they were pushed.
#[derive(Debug, Default)]
pub struct Log {
    names: Vec<Box<str>>,
    /// Ids up to 24 bytes are kept inline: one cache miss per lookup.
    index: FastMap<CompactString, u32>,
    categories: Vec<Option<Box<str>>>,
    events: Vec<u32>,
    /// Where each session starts in `events`.
    starts: Vec<u32>,
    /// Each item's place in id order, computed once on first use.
    id_order: OnceLock<Vec<u32>>,
}

impl Log {
    /// An empty log.
    pub fn new() -> Log {
        Log::default()
    }

    /// The dense index of item `name`, added if new. Empty names, and new
    /// names past [`MAX_ITEMS`], give `None`.
    pub fn intern(&mut self, name: &str) -> Option<u32> {
        if let Some(&i) = self.index.get(name) {
            return Some(i);
        }
        if name.is_empty() || self.names.len() >= MAX_ITEMS {
            return None;
        }
        let i = self.names.len() as u32;
        self.id_order.take();
        self.index.insert(CompactString::new(name), i);
        self.names.push(name.into());
        self.categories.push(None);
        Some(i)
    }

    /// Records `item`'s category, unless it already has one.
    pub fn set_category(&mut self, item: u32, category: &str) {
        if let Some(slot @ None) = self.categories.get_mut(item as usize) {
            *slot = Some(category.into());
        }
    }

    /// Appends a session of packed events (see [`pack`]); an empty session
    /// is not kept.
    pub fn push_session(&mut self, events: impl IntoIterator<Item = u32>) {
        let start = self.events.len();
        self.events.extend(events);
        if self.events.len() > start {
            self.events.push(SEPARATOR);
            self.starts.push(start as u32);
        }
    }

    /// Appends `other`'s sessions after this log's, its items interned here
    /// in the order `other` first saw them: the log one read of both inputs
    /// in turn gives, item indexes and categories included.
    pub fn append(&mut self, other: &Log) {
        let items: Vec<Option<u32>> = other.names.iter().map(|n| self.intern(n)).collect();
        for (&item, category) in items.iter().zip(&other.categories) {
            if let (Some(item), Some(category)) = (item, category) {
                self.set_category(item, category);
            }
        }
        for session in other.sessions(0..other.session_count()) {
            self.push_session(session.iter().filter_map(|&e| {
                let item = (*items.get(self::item(e) as usize)?)?;
                Some(e & !ITEM_MASK | item)
            }));
        }
    }

    /// Number of sessions.
    pub fn session_count(&self) -> usize {
        self.starts.len()
    }

    /// Number of events.
    pub fn event_count(&self) -> usize {
        self.events.len() - self.starts.len()
    }

    /// Number of distinct items.
    pub fn item_count(&self) -> usize {
        self.names.len()
    }

    /// An item's id.
    pub fn name(&self, item: u32) -> &str {
        self.names.get(item as usize).map_or("", |n| n)
    }

    /// An item's category, if the log named one.
    pub fn category(&self, item: u32) -> Option<&str> {
        self.categories.get(item as usize)?.as_deref()
    }

    /// Each item's place when items are sorted by id (byte order, as in
    /// the model file), indexed by item. Computed on first use.
    pub fn id_order(&self) -> &[u32] {
        self.id_order.get_or_init(|| {
            let mut by_id: Vec<u32> = (0..self.names.len() as u32).collect();
            by_id.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
            let mut places = vec![0u32; by_id.len()];
            for (place, &item) in by_id.iter().enumerate() {
                if let Some(slot) = places.get_mut(item as usize) {
                    *slot = place as u32;
                }
            }
            places
        })
    }

    /// The dense index of a known item.
    pub fn find(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The packed events of sessions `range`, each followed by [`SEPARATOR`].
    pub fn events(&self, range: Range<usize>) -> &[u32] {
        let at = |s: usize| {
            self.starts
                .get(s)
                .map_or(self.events.len(), |&p| p as usize)
        };
        self.events
            .get(at(range.start)..at(range.end))
            .unwrap_or(&[])
    }

    /// A log of view sessions, for tests.
    #[cfg(test)]
    pub fn of_views<S: AsRef<str>>(sessions: &[Vec<S>]) -> Log {
        let mut log = Log::new();
        for s in sessions {
            let events: Vec<u32> = s
                .iter()
                .filter_map(|n| pack(log.intern(n.as_ref())?, EventKind::View))
                .collect();
            log.push_session(events);
        }
        log
    }

    /// Each session's packed events, without the separator.
    pub fn sessions(&self, range: Range<usize>) -> impl Iterator<Item = &[u32]> {
        self.events(range)
            .split(|&e| e == SEPARATOR)
            .filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views(log: &mut Log, names: &[&str]) {
        let events: Vec<u32> = names
            .iter()
            .map(|n| pack(log.intern(n).unwrap(), EventKind::View).unwrap())
            .collect();
        log.push_session(events);
    }

    #[test]
    fn sessions_are_packed_in_order() {
        let mut log = Log::new();
        views(&mut log, &["a", "b", "b", "a"]);
        views(&mut log, &[]);
        let cart = pack(log.intern("c").unwrap(), EventKind::AddToCart).unwrap();
        log.push_session([cart]);
        assert_eq!(log.session_count(), 2);
        assert_eq!(log.event_count(), 5);
        let sessions: Vec<Vec<(&str, f64)>> = log
            .sessions(0..2)
            .map(|s| s.iter().map(|&e| (log.name(item(e)), weight(e))).collect())
            .collect();
        assert_eq!(
            sessions,
            [
                vec![("a", 1.0), ("b", 1.0), ("b", 1.0), ("a", 1.0)],
                vec![("c", 2.0)]
            ]
        );
        assert_eq!(log.sessions(1..2).count(), 1);
        assert_eq!(log.events(2..2), &[] as &[u32]);
    }

    #[test]
    fn id_order_follows_the_ids_and_new_items() {
        let mut log = Log::new();
        views(&mut log, &["b", "c", "a"]);
        assert_eq!(log.id_order(), &[1, 2, 0]);
        log.intern("0");
        assert_eq!(log.id_order(), &[2, 3, 1, 0]);
    }

    #[test]
    fn appending_a_log_is_reading_its_sessions_after() {
        let parts: [&[&[&str]]; 2] = [
            &[&["a", "b"], &["c", "a"]],
            &[&["d", "b"], &["c", "e", "d"]],
        ];
        let mut whole = Log::new();
        let mut first = Log::new();
        let mut second = Log::new();
        for (i, part) in parts.iter().enumerate() {
            for session in *part {
                views(&mut whole, session);
                views(if i == 0 { &mut first } else { &mut second }, session);
            }
        }
        whole.set_category(3, "tea");
        second.set_category(0, "tea");
        second.set_category(1, "pots");
        first.set_category(1, "cups");
        first.append(&second);
        assert_eq!(first.names, whole.names);
        assert_eq!(first.events, whole.events);
        assert_eq!(first.starts, whole.starts);
        assert_eq!(first.category(3), Some("tea"));
        assert_eq!(first.category(1), Some("cups"));
        assert_eq!(first.find("e"), Some(4));
    }

    #[test]
    fn kinds_without_intent_are_not_packed() {
        assert_eq!(pack(0, EventKind::RemoveFromCart), None);
        assert_eq!(weight(pack(7, EventKind::Purchase).unwrap()), 3.0);
        assert_eq!(item(pack(7, EventKind::Purchase).unwrap()), 7);
    }
}
