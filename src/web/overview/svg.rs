//! Small SVG helpers: XML escaping and circle geometry. Angles are in radians, 0 at 12 o'clock,
//! growing clockwise.

use std::f64::consts::TAU;
use std::fmt::Write as _;

/// Escapes text and attribute values for XML, dropping characters XML 1.0 cannot hold
/// (control characters other than tab and newline).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The point at `angle` on the circle of radius `r` around `(cx, cy)`.
pub fn polar(cx: f64, cy: f64, r: f64, angle: f64) -> (f64, f64) {
    (cx + r * angle.sin(), cy - r * angle.cos())
}

/// A closed band between radii `r_in` and `r_out` from angle `a0` to `a1` (clockwise).
pub fn band(cx: f64, cy: f64, r_in: f64, r_out: f64, a0: f64, a1: f64) -> String {
    let a1 = if a1 - a0 >= TAU - 1e-6 { a0 + TAU - 1e-4 } else { a1 };
    let large = if a1 - a0 > TAU / 2.0 { 1 } else { 0 };
    let (ox0, oy0) = polar(cx, cy, r_out, a0);
    let (ox1, oy1) = polar(cx, cy, r_out, a1);
    let (ix1, iy1) = polar(cx, cy, r_in, a1);
    let (ix0, iy0) = polar(cx, cy, r_in, a0);
    let mut d = String::new();
    let _ = write!(
        d,
        "M{ox0:.1} {oy0:.1}A{r_out:.1} {r_out:.1} 0 {large} 1 {ox1:.1} {oy1:.1}L{ix1:.1} {iy1:.1}A{r_in:.1} {r_in:.1} 0 {large} 0 {ix0:.1} {iy0:.1}Z"
    );
    d
}

/// Cuts `s` to `max` characters with an ellipsis.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max.saturating_sub(1)).collect::<String>()) }
}
