//! Targeting rules: `data-shelfwise-when="returning cart:items | from:email"`.
//!
//! A rule is one or more groups separated by `|`; it holds when any group
//! holds. A group is terms separated by spaces; it holds when every term
//! does. A term is a fact about the shopper (see
//! [`Segments`](crate::segment::Segments)), `!` in front negates it:
//!
//! ```text
//! rule   = group *( "|" group )
//! group  = term *( space term )
//! term   = [ "!" ] ( "new" | "returning" | "buyer"
//!                  | "cart:" ( "empty" | "items" )
//!                  | "category:" value
//!                  | "device:" ( "mobile" | "tablet" | "desktop" )
//!                  | "from:" ( "search" | "social" | "email" | "ads" | "direct"
//!                            | "referral" | "campaign" )
//!                  | "daypart:" ( "morning" | "afternoon" | "evening" | "night" )
//!                  | "season:" ( "spring" | "summer" | "autumn" | "winter" )
//!                  | "lang:" letters
//!                  | "pref:" key "=" value )
//! value  = bare | '"' text '"' | "'" text "'"
//! ```
//!
//! Names, keys and the listed words are read without regard to ASCII case;
//! category and preference values are compared exactly. A bare value runs to
//! the next space, `|` or end; a quoted one may hold spaces and `|`. A rule
//! is at most [`MAX_RULE_BYTES`] long with at most [`MAX_TERMS`] terms.
//!
//! [`Rule::parse`] never panics, whatever the input (a fuzz target checks
//! it); a rule it refuses leaves its element hidden, with one warning that
//! quotes the [`RuleError`].

use core::fmt;

use crate::context::{DayPart, DeviceClass, ReferrerClass, Season};
use crate::profile::MAX_PREFERENCE_KEY;
use crate::segment::Segments;

/// Longest rule accepted, in bytes.
pub const MAX_RULE_BYTES: usize = 1024;
/// Most terms in a rule, all groups together.
pub const MAX_TERMS: usize = 32;

/// A parsed rule. See the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    groups: Vec<Vec<Test>>,
}

/// One term of a group, maybe negated.
#[derive(Clone, Debug, PartialEq)]
struct Test {
    negated: bool,
    term: Term,
}

/// A fact a rule can test.
#[derive(Clone, Debug, PartialEq)]
enum Term {
    New,
    Returning,
    Buyer,
    Cart { items: bool },
    Category(String),
    Device(DeviceClass),
    From(ReferrerClass),
    DayPart(DayPart),
    Season(Season),
    Lang(String),
    Pref { key: String, value: String },
}

/// Why a rule was refused: what was wrong, and where (a byte offset into
/// the rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// Byte offset of the problem in the rule.
    pub at: usize,
    /// What is wrong, in words.
    pub what: &'static str,
}

impl RuleError {
    /// `what at byte N`, without the formatting machinery (for the wasm).
    pub fn message(&self) -> String {
        [self.what, " at byte ", &crate::profile::num(self.at as u64)].concat()
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for RuleError {}

impl Rule {
    /// Parses a rule.
    ///
    /// ```
    /// use shelfwise_core::rule::Rule;
    /// use shelfwise_core::segment::Segments;
    /// let rule = Rule::parse("returning !buyer | category:\"Green tea\"")?;
    /// let mut shopper = Segments { returning: true, ..Segments::default() };
    /// assert!(rule.holds(&shopper));
    /// shopper.buyer = true;
    /// assert!(!rule.holds(&shopper));
    /// shopper.category = Some("Green tea");
    /// assert!(rule.holds(&shopper));
    /// assert!(Rule::parse("returning |").is_err());
    /// # Ok::<(), shelfwise_core::rule::RuleError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Rule, RuleError> {
        if text.len() > MAX_RULE_BYTES {
            // Where the limit falls, on a character's start.
            let at = (0..=MAX_RULE_BYTES)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            return Err(RuleError {
                at,
                what: "rule too long",
            });
        }
        let mut cursor = Cursor { text, at: 0 };
        let mut groups = vec![Vec::new()];
        let mut terms = 0;
        loop {
            cursor.skip_spaces();
            match cursor.peek() {
                None | Some('|') => {
                    if groups.last().is_none_or(Vec::is_empty) {
                        return Err(cursor.error("a group without terms"));
                    }
                    if cursor.peek().is_none() {
                        return Ok(Rule { groups });
                    }
                    cursor.at += 1;
                    groups.push(Vec::new());
                }
                Some(_) => {
                    terms += 1;
                    if terms > MAX_TERMS {
                        return Err(cursor.error("too many terms"));
                    }
                    let test = cursor.test()?;
                    if !matches!(cursor.peek(), None | Some('|')) && !cursor.at_space() {
                        return Err(cursor.error("a space or '|' after a term"));
                    }
                    if let Some(group) = groups.last_mut() {
                        group.push(test);
                    }
                }
            }
        }
    }

    /// Whether the rule holds for `segments`: some group whose every term
    /// holds.
    pub fn holds(&self, segments: &Segments) -> bool {
        self.groups
            .iter()
            .any(|group| group.iter().all(|t| t.term.holds(segments) != t.negated))
    }
}

impl Term {
    fn holds(&self, s: &Segments) -> bool {
        match self {
            Term::New => !s.returning,
            Term::Returning => s.returning,
            Term::Buyer => s.buyer,
            Term::Cart { items } => (s.cart_lines > 0) == *items,
            Term::Category(c) => s.category == Some(c.as_str()),
            Term::Device(d) => s.device == *d,
            Term::From(r) => s.from == *r,
            Term::DayPart(d) => s.day_part == *d,
            Term::Season(season) => s.season == *season,
            Term::Lang(l) => s.language == *l,
            Term::Pref { key, value } => s.preferences.iter().any(|(k, v)| k == key && v == value),
        }
    }
}

/// A position in the rule being parsed.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_space(&self) -> bool {
        self.peek().is_some_and(char::is_whitespace)
    }

    fn skip_spaces(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.at += c.len_utf8();
        }
    }

    fn error(&self, what: &'static str) -> RuleError {
        RuleError { at: self.at, what }
    }

    /// Takes characters while `keep` holds.
    fn take(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.at;
        while let Some(c) = self.peek().filter(|&c| keep(c)) {
            self.at += c.len_utf8();
        }
        self.text.get(start..self.at).unwrap_or("")
    }

    /// A term's name, or a listed word: ASCII letters, lower-cased.
    fn word(&mut self) -> String {
        self.take(|c| c.is_ascii_alphabetic()).to_ascii_lowercase()
    }

    fn expect(&mut self, c: char, what: &'static str) -> Result<(), RuleError> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// A category or preference value, bare or quoted.
    fn value(&mut self) -> Result<String, RuleError> {
        let start = self.at;
        let value = match self.peek() {
            Some(mark @ ('"' | '\'')) => {
                self.at += 1;
                let value = self.take(|c| c != mark).to_owned();
                self.expect(mark, "a closing quote mark")?;
                value
            }
            _ => self
                .take(|c| !c.is_whitespace() && !matches!(c, '|' | '"' | '\''))
                .to_owned(),
        };
        if value.is_empty() {
            return Err(RuleError {
                at: start,
                what: "a value",
            });
        }
        Ok(value)
    }

    /// The next word, read by `name` (`DeviceClass::from_name`, …).
    fn named<T>(&mut self, name: fn(&str) -> Option<T>) -> Result<T, RuleError> {
        let start = self.at;
        name(&self.word()).ok_or(RuleError {
            at: start,
            what: "a known value after ':'",
        })
    }

    fn test(&mut self) -> Result<Test, RuleError> {
        let negated = self.peek() == Some('!');
        if negated {
            self.at += 1;
        }
        let start = self.at;
        let name = self.word();
        let term = match name.as_str() {
            "new" => Term::New,
            "returning" => Term::Returning,
            "buyer" => Term::Buyer,
            "cart" | "category" | "device" | "from" | "daypart" | "season" | "lang" | "pref" => {
                self.expect(':', "':' after the term's name")?;
                self.valued(&name)?
            }
            _ => {
                return Err(RuleError {
                    at: start,
                    what: "a known term",
                });
            }
        };
        Ok(Test { negated, term })
    }

    fn valued(&mut self, name: &str) -> Result<Term, RuleError> {
        Ok(match name {
            "cart" => Term::Cart {
                items: self.named(|w| match w {
                    "empty" => Some(false),
                    "items" => Some(true),
                    _ => None,
                })?,
            },
            "category" => Term::Category(self.value()?),
            "device" => Term::Device(self.named(DeviceClass::from_name)?),
            "from" => Term::From(self.named(ReferrerClass::from_name)?),
            "daypart" => Term::DayPart(self.named(DayPart::from_name)?),
            "season" => Term::Season(self.named(Season::from_name)?),
            "lang" => {
                let start = self.at;
                let lang = self.word();
                if lang.is_empty() || lang.len() > 8 {
                    return Err(RuleError {
                        at: start,
                        what: "a language of 1 to 8 letters",
                    });
                }
                Term::Lang(lang)
            }
            _ => {
                let start = self.at;
                let key = self
                    .take(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    .to_ascii_lowercase();
                if key.is_empty() || key.len() > MAX_PREFERENCE_KEY {
                    return Err(RuleError {
                        at: start,
                        what: "a preference key",
                    });
                }
                self.expect('=', "'=' after the preference key")?;
                Term::Pref {
                    key,
                    value: self.value()?,
                }
            }
        })
    }
}
