//! The subject line of a digest, counted: what a rektor sees in Outlook before opening it.

use super::{Digest, Step};
use crate::definition::Lang;

/// "arshjul: 3 uppföljningar att rapportera — 1 försenad", "arshjul: Eskalerat — 2 försenade
/// uppföljningar", "arshjul: Uppföljning förfaller i dag". Always one line.
pub fn subject(d: &Digest, lang: Lang) -> String {
    one_line(&counted(d, lang))
}

/// `text` made safe for a header or a one-line heading: every run of whitespace (line
/// breaks, tabs, Unicode separators) becomes one space, other control characters are
/// dropped, and the ends are trimmed. A plan title written over two lines reads as one.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if !c.is_control() {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn counted(d: &Digest, lang: Lang) -> String {
    let n = d.items.len();
    let late = d.items.iter().filter(|i| matches!(i.step, Step::Overdue { .. } | Step::Escalated { .. })).count();
    let escalated = d.items.iter().filter(|i| matches!(i.step, Step::Escalated { .. })).count();
    let missed = d.items.iter().filter(|i| i.step == Step::Missed).count();
    let today = d.items.iter().filter(|i| i.step == Step::OnDue).count();
    match lang {
        Lang::Sv => {
            let what = if n == 1 { "1 uppföljning att rapportera".to_owned() } else { format!("{n} uppföljningar att rapportera") };
            let mut parts = vec![what];
            if today > 0 {
                parts.push(format!("{today} förfaller i dag"));
            }
            if late > 0 {
                parts.push(if late == 1 { "1 försenad".to_owned() } else { format!("{late} försenade") });
            }
            if missed > 0 {
                parts.push(if missed == 1 { "1 missad".to_owned() } else { format!("{missed} missade") });
            }
            let head = if escalated > 0 || missed > 0 { "arshjul: Eskalerat — " } else { "arshjul: " };
            format!("{head}{}", parts.join(", "))
        }
        Lang::En => {
            let what = if n == 1 { "1 follow-up to report".to_owned() } else { format!("{n} follow-ups to report") };
            let mut parts = vec![what];
            if today > 0 {
                parts.push(format!("{today} due today"));
            }
            if late > 0 {
                parts.push(format!("{late} overdue"));
            }
            if missed > 0 {
                parts.push(format!("{missed} missed"));
            }
            let head = if escalated > 0 || missed > 0 { "arshjul: Escalated — " } else { "arshjul: " };
            format!("{head}{}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn line_breaks_and_controls_fold_into_one_line() {
        assert_eq!(one_line("  Utvärdering\r\nBcc: x@evil.example\t\u{2028} slut \u{0}"), "Utvärdering Bcc: x@evil.example slut");
        assert_eq!(one_line("Anna\rBcc"), "Anna Bcc");
        assert_eq!(one_line("\r\n"), "");
        assert_eq!(one_line("Åsa Öberg"), "Åsa Öberg");
    }
}
