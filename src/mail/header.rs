//! What may stand in a mail header. Every value that reaches lettre's builder (names,
//! addresses, subject, Message-ID) is checked here first: a carriage return or line feed in
//! a header is an injection (`Anna\rBcc: x@evil.example`) and makes lettre panic, so such a
//! value is refused with a reason instead. Used by `people import` (refuse the row) and by
//! composition (a permanent failure for that one mail).
//!
//! Pure: no IO.

use crate::msg::Msg;
use lettre::Address;

/// A character that must never stand in a header: control characters (CR, LF, TAB, NUL,
/// DEL, C1) and the Unicode line and paragraph separators.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `value` with control characters shown as escapes (`Anna\rBcc: …`), for messages.
pub fn shown(value: &str) -> String {
    let s: String = value.chars().flat_map(char::escape_debug).collect();
    if s.chars().count() > 80 { format!("{}…", s.chars().take(80).collect::<String>()) } else { s }
}

/// Why `name` (a display name) cannot stand in a header, if it cannot.
pub fn name_problem(name: &str) -> Option<Msg> {
    let bad = name.chars().find(|c| is_forbidden(*c))?;
    let code = format!("U+{:04X}", u32::from(bad));
    Some(Msg::new(
        format!(
            "namnet `{}` innehåller ett styrtecken ({code}, t.ex. en radbrytning) som inte får stå i ett e-posthuvud; \
             skriv namnet på en rad med vanliga tecken",
            shown(name)
        ),
        format!(
            "the name `{}` contains a control character ({code}, e.g. a line break) that cannot stand in a mail header; \
             write the name on one line with ordinary characters",
            shown(name)
        ),
    ))
}

/// The address, or why `email` is not a usable address.
pub fn address(email: &str) -> Result<Address, Msg> {
    if email.chars().any(|c| is_forbidden(c) || c.is_whitespace()) {
        return Err(Msg::new(
            format!(
                "e-postadressen `{}` innehåller mellanslag eller styrtecken (t.ex. en radbrytning); skriv adressen utan dem, t.ex. `anna.andersson@kommun.se`",
                shown(email)
            ),
            format!(
                "the email address `{}` contains spaces or control characters (e.g. a line break); write it without them, e.g. `anna.andersson@example.org`",
                shown(email)
            ),
        ));
    }
    email.parse::<Address>().map_err(|e| {
        use lettre::address::AddressError as E;
        let (sv, en) = match e {
            E::MissingParts => ("@ eller delen före eller efter den saknas", "the @ or the part before or after it is missing"),
            E::InvalidUser => ("delen före @ har otillåtna tecken", "the part before the @ has characters that are not allowed"),
            E::InvalidDomain => ("domänen efter @ är inte giltig", "the domain after the @ is not valid"),
            _ => ("den har otillåtna tecken", "it has characters that are not allowed"),
        };
        Msg::new(
            format!("`{}` är ingen e-postadress: {sv}; skriv den som `namn@domän`, t.ex. `anna.andersson@kommun.se`", shown(email)),
            format!("`{}` is not an email address: {en}; write it as `name@domain`, e.g. `anna.andersson@example.org`", shown(email)),
        )
    })
}

/// Why `subject` cannot be a Subject header, if it cannot (fold it with
/// [`crate::remind::subject::one_line`] first).
pub fn subject_problem(subject: &str) -> Option<Msg> {
    subject.chars().any(is_forbidden).then(|| {
        Msg::new(
            format!("ämnesraden `{}` innehåller styrtecken (t.ex. en radbrytning)", shown(subject)),
            format!("the subject `{}` contains control characters (e.g. a line break)", shown(subject)),
        )
    })
}

/// Why `id` is not a Message-ID (`<left@right>`, printable ASCII without spaces), if it is not.
pub fn message_id_problem(id: &str) -> Option<Msg> {
    let inner = id.strip_prefix('<').and_then(|s| s.strip_suffix('>'));
    let ok = inner.is_some_and(|s| {
        s.chars().all(|c| c.is_ascii_graphic() && c != '<' && c != '>')
            && s.split_once('@').is_some_and(|(l, r)| !l.is_empty() && !r.is_empty() && !r.contains('@'))
    });
    (!ok).then(|| {
        Msg::new(
            format!("Message-ID `{}` ska vara `<vänster@höger>` med bara synliga ASCII-tecken", shown(id)),
            format!("the Message-ID `{}` must be `<left@right>` in visible ASCII characters only", shown(id)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_carriage_return_in_a_name_is_refused_and_shown_escaped() {
        let m = name_problem("Anna\rBcc: x@evil.example").expect("refused");
        assert!(m.sv.contains(r"Anna\rBcc: x@evil.example") && m.sv.contains("U+000D"), "{}", m.sv);
        assert!(m.en.contains("control character"), "{}", m.en);
        for bad in ["a\nb", "a\tb", "a\u{0}b", "a\u{7f}", "a\u{85}b", "a\u{2028}b"] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
        for good in ["Anna Andersson", "Åsa Öberg-Ek, rektor", "\"Rita\" <R>", "Иван 🦆"] {
            assert!(name_problem(good).is_none(), "{good:?}");
        }
    }

    #[test]
    fn addresses_are_checked_like_lettre_does() {
        assert_eq!(address("anna@kommun.se").unwrap().to_string(), "anna@kommun.se");
        for bad in ["anna@kommun.se\r\nBcc: x@evil.example", "anna kommun@se", "anna", "a@b@c", "@kommun.se", "anna@"] {
            let e = address(bad).unwrap_err();
            assert!(e.sv.contains("e-postadress"), "{bad:?}: {}", e.sv);
        }
    }

    #[test]
    fn subjects_and_message_ids() {
        assert!(subject_problem("arshjul: 2 uppföljningar").is_none());
        assert!(subject_problem("a\r\nBcc: x").is_some());
        assert!(message_id_problem("<arshjul.20210524.ab12@kommun.se>").is_none());
        for bad in ["arshjul@kommun.se", "<a b@c>", "<a@c>\r\nBcc: x", "<@c>", "<a@>", "<a@b@c>", "<å@c>"] {
            assert!(message_id_problem(bad).is_some(), "{bad:?}");
        }
    }
}
