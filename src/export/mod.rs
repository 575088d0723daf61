//! Office files written by hand: a small ZIP writer ([`zip`], STORE method with CRC-32 —
//! no compression crate is in the tree, and these files are small), XLSX workbooks with
//! typed cells ([`xlsx`]) and the XML escaping both XLSX and DOCX need ([`xml`]). Pure:
//! bytes out, no IO.

pub mod xlsx;
pub mod zip;

/// Escapes text for XML element content and attribute values, and drops the characters XML
/// 1.0 cannot carry at all (control characters other than tab, line feed, carriage return).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(super::xml("<a href=\"x\">&'</a>\u{1}\u{7}ok\n"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;ok\n");
    }
}
