//! The context of a page view: device class, local day-part, weekday and
//! season, referrer class and language. Classified here from raw values the
//! web layer reads (viewport width, referrer URL, landing query, the time
//! zone's name and the local month), so the rules are tested natively. Only
//! the classes are kept, never the raw values.

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
    /// Paid traffic: an ad network's click id (`gclid`, `msclkid`, …) or a
    /// paid `utm_medium` (`cpc`, `ppc`, `paid…`, `display`, …).
    Ads,
    /// Other tagged campaign traffic (`utm_*`).
    Campaign,
    /// Any other site.
    Referral,
}

/// Season of the year in the shopper's own hemisphere (meteorological:
/// whole months, March–May is spring in the north).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Season {
    /// Not known: no month, or a time zone that names no place (`UTC`).
    #[default]
    Unknown,
    /// Spring.
    Spring,
    /// Summer.
    Summer,
    /// Autumn.
    Autumn,
    /// Winter.
    Winter,
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
    /// Season in the shopper's hemisphere.
    pub season: Season,
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
        // A medium says most; then a paid click id; then Facebook's, which
        // it adds to organic shares too; then any other tag.
        let mut medium = None;
        let mut clicked = None;
        let mut tagged = false;
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "utm_medium" => medium = Some(medium_class(&value.to_ascii_lowercase())),
                "gclid" | "gbraid" | "wbraid" | "dclid" | "msclkid" | "ttclid" | "twclid" => {
                    clicked = Some(ReferrerClass::Ads)
                }
                "fbclid" => clicked = clicked.or(Some(ReferrerClass::Social)),
                "utm_source" | "utm_campaign" => tagged = true,
                _ => {}
            }
        }
        match (medium, clicked) {
            (Some(class), _) if class != ReferrerClass::Campaign => return class,
            (_, Some(class)) => return class,
            (Some(class), None) => return class,
            (None, None) if tagged => return ReferrerClass::Campaign,
            (None, None) => {}
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

/// The class of a `utm_medium` value (lower case), after the rules of
/// Google Analytics 4's default channel groups: `email`; paid (`cpc`, `ppc`,
/// `retargeting`, anything with `cp` or starting `paid`, the display
/// mediums); `social`; `organic` is search; anything else a campaign.
fn medium_class(medium: &str) -> ReferrerClass {
    match medium {
        "email" | "e-mail" | "e_mail" | "e mail" | "newsletter" => ReferrerClass::Email,
        "ppc" | "retargeting" | "display" | "banner" | "cpm" | "interstitial" | "expandable" => {
            ReferrerClass::Ads
        }
        "social" | "social-network" | "social-media" | "sm" | "social network" | "social media" => {
            ReferrerClass::Social
        }
        "organic" => ReferrerClass::Search,
        m if m.starts_with("paid") || m.as_bytes().windows(2).any(|w| w == b"cp") => {
            ReferrerClass::Ads
        }
        _ => ReferrerClass::Campaign,
    }
}

impl Season {
    /// The season in the month (1–12, local) and the hemisphere of the IANA
    /// time zone the browser reports (`Europe/Berlin`, `Australia/Sydney`).
    /// A zone south of the equator turns the year by six months; a zone
    /// that names no place (`UTC`, `Etc/GMT+3`, empty) gives
    /// [`Season::Unknown`]. No location is asked for: the zone is what the
    /// shopper's own device is set to.
    ///
    /// ```
    /// use shelfwise_core::context::Season;
    /// assert_eq!(Season::classify("Europe/Berlin", 11), Season::Autumn);
    /// assert_eq!(Season::classify("Australia/Sydney", 11), Season::Spring);
    /// assert_eq!(Season::classify("UTC", 11), Season::Unknown);
    /// ```
    pub fn classify(time_zone: &str, month: u8) -> Season {
        if !(1..=12).contains(&month) {
            return Season::Unknown;
        }
        let (region, city) = match time_zone {
            "NZ" | "NZ-CHAT" => ("Australia", ""),
            zone => zone.split_once('/').unwrap_or_default(),
        };
        if !REGIONS.contains(&region) {
            return Season::Unknown;
        }
        let south = matches!(region, "Australia" | "Antarctica" | "Brazil" | "Chile")
            || (region == "America" && city.starts_with("Argentina/"))
            || SOUTH
                .iter()
                .any(|(r, cities)| *r == region && cities.split(' ').any(|c| c == city));
        let month = if south { (month + 5) % 12 + 1 } else { month };
        match month {
            3..=5 => Season::Spring,
            6..=8 => Season::Summer,
            9..=11 => Season::Autumn,
            _ => Season::Winter,
        }
    }

    /// The lower-case name (`"autumn"`), empty when unknown.
    pub fn as_str(self) -> &'static str {
        match self {
            Season::Unknown => "",
            Season::Spring => "spring",
            Season::Summer => "summer",
            Season::Autumn => "autumn",
            Season::Winter => "winter",
        }
    }
}

/// The IANA regions whose zones name a place (`Etc/` does not).
const REGIONS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Brazil",
    "Canada",
    "Chile",
    "Mexico",
    "US",
];

/// The zones south of the equator outside the wholly southern regions
/// (Australia, Antarctica, and the legacy Brazil, Chile and NZ names), by
/// region, from the IANA database's zone coordinates; every
/// `America/Argentina/…` zone is south too.
const SOUTH: &[(&str, &str)] = &[
    (
        "Africa",
        "Blantyre Bujumbura Dar_es_Salaam Gaborone Harare Johannesburg Kigali Kinshasa Lubumbashi Luanda Lusaka Maputo Maseru Mbabane Nairobi Windhoek",
    ),
    (
        "America",
        "Araguaina Asuncion Bahia Belem Buenos_Aires Campo_Grande Catamarca Cordoba Cuiaba Eirunepe Fortaleza Guayaquil Jujuy La_Paz Lima Maceio Manaus Mendoza Montevideo Noronha Porto_Velho Punta_Arenas Recife Rio_Branco Santarem Santiago Sao_Paulo",
    ),
    ("Asia", "Dili Jakarta Jayapura Makassar"),
    ("Atlantic", "South_Georgia St_Helena Stanley"),
    (
        "Indian",
        "Antananarivo Chagos Christmas Cocos Comoro Kerguelen Mahe Mauritius Mayotte Reunion",
    ),
    (
        "Pacific",
        "Apia Auckland Bougainville Chatham Easter Efate Fakaofo Fiji Funafuti Galapagos Gambier Guadalcanal Marquesas Nauru Niue Norfolk Noumea Pago_Pago Pitcairn Port_Moresby Rarotonga Tahiti Tongatapu Wallis",
    ),
];

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
    pub(crate) fn to_fields(&self) -> [String; 6] {
        [
            String::from(self.device.as_str()),
            String::from(self.day_part.as_str()),
            String::from(char::from(b'0' + self.weekday.min(7))),
            String::from(self.referrer.as_str()),
            self.language.clone(),
            String::from(self.season.as_str()),
        ]
    }

    pub(crate) fn from_fields(fields: &[String]) -> Context {
        let f = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
        Context {
            device: DeviceClass::from_name(f(0)).unwrap_or_default(),
            day_part: DayPart::from_name(f(1)).unwrap_or_default(),
            weekday: f(2).parse::<u8>().ok().filter(|d| *d < 7).unwrap_or(7),
            referrer: ReferrerClass::from_name(f(3)).unwrap_or_default(),
            language: primary_language(f(4)),
            season: Season::from_name(f(5)).unwrap_or_default(),
        }
    }
}

impl DeviceClass {
    /// The lower-case name (`"mobile"`), empty when unknown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Unknown => "",
            DeviceClass::Mobile => "mobile",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Desktop => "desktop",
        }
    }

    /// The class of a name [`DeviceClass::as_str`] gives (not the empty one).
    pub fn from_name(name: &str) -> Option<DeviceClass> {
        [
            DeviceClass::Mobile,
            DeviceClass::Tablet,
            DeviceClass::Desktop,
        ]
        .into_iter()
        .find(|d| d.as_str() == name)
    }
}

impl Season {
    /// The season of a name [`Season::as_str`] gives (not the empty one).
    pub fn from_name(name: &str) -> Option<Season> {
        [
            Season::Spring,
            Season::Summer,
            Season::Autumn,
            Season::Winter,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
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

    /// The day-part of a name [`DayPart::as_str`] gives (not the empty one).
    pub fn from_name(name: &str) -> Option<DayPart> {
        [
            DayPart::Night,
            DayPart::Morning,
            DayPart::Afternoon,
            DayPart::Evening,
        ]
        .into_iter()
        .find(|d| d.as_str() == name)
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
            ReferrerClass::Ads => "ads",
            ReferrerClass::Campaign => "campaign",
            ReferrerClass::Referral => "referral",
        }
    }

    /// The class of a name [`ReferrerClass::as_str`] gives.
    pub fn from_name(name: &str) -> Option<ReferrerClass> {
        [
            ReferrerClass::Direct,
            ReferrerClass::Search,
            ReferrerClass::Social,
            ReferrerClass::Email,
            ReferrerClass::Ads,
            ReferrerClass::Campaign,
            ReferrerClass::Referral,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
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
            ("https://www.google.com/", "?gclid=abc", ReferrerClass::Ads),
            ("", "?utm_medium=Email", ReferrerClass::Email),
            ("", "?utm_source=x&utm_medium=cpc", ReferrerClass::Ads),
            ("", "?utm_medium=paid_social", ReferrerClass::Ads),
            ("", "?utm_medium=display", ReferrerClass::Ads),
            ("", "?utm_medium=social", ReferrerClass::Social),
            ("", "?utm_medium=organic", ReferrerClass::Search),
            ("", "?utm_source=spring-sale", ReferrerClass::Campaign),
            ("", "?utm_medium=affiliate", ReferrerClass::Campaign),
            (
                "https://l.facebook.com/",
                "?fbclid=x",
                ReferrerClass::Social,
            ),
            // A medium wins over a click id, in either order.
            ("", "?fbclid=x&utm_medium=cpc", ReferrerClass::Ads),
            ("", "?utm_medium=email&gclid=x", ReferrerClass::Email),
            ("", "?gclid=x&utm_medium=email", ReferrerClass::Email),
            ("", "?gclid=x&fbclid=y", ReferrerClass::Ads),
            ("", "?utm_campaign=x&gclid=y", ReferrerClass::Ads),
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
    fn seasons_follow_the_hemisphere_of_the_time_zone() {
        let cases = [
            ("Europe/Berlin", 11, Season::Autumn),
            ("Australia/Sydney", 11, Season::Spring),
            ("Europe/London", 1, Season::Winter),
            ("Europe/London", 12, Season::Winter),
            ("Europe/London", 2, Season::Winter),
            ("Europe/London", 3, Season::Spring),
            ("America/New_York", 7, Season::Summer),
            ("America/Sao_Paulo", 7, Season::Winter),
            ("America/Argentina/Ushuaia", 1, Season::Summer),
            ("Pacific/Auckland", 4, Season::Autumn),
            ("NZ", 4, Season::Autumn),
            ("Africa/Johannesburg", 12, Season::Summer),
            ("Africa/Cairo", 12, Season::Winter),
            ("Asia/Tokyo", 9, Season::Autumn),
            ("Asia/Jakarta", 9, Season::Spring),
            ("Antarctica/McMurdo", 6, Season::Winter),
            ("UTC", 6, Season::Unknown),
            ("Etc/GMT+3", 6, Season::Unknown),
            ("", 6, Season::Unknown),
            ("Europe/Berlin", 0, Season::Unknown),
            ("Europe/Berlin", 13, Season::Unknown),
            ("Mars/Olympus", 6, Season::Unknown),
        ];
        for (zone, month, want) in cases {
            assert_eq!(Season::classify(zone, month), want, "{zone} {month}");
        }
        // Every zone in the southern list is in a region the table knows.
        for (region, cities) in SOUTH {
            for city in cities.split(' ') {
                let zone = format!("{region}/{city}");
                assert_eq!(Season::classify(&zone, 1), Season::Summer, "{zone}");
            }
        }
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
            season: Season::Winter,
            referrer: ReferrerClass::Social,
            language: "fr".into(),
        };
        assert_eq!(Context::from_fields(&c.to_fields()), c);
    }
}
