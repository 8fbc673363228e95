//! The little JSON the core writes for people to read (the profile export),
//! without a serializer in the wasm.

/// Appends `text` as a JSON string: quoted, with quotes, backslashes and
/// control characters escaped.
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                for shift in [4, 0] {
                    let nibble = (c as u32 >> shift) & 0xf;
                    out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Opens an object in an array, after a comma unless it is the first.
pub fn open_item(out: &mut String) {
    if !out.ends_with('[') {
        out.push(',');
    }
    out.push('{');
}

/// Appends `,"key":` (or `"key":` first in an object).
pub fn push_key(out: &mut String, key: &str) {
    if !out.ends_with('{') && !out.ends_with('[') {
        out.push(',');
    }
    push_string(out, key);
    out.push(':');
}
