//! The context of a page view: device class, local day-part and weekday,
//! referrer class and language. Classified here from raw values the web
//! layer reads (viewport width, referrer URL, landing query), so the rules
//! are tested natively.

/// Device class from viewport width and touch support.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceClass {
    /// Not known (never classified).
    #[default]
    Unknown,
    /// Touch screen narrower than 768 CSS px.
    Mobile,
    /// Touch screen from 768 to 1279 CSS px.
    Tablet,
    /// Anything else.
    Desktop,
}

/// Part of the shopper's local day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DayPart {
    /// Not known.
    #[default]
    Unknown,
    /// 00:00–05:59.
    Night,
    /// 06:00–11:59.
    Morning,
    /// 12:00–17:59.
    Afternoon,
    /// 18:00–23:59.
    Evening,
}

/// Where the visit came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReferrerClass {
    /// No referrer, or the store itself.
    #[default]
    Direct,
    /// A search engine.
    Search,
    /// A social network.
    Social,
    /// A webmail client or `utm_medium=email`.
    Email,
    /// Tagged campaign traffic (`utm_*`, click ids).
    Campaign,
    /// Any other site.
    Referral,
}

/// The context of the current page. See the [module docs](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Device class.
    pub device: DeviceClass,
    /// Local day-part.
    pub day_part: DayPart,
    /// Local weekday, 0 = Sunday … 6 = Saturday (7 = unknown).
    pub weekday: u8,
    /// Referrer class of the visit's landing page.
    pub referrer: ReferrerClass,
    /// Primary language subtag, lower case (`"de"` for `de-CH`), at most 8 letters.
    pub language: String,
}

const SEARCH: &[&str] = &[
    "google.",
    "bing.",
    "duckduckgo.",
    "yahoo.",
    "baidu.",
    "yandex.",
    "ecosia.",
    "qwant.",
    "search.brave.",
    "startpage.",
];
const SOCIAL: &[&str] = &[
    "facebook.",
    "instagram.",
    "t.co",
    "twitter.",
    "x.com",
    "pinterest.",
    "reddit.",
    "tiktok.",
    "linkedin.",
    "youtube.",
    "threads.",
    "snapchat.",
];
const WEBMAIL: &[&str] = &[
    "mail.google.",
    "outlook.",
    "mail.yahoo.",
    "mail.proton.",
    "gmx.",
    "web.de",
];

impl DeviceClass {
    /// Classifies from the viewport width in CSS px and touch support.
    pub fn classify(viewport_width: f64, touch: bool) -> DeviceClass {
        match (touch, viewport_width) {
            (true, w) if w < 768.0 => DeviceClass::Mobile,
            (true, w) if w < 1280.0 => DeviceClass::Tablet,
            _ => DeviceClass::Desktop,
        }
    }
}

impl DayPart {
    /// Classifies a local hour (0–23).
    pub fn from_hour(hour: u32) -> DayPart {
        match hour {
            0..=5 => DayPart::Night,
            6..=11 => DayPart::Morning,
            12..=17 => DayPart::Afternoon,
            18..=23 => DayPart::Evening,
            _ => DayPart::Unknown,
        }
    }
}

impl ReferrerClass {
    /// Classifies a visit from the referrer URL, the landing page's query
    /// string and the store's own host name.
    ///
    /// Campaign tags win over the referrer (`utm_medium=email` is email), a
    /// referrer from the store itself is direct.
    ///
    /// ```
    /// use shelfwise_core::context::ReferrerClass;
    /// assert_eq!(ReferrerClass::classify("https://www.google.com/", "", "shop.example"), ReferrerClass::Search);
    /// assert_eq!(ReferrerClass::classify("", "?utm_source=nl&utm_medium=email", "shop.example"), ReferrerClass::Email);
    /// assert_eq!(ReferrerClass::classify("https://shop.example/cart", "", "shop.example"), ReferrerClass::Direct);
    /// ```
    pub fn classify(referrer: &str, landing_query: &str, own_host: &str) -> ReferrerClass {
        let query = landing_query.trim_start_matches('?');
        let mut tagged = false;
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "utm_medium" if value.eq_ignore_ascii_case("email") => return ReferrerClass::Email,
                "utm_medium" | "utm_source" | "utm_campaign" | "gclid" | "fbclid" | "msclkid" => {
                    tagged = true
                }
                _ => {}
            }
        }
        if tagged {
            return ReferrerClass::Campaign;
        }
        let host = host_of(referrer);
        if host.is_empty() || host.eq_ignore_ascii_case(own_host) {
            return ReferrerClass::Direct;
        }
        let host = host.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        // A name matches at the start of the host or of any of its labels
        // (byte comparisons: no substring searcher in the wasm).
        let label_starts = || std::iter::once(0).chain(host.match_indices('.').map(|(i, _)| i + 1));
        let matches = |list: &[&str]| {
            label_starts().any(|start| list.iter().any(|p| host[start..].starts_with(p)))
        };
        if matches(WEBMAIL) {
            ReferrerClass::Email
        } else if matches(SEARCH) {
            ReferrerClass::Search
        } else if matches(SOCIAL) {
            ReferrerClass::Social
        } else {
            ReferrerClass::Referral
        }
    }
}

fn host_of(url: &str) -> &str {
    let rest = url
        .split_once(':')
        .and_then(|(_, rest)| rest.strip_prefix("//"))
        .unwrap_or("");
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    authority.split(':').next().unwrap_or("")
}

/// The primary subtag of a BCP 47 language tag, lower case, letters only.
pub fn primary_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .chars()
        .take(8)
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Context {
    pub(crate) fn to_fields(&self) -> [String; 5] {
        let device = match self.device {
            DeviceClass::Unknown => "",
            DeviceClass::Mobile => "mobile",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Desktop => "desktop",
        };
        [
            device.into(),
            String::from(self.day_part.as_str()),
            String::from(char::from(b'0' + self.weekday.min(7))),
            String::from(self.referrer.as_str()),
            self.language.clone(),
        ]
    }

    pub(crate) fn from_fields(fields: &[String]) -> Context {
        let f = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
        Context {
            device: match f(0) {
                "mobile" => DeviceClass::Mobile,
                "tablet" => DeviceClass::Tablet,
                "desktop" => DeviceClass::Desktop,
                _ => DeviceClass::Unknown,
            },
            day_part: match f(1) {
                "night" => DayPart::Night,
                "morning" => DayPart::Morning,
                "afternoon" => DayPart::Afternoon,
                "evening" => DayPart::Evening,
                _ => DayPart::Unknown,
            },
            weekday: f(2).parse::<u8>().ok().filter(|d| *d < 7).unwrap_or(7),
            referrer: match f(3) {
                "search" => ReferrerClass::Search,
                "social" => ReferrerClass::Social,
                "email" => ReferrerClass::Email,
                "campaign" => ReferrerClass::Campaign,
                "referral" => ReferrerClass::Referral,
                _ => ReferrerClass::Direct,
            },
            language: primary_language(f(4)),
        }
    }
}

impl DayPart {
    /// The lower-case name (`"morning"`), empty when unknown.
    pub fn as_str(self) -> &'static str {
        match self {
            DayPart::Unknown => "",
            DayPart::Night => "night",
            DayPart::Morning => "morning",
            DayPart::Afternoon => "afternoon",
            DayPart::Evening => "evening",
        }
    }
}

impl ReferrerClass {
    /// The lower-case name (`"search"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReferrerClass::Direct => "direct",
            ReferrerClass::Search => "search",
            ReferrerClass::Social => "social",
            ReferrerClass::Email => "email",
            ReferrerClass::Campaign => "campaign",
            ReferrerClass::Referral => "referral",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrers_are_classified() {
        let own = "shop.example";
        let cases = [
            ("", "", ReferrerClass::Direct),
            ("https://shop.example/x", "", ReferrerClass::Direct),
            ("https://www.bing.com/search?q=x", "", ReferrerClass::Search),
            ("https://duckduckgo.com/", "", ReferrerClass::Search),
            ("https://l.facebook.com/", "", ReferrerClass::Social),
            ("https://t.co/abc", "", ReferrerClass::Social),
            ("https://mail.google.com/mail/u/0", "", ReferrerClass::Email),
            ("https://blog.example.org/post", "", ReferrerClass::Referral),
            // A name counts only at the start of a label.
            ("https://news.google.co.uk/", "", ReferrerClass::Search),
            ("https://notgoogle.com/", "", ReferrerClass::Referral),
            ("https://user@www.bing.com:443/", "", ReferrerClass::Search),
            ("ftp:/google.com/", "", ReferrerClass::Direct),
            (
                "https://www.google.com/",
                "?gclid=abc",
                ReferrerClass::Campaign,
            ),
            ("", "?utm_medium=Email", ReferrerClass::Email),
            ("not a url", "", ReferrerClass::Direct),
        ];
        for (referrer, query, want) in cases {
            assert_eq!(
                ReferrerClass::classify(referrer, query, own),
                want,
                "{referrer} {query}"
            );
        }
    }

    #[test]
    fn devices_and_day_parts_are_classified() {
        assert_eq!(DeviceClass::classify(390.0, true), DeviceClass::Mobile);
        assert_eq!(DeviceClass::classify(1024.0, true), DeviceClass::Tablet);
        assert_eq!(DeviceClass::classify(390.0, false), DeviceClass::Desktop);
        assert_eq!(DayPart::from_hour(7), DayPart::Morning);
        assert_eq!(DayPart::from_hour(23), DayPart::Evening);
        assert_eq!(DayPart::from_hour(24), DayPart::Unknown);
    }

    #[test]
    fn languages_keep_the_primary_subtag_only() {
        assert_eq!(primary_language("de-CH"), "de");
        assert_eq!(primary_language("EN_us"), "en");
        assert_eq!(primary_language("<script>"), "script");
    }

    #[test]
    fn context_fields_round_trip() {
        let c = Context {
            device: DeviceClass::Tablet,
            day_part: DayPart::Evening,
            weekday: 3,
            referrer: ReferrerClass::Social,
            language: "fr".into(),
        };
        assert_eq!(Context::from_fields(&c.to_fields()), c);
    }
}
