//! Exit-intent detection: a state machine over timestamped inputs.
//!
//! The web layer turns DOM events into [`Input`]s; [`Detector::input`] says
//! when the shopper looks about to leave and why. Nothing here touches the
//! DOM or reads a clock, so the same code runs over recorded traces in tests
//! and benchmarks.
//!
//! Signals, each with its [`Trigger`]:
//!
//! - **`pointer-top`** (desktop): the pointer leaves the document through the
//!   top edge, moving up fast. Not while a scrollbar is dragged, a form
//!   field has focus or just after typing (the pointer often drifts off
//!   while the shopper types), and not for a pointer hovering at the edge.
//! - **`scroll-up`** (mobile): a fast flick back up after reading down the
//!   page, the thumb gesture that brings back the address bar.
//! - **`tab-return`**: the tab comes back after being hidden a while (the
//!   shopper compared prices elsewhere); the prompt waits for their return.
//! - **`idle`**: no interaction for a while with something in the cart.
//!
//! Nothing fires before a minimum dwell on the page. How often a trigger
//! may actually show something is the [`Policy`]'s business.

/// What showed exit intent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The pointer left through the top edge.
    PointerTop,
    /// A fast scroll back up.
    ScrollUp,
    /// The tab came back after a while hidden.
    TabReturn,
    /// Idle with a non-empty cart.
    Idle,
}

impl Trigger {
    /// The name the JS API uses: `pointer-top`, `scroll-up`, `tab-return`, `idle`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::PointerTop => "pointer-top",
            Trigger::ScrollUp => "scroll-up",
            Trigger::TabReturn => "tab-return",
            Trigger::Idle => "idle",
        }
    }
}

/// One observation, in viewport CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input {
    /// The pointer is at `(x, y)`.
    PointerMove {
        /// Horizontal position.
        x: f32,
        /// Vertical position, 0 at the top of the viewport.
        y: f32,
    },
    /// The pointer left the document at `(x, y)` (negative `y`: above it).
    PointerLeave {
        /// Horizontal position.
        x: f32,
        /// Vertical position.
        y: f32,
    },
    /// A button went down at `(x, y)`.
    PointerDown {
        /// Horizontal position.
        x: f32,
        /// Vertical position.
        y: f32,
    },
    /// The buttons were released.
    PointerUp,
    /// The document is scrolled to `y`.
    Scroll {
        /// The scroll offset from the top.
        y: f32,
    },
    /// A key press or an edit in a field.
    Typing,
    /// A form field gained (`true`) or lost (`false`) focus.
    FieldFocus(bool),
    /// The tab was hidden (`true`) or shown again (`false`).
    Hidden(bool),
    /// The cart now holds this many lines.
    Cart(u32),
    /// Time passed: the caller ticks about once a second, for idleness.
    Tick,
}

/// The viewport's size in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// Every threshold of the detector; [`Sensitivity`] names three sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Nothing fires earlier than this after the page started.
    pub min_dwell_ms: u64,
    /// A pointer leaving at or above this `y` leaves through the top.
    pub top_edge_px: f32,
    /// Speed of the pointer over `motion_window_ms`, px per ms.
    pub min_pointer_speed: f32,
    /// How far up the pointer must have come within `motion_window_ms`.
    pub min_pointer_rise_px: f32,
    /// The span of pointer history the speed is measured over.
    pub motion_window_ms: u64,
    /// Pointer exits this soon after typing are ignored.
    pub quiet_after_typing_ms: u64,
    /// A button pressed this close to the right edge grabs the scrollbar.
    pub scrollbar_px: f32,
    /// Upward scroll speed, px per ms.
    pub min_scroll_speed: f32,
    /// Upward scroll distance, as a share of the viewport height.
    pub min_scroll_rise: f32,
    /// The span of scroll history the speed is measured over.
    pub scroll_window_ms: u64,
    /// The shopper must have read this far down, in viewport heights.
    pub min_scroll_depth: f32,
    /// A hidden tab must stay away this long for its return to count.
    pub min_absence_ms: u64,
    /// Idle this long with a non-empty cart.
    pub idle_ms: u64,
}

/// Named sets of [`Thresholds`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sensitivity {
    /// Fewer prompts: only unmistakable exits.
    Low,
    /// The default.
    Medium,
    /// More prompts: some false alarms.
    High,
}

impl Sensitivity {
    /// Parses `low`, `medium` or `high`.
    pub fn from_name(name: &str) -> Option<Sensitivity> {
        match name {
            "low" => Some(Sensitivity::Low),
            "medium" | "default" => Some(Sensitivity::Medium),
            "high" => Some(Sensitivity::High),
            _ => None,
        }
    }

    /// The preset's thresholds.
    pub fn thresholds(self) -> Thresholds {
        let medium = Thresholds {
            min_dwell_ms: 4_000,
            top_edge_px: 10.0,
            min_pointer_speed: 0.5,
            min_pointer_rise_px: 30.0,
            motion_window_ms: 150,
            quiet_after_typing_ms: 1_500,
            scrollbar_px: 24.0,
            min_scroll_speed: 1.2,
            min_scroll_rise: 0.5,
            scroll_window_ms: 300,
            min_scroll_depth: 1.0,
            min_absence_ms: 15_000,
            idle_ms: 45_000,
        };
        match self {
            Sensitivity::Medium => medium,
            Sensitivity::Low => Thresholds {
                min_dwell_ms: 8_000,
                min_pointer_speed: 0.9,
                min_pointer_rise_px: 50.0,
                min_scroll_speed: 2.5,
                min_scroll_rise: 0.8,
                min_scroll_depth: 1.5,
                min_absence_ms: 30_000,
                idle_ms: 90_000,
                ..medium
            },
            Sensitivity::High => Thresholds {
                min_dwell_ms: 2_000,
                top_edge_px: 20.0,
                min_pointer_speed: 0.25,
                min_pointer_rise_px: 15.0,
                min_scroll_speed: 1.0,
                min_scroll_rise: 0.35,
                min_scroll_depth: 0.5,
                min_absence_ms: 8_000,
                idle_ms: 30_000,
                ..medium
            },
        }
    }
}

/// Positions kept for speed measurements: a fixed ring, no allocation.
const HISTORY: usize = 16;

/// Recent `(at_ms, x, y)` samples, oldest overwritten.
#[derive(Clone, Copy, Debug)]
struct Ring {
    samples: [(u64, f32, f32); HISTORY],
    next: usize,
    len: usize,
}

impl Ring {
    const EMPTY: Ring = Ring {
        samples: [(0, 0.0, 0.0); HISTORY],
        next: 0,
        len: 0,
    };

    fn push(&mut self, at_ms: u64, x: f32, y: f32) {
        if let Some(slot) = self.samples.get_mut(self.next) {
            *slot = (at_ms, x, y);
        }
        self.next = (self.next + 1) % HISTORY;
        self.len = (self.len + 1).min(HISTORY);
    }

    /// The sample with the largest `y` since `since_ms`.
    fn lowest_since(&self, since_ms: u64) -> Option<(u64, f32, f32)> {
        self.in_window(since_ms).max_by(|a, b| a.2.total_cmp(&b.2))
    }

    /// The oldest sample since `since_ms`.
    fn oldest_since(&self, since_ms: u64) -> Option<(u64, f32, f32)> {
        self.in_window(since_ms).min_by_key(|s| s.0)
    }

    fn in_window(&self, since_ms: u64) -> impl Iterator<Item = (u64, f32, f32)> + '_ {
        self.samples
            .iter()
            .take(self.len)
            .filter(move |s| s.0 >= since_ms)
            .copied()
    }

    fn clear(&mut self) {
        self.len = 0;
        self.next = 0;
    }
}

/// The exit-intent state machine of one page.
#[derive(Clone, Debug)]
pub struct Detector {
    thresholds: Thresholds,
    viewport: Viewport,
    started_ms: u64,
    /// Pointer `y` positions.
    pointer: Ring,
    /// Scroll offsets.
    scroll: Ring,
    deepest_scroll: f32,
    last_typing_ms: Option<u64>,
    field_focused: bool,
    grabbing_scrollbar: bool,
    hidden_since: Option<u64>,
    cart_lines: u32,
    last_activity_ms: u64,
    idle_reported: bool,
}

impl Detector {
    /// A detector for a page shown since `now_ms`.
    pub fn new(thresholds: Thresholds, viewport: Viewport, now_ms: u64) -> Detector {
        Detector {
            thresholds,
            viewport,
            started_ms: now_ms,
            pointer: Ring::EMPTY,
            scroll: Ring::EMPTY,
            deepest_scroll: 0.0,
            last_typing_ms: None,
            field_focused: false,
            grabbing_scrollbar: false,
            hidden_since: None,
            cart_lines: 0,
            last_activity_ms: now_ms,
            idle_reported: false,
        }
    }

    /// The viewport changed size.
    pub fn resize(&mut self, viewport: Viewport) {
        self.viewport = viewport;
    }

    /// Feeds one input observed at `at_ms`; says whether it shows exit intent.
    pub fn input(&mut self, at_ms: u64, input: Input) -> Option<Trigger> {
        let t = self.thresholds;
        let dwelt = at_ms.saturating_sub(self.started_ms) >= t.min_dwell_ms;
        match input {
            Input::Tick | Input::Cart(_) | Input::Hidden(_) | Input::PointerLeave { .. } => {}
            _ => {
                self.last_activity_ms = at_ms;
                self.idle_reported = false;
            }
        }
        match input {
            Input::PointerMove { x, y } => self.pointer.push(at_ms, x, y),
            Input::PointerDown { x, .. } => {
                self.grabbing_scrollbar = x >= self.viewport.width - t.scrollbar_px;
            }
            Input::PointerUp => self.grabbing_scrollbar = false,
            Input::Typing => self.last_typing_ms = Some(at_ms),
            Input::FieldFocus(focused) => self.field_focused = focused,
            Input::Cart(lines) => self.cart_lines = lines,
            Input::PointerLeave { x, y } => {
                let typing = self
                    .last_typing_ms
                    .is_some_and(|t0| at_ms.saturating_sub(t0) < t.quiet_after_typing_ms);
                let blocked = self.grabbing_scrollbar || self.field_focused || typing;
                // Heading up (within 75° of vertical: towards the tabs, the
                // address bar or the close button), fast and from well below.
                let moving_up = self
                    .pointer
                    .oldest_since(at_ms.saturating_sub(t.motion_window_ms))
                    .is_some_and(|(t0, x0, y0)| {
                        let (rise, dx) = (y0 - y, x - x0);
                        let path = (rise * rise + dx * dx).sqrt();
                        let ms = at_ms.saturating_sub(t0).max(1) as f32;
                        rise >= t.min_pointer_rise_px
                            && rise >= 0.25 * path
                            && path / ms >= t.min_pointer_speed
                    });
                self.pointer.clear();
                if dwelt && !blocked && y <= t.top_edge_px && moving_up {
                    return Some(Trigger::PointerTop);
                }
            }
            Input::Scroll { y } => {
                self.scroll.push(at_ms, 0.0, y);
                self.deepest_scroll = self.deepest_scroll.max(y);
                let height = self.viewport.height.max(1.0);
                let fast_up = self
                    .scroll
                    .lowest_since(at_ms.saturating_sub(t.scroll_window_ms))
                    .is_some_and(|(t0, _, highest)| {
                        let rise = highest - y;
                        let ms = at_ms.saturating_sub(t0).max(1) as f32;
                        rise >= t.min_scroll_rise * height && rise / ms >= t.min_scroll_speed
                    });
                if dwelt && fast_up && self.deepest_scroll >= t.min_scroll_depth * height {
                    self.scroll.clear();
                    return Some(Trigger::ScrollUp);
                }
            }
            Input::Hidden(true) => self.hidden_since = Some(at_ms),
            Input::Hidden(false) => {
                let away = self
                    .hidden_since
                    .take()
                    .map(|since| at_ms.saturating_sub(since));
                // The absence restarts the idle clock.
                self.last_activity_ms = at_ms;
                if dwelt && away.is_some_and(|ms| ms >= t.min_absence_ms) {
                    return Some(Trigger::TabReturn);
                }
            }
            Input::Tick => {
                let idle = at_ms.saturating_sub(self.last_activity_ms) >= t.idle_ms;
                if dwelt
                    && idle
                    && self.cart_lines > 0
                    && self.hidden_since.is_none()
                    && !self.idle_reported
                {
                    self.idle_reported = true;
                    return Some(Trigger::Idle);
                }
            }
        }
        None
    }
}

/// When a detected exit intent may show something: minimum time on page,
/// frequency caps and suppression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Nothing is shown earlier than this after the page started.
    pub min_time_on_page_ms: u64,
    /// At most this many per visit.
    pub per_visit: u32,
    /// At most `per_period` within `period_days`.
    pub per_period: u32,
    /// The period of `per_period`, in days.
    pub period_days: u32,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            min_time_on_page_ms: 5_000,
            per_visit: 1,
            per_period: 2,
            period_days: 7,
        }
    }
}

/// Times something was shown, kept by the caller across pages (at most the
/// last [`Shown::MAX`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    times_ms: Vec<u64>,
}

impl Shown {
    /// Times kept.
    pub const MAX: usize = 32;

    /// Parses the stored form (times separated by commas); bad entries are dropped.
    pub fn parse(text: &str) -> Shown {
        // Written in time order by `to_text`; not sorted again (no sort
        // routine in the wasm for this).
        let mut times_ms: Vec<u64> = text
            .split(',')
            .filter_map(|t| t.trim().parse().ok())
            .collect();
        let excess = times_ms.len().saturating_sub(Shown::MAX);
        times_ms.drain(..excess);
        Shown { times_ms }
    }

    /// The stored form.
    pub fn to_text(&self) -> String {
        // The profile's integer writer: no `core::fmt` in the wasm.
        let mut text = String::new();
        for (i, &t) in self.times_ms.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&crate::profile::num(t));
        }
        text
    }

    /// Records a showing.
    pub fn record(&mut self, at_ms: u64) {
        if self.times_ms.len() >= Shown::MAX {
            self.times_ms.remove(0);
        }
        self.times_ms.push(at_ms);
    }

    /// How many showings were at or after `from_ms`.
    pub fn count_since(&self, from_ms: u64) -> u32 {
        self.times_ms.iter().filter(|&&t| t >= from_ms).count() as u32
    }
}

/// Why a detected exit intent shows nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suppressed {
    /// Too early on the page.
    TooEarly,
    /// The visit's cap is reached.
    VisitCap,
    /// The period's cap is reached.
    PeriodCap,
    /// The caller suppressed it: purchase, holdout arm, no consent, merchant config.
    ByCaller,
}

impl Policy {
    /// Whether a trigger at `now_ms` may show, on a page started at
    /// `page_started_ms` in a visit started at `visit_started_ms`.
    pub fn check(
        &self,
        shown: &Shown,
        now_ms: u64,
        page_started_ms: u64,
        visit_started_ms: u64,
        suppressed_by_caller: bool,
    ) -> Result<(), Suppressed> {
        const DAY_MS: u64 = 86_400_000;
        if suppressed_by_caller {
            Err(Suppressed::ByCaller)
        } else if now_ms.saturating_sub(page_started_ms) < self.min_time_on_page_ms {
            Err(Suppressed::TooEarly)
        } else if shown.count_since(visit_started_ms) >= self.per_visit {
            Err(Suppressed::VisitCap)
        } else if shown.count_since(now_ms.saturating_sub(u64::from(self.period_days) * DAY_MS))
            >= self.per_period
        {
            Err(Suppressed::PeriodCap)
        } else {
            Ok(())
        }
    }
}
