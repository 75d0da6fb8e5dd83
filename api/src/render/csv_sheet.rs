//! The one way the service writes CSV (RFC 4180 via the `csv` crate): every
//! export builds a [`Sheet`] from typed cells, so formula neutralisation
//! cannot be forgotten by a later export.
//!
//! A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and, in
//! some, tab or carriage return) as a formula, so text taken from people
//! (display names, billing profile names, descriptions) could run code on the
//! machine of the admin who opens the file. Such a text cell is written with a
//! leading `'` (OWASP's advice). Numbers are cells of their own kind and are
//! written as they are, so `-12.50` stays a number a spreadsheet can sum.

use std::borrow::Cow;

/// One cell: text is neutralised; a number is written as is.
pub enum Cell<'a> {
    Text(&'a str),
    /// Decimal text produced by the service itself (`12`, `-12.50`), never user input.
    Number(String),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(text)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(text: &'a String) -> Self {
        Cell::Text(text)
    }
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Number(n.to_string())
    }
}

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text`, prefixed with `'` when a spreadsheet would read it as a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

pub struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    /// A sheet whose first row names the columns.
    pub fn new(columns: &[&str]) -> Result<Self, String> {
        let mut sheet = Self {
            writer: csv::Writer::from_writer(Vec::new()),
        };
        sheet.row(columns.iter().map(|c| Cell::Text(c)))?;
        Ok(sheet)
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) -> Result<(), String> {
        let record: Vec<Cow<'_, str>> = cells
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(t) => neutralise(t),
                Cell::Number(n) => Cow::Owned(n),
            })
            .collect();
        self.writer
            .write_record(record.iter().map(|c| c.as_bytes()))
            .map_err(|e| e.to_string())
    }

    pub fn finish(self) -> Result<Vec<u8>, String> {
        self.writer.into_inner().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn formula_starts_are_prefixed_and_other_text_is_not() {
        for (raw, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Ada Lovelace", "Ada Lovelace"),
            ("a=b", "a=b"),
            ("", ""),
            ("'quoted", "'quoted"),
        ] {
            assert_eq!(neutralise(raw), written, "{raw:?}");
        }
    }

    #[test]
    fn numbers_stay_numbers_and_the_csv_round_trips() {
        let mut sheet = Sheet::new(&["name", "amount"]).unwrap();
        sheet
            .row([Cell::Text("-2+3"), Cell::Number("-12.50".to_owned())])
            .unwrap();
        let bytes = sheet.finish().unwrap();
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!((&row[0], &row[1]), ("'-2+3", "-12.50"));
    }
}
