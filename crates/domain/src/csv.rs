//! CSV as German Excel opens it without an import dialog: UTF-8 with a byte order mark (without
//! it Excel reads the file as Windows-1252 and umlauts break), `;` between fields (the German
//! list separator; `,` is the decimal comma) and CRLF line ends.
//!
//! Fields are quoted only when they must be (`;`, `"`, CR or LF inside), with `"` doubled.
//! Against formula injection (a requester typing `=HYPERLINK(…)` into a title, OWASP "CSV
//! Injection"), a field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, which
//! Excel shows as text and does not evaluate. That also marks a phone extension such as
//! `-1234`; a visible apostrophe is the price of never running a colleague's formula.

/// The byte order mark every file starts with.
pub const BOM: char = '\u{feff}';

/// Whether Excel (or LibreOffice) would treat a cell starting like `s` as a formula.
fn looks_like_formula(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Appends one field, neutralised and quoted as needed.
fn push_field(out: &mut String, s: &str) {
    let guard = if looks_like_formula(s) { "'" } else { "" };
    if s.contains([';', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(guard);
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(guard);
        out.push_str(s);
    }
}

/// Builds one CSV file in memory; the BOM is written on creation.
#[derive(Debug)]
pub struct Writer {
    out: String,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

impl Writer {
    pub fn new() -> Writer {
        let mut out = String::with_capacity(4096);
        out.push(BOM);
        Writer { out }
    }

    /// Appends one line.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for (i, f) in fields.into_iter().enumerate() {
            if i > 0 {
                self.out.push(';');
            }
            push_field(&mut self.out, f.as_ref());
        }
        self.out.push_str("\r\n");
    }

    /// The whole file (BOM included).
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A strict reader of what `Writer` produces: `;`-separated, CRLF-terminated, RFC 4180
    /// quoting. Fails on anything else, so a test also proves the output is well-formed.
    fn parse(file: &str) -> Result<Vec<Vec<String>>, String> {
        let body = file.strip_prefix(BOM).ok_or("no BOM")?;
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut field = String::new();
        let mut chars = body.chars().peekable();
        let mut quoted = false;
        let mut field_start = true;
        while let Some(c) = chars.next() {
            if quoted {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                        if !matches!(chars.peek(), Some(';' | '\r') | None) {
                            return Err("text after closing quote".into());
                        }
                    }
                } else {
                    field.push(c);
                }
                continue;
            }
            match c {
                '"' if field_start => quoted = true,
                '"' => return Err("quote inside an unquoted field".into()),
                ';' => {
                    row.push(std::mem::take(&mut field));
                    field_start = true;
                    continue;
                }
                '\r' => {
                    if chars.next() != Some('\n') {
                        return Err("CR without LF".into());
                    }
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                    field_start = true;
                    continue;
                }
                '\n' => return Err("bare LF".into()),
                other => field.push(other),
            }
            field_start = false;
        }
        if quoted || !field.is_empty() || !row.is_empty() {
            return Err("file does not end with CRLF".into());
        }
        Ok(rows)
    }

    fn write(rows: &[Vec<String>]) -> String {
        let mut w = Writer::new();
        for r in rows {
            w.row(r);
        }
        w.finish()
    }

    #[test]
    fn excel_format() {
        let mut w = Writer::new();
        w.row(["Name", "Bereich"]);
        w.row(["Jörg Müller", "Bürgerbüro; Außenstelle"]);
        w.row(["Sie sagte \"Hallo\"", "Zeile 1\r\nZeile 2\nZeile 3"]);
        let file = w.finish();
        assert!(file.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]));
        assert_eq!(
            file,
            "\u{feff}Name;Bereich\r\n\
             Jörg Müller;\"Bürgerbüro; Außenstelle\"\r\n\
             \"Sie sagte \"\"Hallo\"\"\";\"Zeile 1\r\nZeile 2\nZeile 3\"\r\n"
        );
        assert_eq!(
            parse(&file).unwrap()[2],
            ["Sie sagte \"Hallo\"", "Zeile 1\r\nZeile 2\nZeile 3"]
        );
    }

    #[test]
    fn formulas_are_neutralised() {
        let mut w = Writer::new();
        w.row([
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-1234",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "a=b",
            "",
        ]);
        let rows = parse(&w.finish()).unwrap();
        assert_eq!(
            rows[0],
            [
                "'=HYPERLINK(\"http://x\")",
                "'+1",
                "'-1234",
                "'@SUM(A1)",
                "'\tx",
                "'\rx",
                "a=b",
                ""
            ]
        );
    }

    proptest! {
        /// Every text comes back as it went in, apart from the guard before formula-like
        /// starts, and the file always parses strictly.
        #[test]
        fn round_trip(rows in prop::collection::vec(
            prop::collection::vec("[a-zäöüß;\"\r\n\t=+@ -]{0,12}", 1..5), 0..6)
        ) {
            let parsed = parse(&write(&rows)).unwrap();
            let expected: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|f| if looks_like_formula(f) { format!("'{f}") } else { f.clone() })
                        .collect()
                })
                .collect();
            prop_assert_eq!(parsed, expected);
        }
    }
}
