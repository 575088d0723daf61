use super::*;
use crate::definition::Lang;
use crate::remind::{Digest, Item, Person, Step};
use crate::workflow::State;
use chrono::{NaiveDate, TimeZone, Utc};
use lettre::message::Mailbox;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn item(id: &str, title: &str, due: NaiveDate, step: Step) -> Item {
    Item {
        checkpoint: id.into(),
        title: title.into(),
        organisation: "testkommun".into(),
        plan: None,
        initiative: None,
        unit: None,
        owner_role: "Rektor".into(),
        due,
        step,
        state: State::Open,
        school_break: None,
        on_behalf_of: None,
    }
}

/// Monday 24 May 2021: one escalation, one item a week ahead for a vacant rektor (with a
/// hostile title), one late, one due today in a break.
fn digest() -> Digest {
    let escalated = Item {
        on_behalf_of: Some("Rektor (Södra skolan)".into()),
        state: State::Overdue,
        ..item("testkommun/arshjul/dialogmote-vt/soderskolan/2021", "Dialogmöte vt", d(2021, 5, 10), Step::Escalated { days: 14 })
    };
    let vacant = Item {
        plan: Some("plan-2021".into()),
        initiative: Some("matematik".into()),
        unit: Some("soderskolan".into()),
        on_behalf_of: Some("Rektor (Södra skolan)".into()),
        ..item(
            "testkommun/plan-2021/matematik/utvardering",
            "Utvärdering <script>alert('x')</script> & mer",
            d(2021, 5, 31),
            Step::Before { days: 7 },
        )
    };
    let late = Item {
        state: State::Overdue,
        ..item("testkommun/arshjul/delarsrapport-1/2021", "Delårsrapport 1", d(2021, 5, 17), Step::Overdue { days: 7 })
    };
    let today = Item { school_break: Some("sportlov".into()), ..item("testkommun/x/lov", "Lovuppföljning", d(2021, 5, 24), Step::OnDue) };
    Digest {
        to: Person { name: "Anna Andersson".into(), email: "anna@testkommun.se".into() },
        day: d(2021, 5, 24),
        send_at: Utc.with_ymd_and_hms(2021, 5, 24, 5, 30, 0).unwrap(),
        items: vec![escalated, vacant, late, today],
        login: None,
    }
}

fn from() -> Mailbox {
    "arshjul <arshjul@testkommun.se>".parse().unwrap()
}

#[test]
fn swedish_text_names_date_reason_notes_and_command() {
    let dg = digest();
    let c = compose(&dg, &from(), "testkommun.se", Lang::Sv);
    let t = &c.text;
    assert!(t.starts_with("Hej Anna Andersson!"), "{t}");
    assert!(t.contains("Förfaller: måndag 31 maj 2021 — förfaller om 7 dagar"), "{t}");
    assert!(t.contains("Förfaller: måndag 10 maj 2021 — eskalerad: försenad 14 dagar"), "{t}");
    assert!(t.contains("måndag 17 maj 2021 — försenad 7 dagar"), "{t}");
    assert!(t.contains("måndag 24 maj 2021 — förfaller i dag"), "{t}");
    assert!(t.contains("Obs: förfaller under sportlovet."), "{t}");
    assert!(t.contains("Du får detta eftersom rollen Rektor (Södra skolan) är vakant."), "{t}");
    assert!(t.contains("Eskalerat till dig som överordnad: Rektor (Södra skolan) har inte rapporterat."), "{t}");
    assert!(t.contains("Plan: plan-2021 · Insats: matematik · Enhet: soderskolan · Ansvarig: Rektor"), "{t}");
    assert!(
        t.contains(
            "arshjul report testkommun/plan-2021/matematik/utvardering --outcome genomförd --uppfoljning \"…\" --analys \"…\" --as anna@testkommun.se"
        ),
        "{t}"
    );
    assert!(t.contains("Utvärdering <script>"), "the text part is not HTML and shows the title as written");
    assert!(t.contains("\"ej genomförd\""), "the outcome words are listed: {t}");
}

#[test]
fn swedish_subject_headers_and_ids() {
    let dg = digest();
    let c = compose(&dg, &from(), "testkommun.se", Lang::Sv);
    assert_eq!(c.subject, "arshjul: Eskalerat — 4 uppföljningar att rapportera, 1 förfaller i dag, 2 försenade");
    assert_eq!(c.message_id, dg.message_id("testkommun.se"));
    assert_eq!((c.to.as_str(), c.to_name.as_str(), c.date), ("anna@testkommun.se", "Anna Andersson", dg.send_at));
    let one = Digest { items: vec![dg.items[1].clone()], ..dg.clone() };
    assert_eq!(compose(&one, &from(), "k.se", Lang::Sv).subject, "arshjul: 1 uppföljning att rapportera");
}

#[test]
fn html_is_a_table_with_user_text_escaped() {
    let c = compose(&digest(), &from(), "testkommun.se", Lang::Sv);
    let h = &c.html;
    assert!(!h.contains("<script>"), "{h}");
    assert!(h.contains("Utvärdering &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; mer"), "{h}");
    assert!(h.contains("<html lang=\"sv\">") && h.contains("<caption"), "{h}");
    assert!(h.contains("<th scope=\"col\"") && h.contains("<th scope=\"row\""), "{h}");
    assert_eq!(h.matches("<tr><th scope=\"row\"").count(), 4);
    assert!(h.contains("måndag 31 maj 2021"));
    assert!(
        h.contains("<code>arshjul report testkommun/plan-2021/matematik/utvardering --outcome genomförd --uppfoljning &quot;…&quot;"),
        "{h}"
    );
    assert!(h.contains("<strong>eskalerad: försenad 14 dagar</strong>"), "{h}");
    assert!(h.contains("Du får detta eftersom rollen Rektor (Södra skolan) är vakant."), "{h}");
}

#[test]
fn escaping_covers_names_too() {
    let mut dg = digest();
    dg.to.name = "<b>Bo</b>".into();
    dg.items[0].on_behalf_of = Some("Rektor <i>".into());
    let h = compose(&dg, &from(), "k.se", Lang::Sv).html;
    assert!(h.contains("Hej &lt;b&gt;Bo&lt;/b&gt;!") && h.contains("Rektor &lt;i&gt;") && !h.contains("<b>") && !h.contains("<i>"), "{h}");
}

#[test]
fn english_variant() {
    let c = compose(&digest(), &from(), "testkommun.se", Lang::En);
    let t = &c.text;
    assert!(t.starts_with("Hello Anna Andersson,"), "{t}");
    assert!(t.contains("Due: Monday 31 May 2021 — due in 7 days"), "{t}");
    assert!(t.contains("escalated: overdue by 14 days"), "{t}");
    assert!(t.contains("You get this because the role Rektor (Södra skolan) is vacant."), "{t}");
    assert!(t.contains("Note: due during a school break (sportlov)."), "{t}");
    assert!(t.contains("--outcome completed"), "{t}");
    assert!(c.html.contains("<html lang=\"en\">"));
    assert_eq!(c.subject, "arshjul: Escalated — 4 follow-ups to report, 1 due today, 2 overdue");
}

#[test]
fn message_is_multipart_alternative_with_fixed_headers() {
    let dg = digest();
    let c = compose(&dg, &from(), "testkommun.se", Lang::Sv);
    let raw = String::from_utf8(c.message().unwrap().formatted().to_vec()).unwrap();
    assert!(raw.contains(&format!("Message-ID: {}\r\n", dg.message_id("testkommun.se"))), "{raw}");
    assert!(raw.contains("Date: Mon, 24 May 2021 05:30:00 +0000\r\n"), "{raw}");
    assert!(
        raw.contains("To: \"Anna Andersson\" <anna@testkommun.se>\r\n") || raw.contains("To: Anna Andersson <anna@testkommun.se>\r\n"),
        "{raw}"
    );
    assert!(raw.contains("Content-Type: multipart/alternative;"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
    assert!(raw.contains("Content-Type: text/html; charset=utf-8"), "{raw}");
    assert_eq!(raw.matches("Content-Transfer-Encoding: quoted-printable").count(), 2, "{raw}");
}

#[test]
fn a_bad_recipient_address_is_an_error_not_a_panic() {
    let mut dg = digest();
    dg.to.email = "inte en adress".into();
    let e = compose(&dg, &from(), "k.se", Lang::Sv).message().unwrap_err();
    assert!(e.sv.contains("e-postmeddelandet till inte en adress kan inte byggas"), "{e}");
    assert!(e.sv.contains("Rätta uppgiften i personkatalogen"), "{e}");
    assert!(e.en.contains("cannot be built"), "{}", e.en);
}

#[test]
fn a_carriage_return_in_the_name_is_refused_not_a_panic_nor_a_bcc() {
    for name in ["Anna\rBcc: x@evil.example", "Anna\r\nBcc: x@evil.example", "Anna\nBcc: x@evil.example"] {
        let mut dg = digest();
        dg.to.name = name.into();
        let e = compose(&dg, &from(), "k.se", Lang::Sv).message().unwrap_err();
        assert!(e.sv.contains("innehåller ett styrtecken") && e.sv.contains("Bcc: x@evil.example"), "{e}");
        assert!(e.en.contains("control character"), "{}", e.en);
    }
    // In the sender's name and the Message-ID too.
    let dg = digest();
    let bad_from = Mailbox::new(Some("arshjul\rBcc: x@evil.example".into()), "a@k.se".parse().unwrap());
    assert!(compose(&dg, &bad_from, "k.se", Lang::Sv).message().is_err());
    let mut c = compose(&dg, &from(), "k.se", Lang::Sv);
    c.message_id = "<a@k.se>\r\nBcc: x@evil.example".into();
    assert!(c.message().unwrap_err().sv.contains("Message-ID"));
}

#[test]
fn a_title_over_two_lines_is_folded_into_one() {
    let mut dg = digest();
    dg.items[0].title = "Dialogmöte\r\nBcc: x@evil.example".into();
    let c = compose(&dg, &from(), "k.se", Lang::Sv);
    assert!(c.text.contains("1. Dialogmöte Bcc: x@evil.example\n"), "{}", c.text);
    let raw = String::from_utf8(c.message().unwrap().formatted().to_vec()).unwrap();
    assert!(!raw.split("\r\n\r\n").next().unwrap().contains("Bcc"), "{raw}");
}

/// The header names of a formatted message's top-level block.
fn header_names(raw: &str) -> Vec<String> {
    let head = raw.split("\r\n\r\n").next().unwrap_or("");
    head.split("\r\n").filter(|l| !l.starts_with([' ', '\t'])).filter_map(|l| l.split_once(':')).map(|(k, _)| k.to_owned()).collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// No name, title or address can panic the composition or add a header: either the
    /// message is built with exactly the expected headers, or it is refused with a reason.
    #[test]
    fn composing_never_panics_nor_injects(
        name in "(\\PC|[\r\n\t\u{0}\u{85}\u{2028}\"<>@,;:\\\\])*",
        title in "(\\PC|[\r\n\t\u{0}])*",
        local in "(\\PC|[\r\n \"<>@])*",
        domain in "(\\PC|[\r\n.@])*",
        lang in proptest::bool::ANY,
    ) {
        let mut dg = digest();
        dg.to = Person { name, email: format!("{local}@{domain}") };
        dg.items[1].title = title;
        let lang = if lang { Lang::Sv } else { Lang::En };
        let c = compose(&dg, &from(), "testkommun.se", lang);
        match c.message() {
            Ok(m) => {
                let raw = String::from_utf8(m.formatted().to_vec()).unwrap();
                let names = header_names(&raw);
                proptest::prop_assert_eq!(
                    names,
                    ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"].map(String::from).to_vec(),
                    "{}", raw
                );
            }
            Err(e) => proptest::prop_assert!(!e.sv.is_empty() && !e.en.is_empty()),
        }
    }
}

#[test]
fn dates_reasons_and_shell_words() {
    assert_eq!(format_date(d(2021, 5, 31), Lang::Sv), "måndag 31 maj 2021");
    assert_eq!(format_date(d(2021, 12, 26), Lang::Sv), "söndag 26 december 2021");
    assert_eq!(format_date(d(2021, 5, 31), Lang::En), "Monday 31 May 2021");
    let i = item("a", "A", d(2021, 5, 25), Step::Before { days: 1 });
    assert_eq!(view::why(&i, d(2021, 5, 24), Lang::Sv), "förfaller i morgon");
    assert_eq!(view::why(&i, d(2021, 5, 26), Lang::Sv), "försenad 1 dag");
    // A digest sent late after downtime counts from its own day, not from the step.
    let i = item("a", "A", d(2021, 5, 31), Step::Before { days: 28 });
    assert_eq!(view::why(&i, d(2021, 5, 21), Lang::Sv), "förfaller om 10 dagar");
    assert_eq!(report_command("k/p/i/c", "bo o'hara@k.se", Lang::Sv).rsplit("--as ").next(), Some("'bo o'\\''hara@k.se'"));
}
