//! RFC 5545 §3.1 and §3.3.11: content lines folded at 75 octets (never inside a UTF-8
//! character), CRLF line ends, and TEXT values escaped (`\\`, `\;`, `\,`, `\n`).

/// A TEXT value escaped: backslash, semicolon and comma get a backslash, a line break
/// (CRLF, CR or LF) becomes `\n`, other control characters (which TEXT may not hold) are
/// dropped, tabs kept.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Drops what may not stand in a property value at all (line breaks, control characters):
/// for values that are not TEXT (URIs, ids), which have no escapes.
pub fn plain(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}')).collect()
}

/// Appends `line` to `out` folded: at most 75 octets per physical line (the first), each
/// continuation a space and at most 74 octets, split only between characters, each ended
/// by CRLF.
pub fn push_folded(out: &mut String, line: &str) {
    const MAX: usize = 75;
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > MAX {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_line_breaks_become_backslash_n() {
        assert_eq!(escape("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(escape("rad 1\r\nrad 2\nrad 3\rslut"), "rad 1\\nrad 2\\nrad 3\\nslut");
        assert_eq!(escape("klocka\u{7}\u{0}x\ty"), "klockax\ty");
        assert_eq!(plain("https://x/\r\ny"), "https://x/y");
    }

    #[test]
    fn folding_keeps_lines_within_75_octets_and_never_splits_a_character() {
        let value: String = "å😀,".repeat(40);
        let mut out = String::new();
        push_folded(&mut out, &format!("SUMMARY:{value}"));
        assert!(out.ends_with("\r\n"));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 3, "{lines:?}");
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= 75, "line {i} has {} octets", l.len());
            assert_eq!(i > 0, l.starts_with(' '), "line {i}");
        }
        // Unfolding (RFC 5545 §3.1: drop CRLF + one space) gives the line back.
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{value}"));
        let mut short = String::new();
        push_folded(&mut short, "VERSION:2.0");
        assert_eq!(short, "VERSION:2.0\r\n");
    }
}
