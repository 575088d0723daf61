//! The raw message of a composed digest, written in one pass into one buffer: the headers
//! (RFC 5322, non-ASCII as RFC 2047 encoded words), then `multipart/alternative` with a
//! text and an HTML part, CRLF line ends. Each part is quoted-printable (RFC 2045), or, when
//! the server offers 8BITMIME (RFC 6152) and the part can go as it is, `8bit`: its UTF-8
//! unchanged, nothing to encode (quoted-printable was ~9 % of the daemon's CPU per email,
//! BENCHMARKS.md).
//!
//! Written here rather than with lettre's builder, which built each part and header as its
//! own allocation and encoded the bodies twice over (a tenth of the daemon's CPU per email
//! at 100 k a morning, BENCHMARKS.md). The values are checked before they get here
//! ([`super::header`]): no name, subject or id reaching this module holds a line break.
//!
//! Two properties the sending relies on:
//! - the boundary starts with `=_`, which quoted-printable output cannot contain, so it
//!   never occurs in a quoted-printable body; an 8bit part is one that does not hold it
//!   (else it goes quoted-printable). It is derived from the Message-ID, so the same digest
//!   gives the same bytes;
//! - an 8bit part has no NUL, no lone CR and no line over 998 bytes (RFC 5322 §2.1.1,
//!   RFC 6152); a line starting with `.` is doubled by SMTP's dot stuffing like any other
//!   (in quoted-printable it is written `=2E`).
//!
//! Pure: no IO.

use chrono::{DateTime, Utc};
use std::hash::{Hash, Hasher};

/// Longest quoted-printable line, the soft break's `=` included (RFC 2045 §6.7).
const QP_LINE: usize = 76;

/// Bytes of text per encoded word: 39 bytes are 52 base64 characters, so a word is 64
/// characters and `Subject: ` and a word stay within 78.
const WORD_BYTES: usize = 39;

/// The parts of a message, already checked.
pub struct Parts<'a> {
    pub from_name: Option<&'a str>,
    pub from: &'a str,
    pub to_name: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub date: DateTime<Utc>,
    pub message_id: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// The server takes 8bit bodies (it offered 8BITMIME): parts that can go as they are go
    /// as `8bit` instead of quoted-printable.
    pub eight_bit: bool,
}

/// Longest line of an 8bit part, its CRLF not counted (RFC 5322 §2.1.1).
const LINE_8BIT: usize = 998;

/// The text every boundary starts with.
const BOUNDARY_PREFIX: &str = "=_arshjul_";

/// The whole message.
pub fn write(p: &Parts<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024 + p.text.len() * 11 / 10 + p.html.len() * 11 / 10);
    out.extend_from_slice(b"From: ");
    mailbox(&mut out, p.from_name.unwrap_or(""), p.from);
    out.extend_from_slice(b"\r\nTo: ");
    mailbox(&mut out, p.to_name, p.to);
    out.extend_from_slice(b"\r\nSubject: ");
    unstructured(&mut out, p.subject);
    out.extend_from_slice(b"\r\nDate: ");
    out.extend_from_slice(p.date.to_rfc2822().as_bytes());
    out.extend_from_slice(b"\r\nMessage-ID: ");
    out.extend_from_slice(p.message_id.as_bytes());
    let boundary = boundary(p.message_id);
    out.extend_from_slice(b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary=\"");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(b"\"\r\n\r\n");
    for (kind, body) in [("plain", p.text), ("html", p.html)] {
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"\r\nContent-Type: text/");
        out.extend_from_slice(kind.as_bytes());
        let eight_bit = p.eight_bit && fits_8bit(body.as_bytes());
        out.extend_from_slice(b"; charset=utf-8\r\nContent-Transfer-Encoding: ");
        out.extend_from_slice(if eight_bit { b"8bit".as_slice() } else { b"quoted-printable" });
        out.extend_from_slice(b"\r\n\r\n");
        if eight_bit {
            crlf_lines(&mut out, body.as_bytes());
        } else {
            quoted_printable(&mut out, body.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(b"--\r\n");
    out
}

/// `=_arshjul_` and a hash of the Message-ID.
fn boundary(message_id: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    message_id.hash(&mut h);
    format!("{BOUNDARY_PREFIX}{:016x}", h.finish())
}

/// Whether `body` can go as an 8bit part: no NUL, every CR before an LF, no line longer
/// than [`LINE_8BIT`], and no boundary in it.
fn fits_8bit(body: &[u8]) -> bool {
    if memchr::memchr(0, body).is_some() || memchr::memmem::find(body, BOUNDARY_PREFIX.as_bytes()).is_some() {
        return false;
    }
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', body).chain(std::iter::once(body.len())) {
        let line = &body[start..end];
        let line = if end < body.len() { line.strip_suffix(b"\r").unwrap_or(line) } else { line };
        if line.len() > LINE_8BIT || memchr::memchr(b'\r', line).is_some() {
            return false;
        }
        start = end + 1;
    }
    true
}

/// `body` as it is, `\n` and `\r\n` both written as CRLF (it [`fits_8bit`]).
fn crlf_lines(out: &mut Vec<u8>, body: &[u8]) {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', body) {
        let line = &body[start..end];
        out.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
        out.extend_from_slice(b"\r\n");
        start = end + 1;
    }
    out.extend_from_slice(&body[start..]);
}

/// A characters RFC 5322 lets stand unquoted in a display name (atext, and spaces).
fn atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" !#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// `Name <address>`: a plain name as it is, other ASCII quoted, anything else (or long) as
/// encoded words; an empty name leaves the address alone.
fn mailbox(out: &mut Vec<u8>, name: &str, address: &str) {
    let name = name.trim();
    if !name.is_empty() {
        let ascii = name.bytes().all(|b| (0x20..0x7f).contains(&b));
        if ascii && name.len() <= 60 && !name.contains("=?") {
            if name.bytes().all(atext) {
                out.extend_from_slice(name.as_bytes());
            } else {
                out.push(b'"');
                for b in name.bytes() {
                    if b == b'"' || b == b'\\' {
                        out.push(b'\\');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
        } else {
            encoded_words(out, name);
        }
        out.push(b' ');
    }
    out.push(b'<');
    out.extend_from_slice(address.as_bytes());
    out.push(b'>');
}

/// A free-text header value: short plain ASCII as it is, anything else as encoded words.
fn unstructured(out: &mut Vec<u8>, value: &str) {
    let plain = value.len() <= 60 && value.bytes().all(|b| (0x20..0x7f).contains(&b)) && !value.contains("=?");
    if plain {
        out.extend_from_slice(value.as_bytes());
    } else {
        encoded_words(out, value);
    }
}

/// `=?utf-8?b?…?=` words of at most [`WORD_BYTES`] bytes of text each, never splitting a
/// character, folded onto lines of their own.
fn encoded_words(out: &mut Vec<u8>, text: &str) {
    let mut rest = text;
    let mut first = true;
    while !rest.is_empty() {
        let mut end = rest.len().min(WORD_BYTES);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        if !first {
            out.extend_from_slice(b"\r\n ");
        }
        first = false;
        out.extend_from_slice(b"=?utf-8?b?");
        base64(out, &rest.as_bytes()[..end]);
        out.extend_from_slice(b"?=");
        rest = &rest[end..];
    }
}

/// Standard base64 with padding.
fn base64(out: &mut Vec<u8>, bytes: &[u8]) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() { A[(n >> (18 - 6 * i)) as usize & 63] } else { b'=' });
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Quoted-printable: printable ASCII as it is (but `=`, and a `.` that would start a line),
/// spaces and tabs as they are except before a line end, every other byte `=XX`; `\n` and
/// `\r\n` become CRLF line ends; lines longer than [`QP_LINE`] are broken softly (`=`).
fn quoted_printable(out: &mut Vec<u8>, body: &[u8]) {
    let mut lines = body.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() {
            // The last: no line end after it, so a `\r` at its end is a byte of its own.
            qp_line(out, line);
        } else {
            qp_line(out, line.strip_suffix(b"\r").unwrap_or(line));
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// One line of [`quoted_printable`], without its line end: runs of bytes that stand as they
/// are copied whole.
fn qp_line(out: &mut Vec<u8>, line: &[u8]) {
    let n = line.len();
    let (mut col, mut i) = (0, 0);
    while i < n {
        // As far as the line can take without a soft break: all of the rest if it fits,
        // else up to the column before the break's `=`.
        let limit = if n - i <= QP_LINE - col { n } else { i + (QP_LINE - 1 - col) };
        let start = i;
        while i < limit {
            let b = line[i];
            let plain = match b {
                b' ' | b'\t' => i + 1 < n,
                b'.' => col > 0 || i > start,
                b'=' => false,
                33..=126 => true,
                _ => false,
            };
            if !plain {
                break;
            }
            i += 1;
        }
        out.extend_from_slice(&line[start..i]);
        col += i - start;
        if i == n {
            break;
        }
        if i == limit {
            out.extend_from_slice(b"=\r\n");
            col = 0;
            continue;
        }
        // A byte written as `=XX`, after a soft break if it does not fit.
        let room = if i + 1 == n { QP_LINE } else { QP_LINE - 1 };
        if col + 3 > room {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        let b = line[i];
        out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        col += 3;
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Decodes quoted-printable (soft breaks and `=XX`), for the round trips below.
    fn decode_qp(s: &[u8]) -> Vec<u8> {
        let s = String::from_utf8(s.to_vec()).unwrap().replace("=\r\n", "");
        let b = s.as_bytes();
        let (mut out, mut i) = (Vec::new(), 0);
        while i < b.len() {
            if b[i] == b'=' {
                out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    fn decode_b64(s: &str) -> Vec<u8> {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
        for c in s.bytes().filter(|c| *c != b'=') {
            acc = (acc << 6) | A.iter().position(|x| *x == c).unwrap() as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        out
    }

    fn qp(s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        quoted_printable(&mut out, s.as_bytes());
        out
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_round_trips() {
        let long = "Å".repeat(100) + " slut " + &"x".repeat(200) + "=\t \n.rad\n \nsista .";
        let out = qp(&long);
        for line in out.split(|b| *b == b'\n') {
            assert!(line.len() <= QP_LINE + 1, "{:?}", String::from_utf8_lossy(line));
            assert!(!line.starts_with(b"."), "a line starts with a dot");
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert!(!line.ends_with(b" ") && !line.ends_with(b"\t"), "trailing white space: {:?}", String::from_utf8_lossy(line));
        }
        assert!(out.iter().all(|b| b"\r\n\t".contains(b) || (0x20..0x7f).contains(b)), "only printable ASCII, tabs and line ends");
        assert_eq!(String::from_utf8(decode_qp(&out)).unwrap(), long.replace('\n', "\r\n"));
        assert_eq!(qp("a = b\r\nc"), b"a =3D b\r\nc");
        assert_eq!(qp("tab\t\nend "), b"tab=09\r\nend=20");
        assert_eq!(qp(".\n..a"), b"=2E\r\n=2E.a");
    }

    proptest::proptest! {
        /// Any body: lines of at most 76 characters, none starting with a dot or ending in
        /// white space, only printable ASCII and tabs, and it decodes back to itself.
        #[test]
        fn any_body_is_encoded_within_the_rules(body in "([ .=\t\r\n]|\\PC){0,300}") {
            let out = qp(&body);
            for line in out.split(|b| *b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                proptest::prop_assert!(line.len() <= QP_LINE, "{:?}", String::from_utf8_lossy(line));
                proptest::prop_assert!(!line.starts_with(b"."));
                proptest::prop_assert!(!line.ends_with(b" ") && !line.ends_with(b"\t"));
            }
            proptest::prop_assert!(out.iter().all(|b| b"\r\n\t".contains(b) || (0x20..0x7f).contains(b)));
            let want = body.replace("\r\n", "\n").replace('\n', "\r\n");
            proptest::prop_assert_eq!(String::from_utf8(decode_qp(&out)).unwrap(), want);
        }
    }

    #[test]
    fn names_and_subjects_are_quoted_or_encoded_as_needed() {
        let header = |name: &str| {
            let mut out = Vec::new();
            mailbox(&mut out, name, "a@k.se");
            String::from_utf8(out).unwrap()
        };
        assert_eq!(header("Anna Andersson"), "Anna Andersson <a@k.se>");
        assert_eq!(header(""), "<a@k.se>");
        assert_eq!(header("Andersson, Anna \"A\""), "\"Andersson, Anna \\\"A\\\"\" <a@k.se>");
        assert_eq!(header("Åsa Öberg"), "=?utf-8?b?w4VzYSDDlmJlcmc=?= <a@k.se>");
        let mut out = Vec::new();
        unstructured(&mut out, &"uppföljning ".repeat(20));
        let s = String::from_utf8(out).unwrap();
        assert!(s.lines().all(|l| l.trim_end().len() <= 70), "{s}");
        let decoded: String = s
            .split("\r\n ")
            .map(|w| {
                let b64 = w.strip_prefix("=?utf-8?b?").unwrap().strip_suffix("?=").unwrap();
                String::from_utf8(decode_b64(b64)).unwrap()
            })
            .collect();
        assert_eq!(decoded, "uppföljning ".repeat(20));
    }

    #[test]
    fn a_message_has_its_headers_parts_and_a_boundary_no_body_holds() {
        let p = Parts { eight_bit: false, ..parts("Hej!\n.\n", "<p>Hej!</p>\n") };
        let raw = String::from_utf8(write(&p)).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let names: Vec<&str> = head.split("\r\n").filter(|l| !l.starts_with(' ')).map(|l| l.split(':').next().unwrap()).collect();
        assert_eq!(names, ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]);
        assert!(head.contains("Date: Mon, 24 May 2021 05:30:00 +0000"), "{head}");
        let b = boundary(p.message_id);
        assert_eq!(body.matches(&format!("--{b}\r\n")).count(), 2);
        assert!(body.ends_with(&format!("--{b}--\r\n")));
        assert!(
            body.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHej!\r\n=2E\r\n")
        );
        assert!(!raw.split("\r\n").any(|l| l.starts_with('.')));
        assert_eq!(write(&p), write(&p), "the same digest gives the same bytes");
    }

    /// A message to Åsa with these bodies, for a server that offers 8BITMIME.
    fn parts<'a>(text: &'a str, html: &'a str) -> Parts<'a> {
        Parts {
            from_name: Some("arshjul"),
            from: "arshjul@k.se",
            to_name: "Åsa Öberg",
            to: "asa@k.se",
            subject: "arshjul: 1 uppföljning att rapportera",
            date: Utc.with_ymd_and_hms(2021, 5, 24, 5, 30, 0).unwrap(),
            message_id: "<arshjul.20210524.ab@k.se>",
            text,
            html,
            eight_bit: true,
        }
    }

    /// The transfer encoding and the raw body of the part of `kind` (`plain`, `html`).
    fn part(raw: &[u8], kind: &str) -> (String, String) {
        let raw = String::from_utf8(raw.to_vec()).unwrap();
        let b = boundary("<arshjul.20210524.ab@k.se>");
        let start = format!("Content-Type: text/{kind}; charset=utf-8\r\nContent-Transfer-Encoding: ");
        let at = raw.find(&start).unwrap() + start.len();
        let (encoding, rest) = raw[at..].split_once("\r\n\r\n").unwrap();
        let body = rest.split(&format!("\r\n--{b}")).next().unwrap();
        (encoding.to_owned(), body.to_owned())
    }

    #[test]
    fn with_8bitmime_the_parts_go_as_they_are() {
        let text = "Hej Åsa!\n.rad med punkt\r\nFörfaller: måndag — i dag\n";
        let html = "<p>Hej Åsa!</p>\n<p>Förfaller i dag</p>";
        let raw = write(&parts(text, html));
        assert_eq!(part(&raw, "plain"), ("8bit".to_owned(), text.replace("\r\n", "\n").replace('\n', "\r\n")));
        assert_eq!(part(&raw, "html"), ("8bit".to_owned(), html.replace('\n', "\r\n")));
        assert!(raw.windows(2).enumerate().all(|(i, w)| w[1] != b'\n' || w[0] == b'\r' || i == 0), "CRLF line ends only");
        // Without the extension: quoted-printable, as before.
        let qp_raw = write(&Parts { eight_bit: false, ..parts(text, html) });
        assert_eq!(part(&qp_raw, "plain").0, "quoted-printable");
        assert!(raw.len() < qp_raw.len(), "8bit is the shorter");
    }

    #[test]
    fn a_part_that_cannot_go_as_8bit_goes_quoted_printable() {
        let fine = "<p>Hej</p>";
        let long = format!("{}\nslut", "å".repeat(500));
        let just_fits = format!("{}\nslut", "x".repeat(LINE_8BIT));
        let boundary_in_it = format!("-- {BOUNDARY_PREFIX}0000000000000000");
        for (body, want) in [
            (long.as_str(), "quoted-printable"),
            (just_fits.as_str(), "8bit"),
            ("nul \0 here", "quoted-printable"),
            ("a lone \r here", "quoted-printable"),
            ("ends in a lone \r", "quoted-printable"),
            (boundary_in_it.as_str(), "quoted-printable"),
        ] {
            let raw = write(&parts(body, fine));
            assert_eq!(part(&raw, "plain").0, want, "{body:?}");
            assert_eq!(part(&raw, "html").0, "8bit", "the other part is judged on its own");
        }
    }

    proptest::proptest! {
        /// Any body either goes 8bit within the rules (and arrives unchanged but for its
        /// line ends), or quoted-printable.
        #[test]
        fn any_8bit_part_keeps_the_rules(body in "([ .=\t\r\n\0]|\\PC){0,300}", long in 0usize..1100) {
            let body = format!("{body}{}", "y".repeat(long));
            let raw = write(&parts(&body, "<p></p>"));
            let (encoding, got) = part(&raw, "plain");
            if encoding == "8bit" {
                for line in got.split("\r\n") {
                    proptest::prop_assert!(line.len() <= LINE_8BIT && !line.contains('\r') && !line.contains('\n') && !line.contains('\0'));
                }
                proptest::prop_assert_eq!(got, body.replace("\r\n", "\n").replace('\n', "\r\n"));
            } else {
                proptest::prop_assert_eq!(encoding, "quoted-printable");
            }
        }
    }
}
