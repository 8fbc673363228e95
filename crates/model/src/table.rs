//! Delimited text with a header row — CSV, TSV, `;`- or `|`-separated — as
//! the event logs, pair tables and catalogues come. The `csv` crate reads
//! the rows: quoted fields, doubled quotes and line breaks inside quotes are
//! RFC 4180's; rows may have fewer or more fields than the header.

use std::io::{BufRead, Read};

use anyhow::Context as _;

/// The header row: its separator (the most frequent of tab, `;`, `,` and
/// `|`) and its column names, compared after normalizing (`Item ID`,
/// `item_id` and `itemid` are one name).
pub struct Header {
    separator: u8,
    names: Vec<String>,
}

impl Header {
    /// Reads a header row.
    pub fn parse(line: &str) -> Header {
        let line = line.trim_start_matches('\u{feff}');
        let separator = [b'\t', b';', b',', b'|']
            .into_iter()
            .max_by_key(|&s| line.bytes().filter(|&b| b == s).count())
            .unwrap_or(b',');
        let mut reader = builder(separator).from_reader(line.as_bytes());
        let mut record = csv::ByteRecord::new();
        let names = match reader.read_byte_record(&mut record) {
            Ok(true) => record
                .iter()
                .map(|name| normalize(&String::from_utf8_lossy(name)))
                .collect(),
            _ => Vec::new(),
        };
        Header { separator, names }
    }

    /// The position of the first of the `wanted` (normalized) names present.
    pub fn find(&self, wanted: &[&str]) -> Option<usize> {
        wanted
            .iter()
            .find_map(|w| self.names.iter().position(|n| n == w))
    }
}

/// A column name without case, spaces or punctuation.
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn builder(separator: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(separator)
        .has_headers(false)
        .flexible(true);
    builder
}

/// Reads the header from the first line of `input`; the rest are its rows.
///
/// # Errors
///
/// I/O errors and an empty input.
pub fn open<R: BufRead>(mut input: R) -> anyhow::Result<(Header, Rows<R>)> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .context("reading the header row")?;
    anyhow::ensure!(!line.trim().is_empty(), "the header row is empty");
    let header = Header::parse(line.trim_end_matches(['\n', '\r']));
    let rows = Rows::new(input, &header, 1);
    Ok((header, rows))
}

/// The data rows below a header, with their line numbers.
pub struct Rows<R> {
    reader: csv::Reader<R>,
    record: csv::ByteRecord,
    /// The line the reader's first line is in the file.
    first_line: u64,
}

impl<R: Read> Rows<R> {
    /// The rows of `input`, which starts on the line after `header_line`.
    pub fn new(input: R, header: &Header, header_line: u64) -> Rows<R> {
        Rows {
            reader: builder(header.separator).from_reader(input),
            record: csv::ByteRecord::new(),
            first_line: header_line + 1,
        }
    }

    /// The next row that is not blank, and the line it starts on (for a
    /// row after blank lines, the csv crate counts from the first of them).
    ///
    /// # Errors
    ///
    /// I/O errors, named by their line.
    pub fn next_row(&mut self) -> anyhow::Result<Option<(u64, Fields<'_>)>> {
        loop {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| {
                    let line = e.position().map_or(0, |p| p.line());
                    anyhow::anyhow!("line {}: {e}", self.first_line + line.saturating_sub(1))
                })?;
            if !more {
                return Ok(None);
            }
            if self
                .record
                .iter()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let line = self.record.position().map_or(0, |p| p.line());
            return Ok(Some((
                self.first_line + line.saturating_sub(1),
                Fields(&self.record),
            )));
        }
    }
}

/// The fields of one row.
pub struct Fields<'a>(&'a csv::ByteRecord);

impl<'a> Fields<'a> {
    /// Field `i`, trimmed; empty when the row has no such field.
    ///
    /// # Errors
    ///
    /// A field that is not UTF-8.
    pub fn get(&self, i: usize) -> Result<&'a str, &'static str> {
        let bytes = self.0.get(i).unwrap_or_default();
        std::str::from_utf8(bytes)
            .map(str::trim)
            .map_err(|_| "not UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u64, Vec<String>)> {
        let (_, mut rows) = open(text.as_bytes()).unwrap();
        let mut out = Vec::new();
        while let Some((line, fields)) = rows.next_row().unwrap() {
            let row = (0..3).map(|i| fields.get(i).unwrap().to_owned()).collect();
            out.push((line, row));
        }
        out
    }

    #[test]
    fn separator_and_names_from_the_header() {
        let header = Header::parse("\u{feff}Session ID;\"Item ID\";time");
        assert_eq!(header.separator, b';');
        assert_eq!(header.find(&["itemid"]), Some(1));
        assert_eq!(header.find(&["user", "time"]), Some(2));
    }

    #[test]
    fn quoted_fields_quotes_and_line_breaks_keep_their_line_numbers() {
        let text =
            "id,name,category\na,\"Mug, large\",\"say \"\"hi\"\"\"\n\nb,\"two\nlines\",x\nc\n";
        assert_eq!(
            rows(text),
            [
                (
                    2,
                    vec!["a".into(), "Mug, large".into(), "say \"hi\"".into()]
                ),
                // Line 4, after the blank line 3.
                (3, vec!["b".into(), "two\nlines".into(), "x".into()]),
                (6, vec!["c".into(), String::new(), String::new()]),
            ]
        );
    }

    #[test]
    fn a_field_that_is_not_utf8_is_an_error_of_its_row_only() {
        let (_, mut rows) = open(&b"id,name\n\xff,x\nb,y\n"[..]).unwrap();
        let (line, fields) = rows.next_row().unwrap().unwrap();
        assert_eq!(
            (line, fields.get(0), fields.get(1)),
            (2, Err("not UTF-8"), Ok("x"))
        );
        let (line, fields) = rows.next_row().unwrap().unwrap();
        assert_eq!((line, fields.get(0)), (3, Ok("b")));
    }
}
