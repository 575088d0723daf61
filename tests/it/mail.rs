//! Mail over a real SMTP server on loopback (`smtp_server`): what arrives, and how failures
//! are sorted into transient and permanent.

use crate::smtp_server::{Received, SmtpServer};
use arshjul::definition::Lang;
use arshjul::engine::{Delivery, Sender};
use arshjul::mail::{Composed, Mailer, Outgoing, SendErrorKind, SmtpConfig, SmtpSender, Timeouts, compose};
use arshjul::remind::{Digest, Item, Person, Step};
use arshjul::workflow::State;
use chrono::{NaiveDate, TimeZone, Utc};
use lettre::Message;
use lettre::message::Mailbox;
use std::time::Duration;

const DOMAIN: &str = "testkommun.se";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Monday 24 May 2021: one item due in a week for a vacant rektor, one a week late.
fn digest(email: &str) -> Digest {
    let item = |id: &str, title: &str, due, step| Item {
        checkpoint: id.into(),
        title: title.into(),
        organisation: "testkommun".into(),
        plan: Some("plan-2021".into()),
        initiative: Some("matematik".into()),
        unit: Some("soderskolan".into()),
        owner_role: "Rektor".into(),
        due,
        step,
        state: State::Open,
        school_break: None,
        on_behalf_of: Some("Rektor (Södra skolan)".into()),
    };
    Digest {
        to: Person { name: "Åsa Öberg".into(), email: email.into() },
        day: d(2021, 5, 24),
        send_at: Utc.with_ymd_and_hms(2021, 5, 24, 5, 30, 0).unwrap(),
        items: vec![
            item("testkommun/plan-2021/matematik/utvardering", "Utvärdering <script>x</script>", d(2021, 5, 31), Step::Before { days: 7 }),
            item("testkommun/plan-2021/matematik/lagesbedomning", "Lägesbedömning", d(2021, 5, 17), Step::Overdue { days: 7 }),
        ],
        login: None,
    }
}

fn from() -> Mailbox {
    "arshjul <arshjul@testkommun.se>".parse().unwrap()
}

fn composed(email: &str) -> (Digest, Composed, Outgoing) {
    let dg = digest(email);
    let c = compose(&dg, &from(), DOMAIN, Lang::Sv);
    let m = c.message().expect("a valid message");
    (dg, c, m)
}

fn mailer(server: &SmtpServer) -> Mailer {
    Mailer::new(&SmtpConfig::parse(&server.url()).unwrap()).unwrap()
}

// ---- a small MIME reader for the raw messages -------------------------------------------

/// The header block, unfolded, as (name, value) pairs.
pub fn headers(raw: &str) -> Vec<(String, String)> {
    let head = raw.split("\r\n\r\n").next().unwrap_or("").replace("\r\n ", " ").replace("\r\n\t", " ");
    head.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect()
}

pub fn header(raw: &str, name: &str) -> String {
    headers(raw)
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} header in {raw}"))
}

fn base64(s: &str) -> Vec<u8> {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        let v = ABC.iter().position(|x| *x == c).expect("base64 digit") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=`); whitespace between two encoded words goes.
fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut prev_encoded = false;
    for (i, w) in s.split(' ').enumerate() {
        let enc = w.strip_prefix("=?utf-8?b?").or_else(|| w.strip_prefix("=?UTF-8?B?")).and_then(|w| w.strip_suffix("?="));
        if i > 0 && !(prev_encoded && enc.is_some()) {
            out.push(' ');
        }
        match enc {
            Some(b) => out.push_str(&String::from_utf8(base64(b)).unwrap()),
            None => out.push_str(w),
        }
        prev_encoded = enc.is_some();
    }
    out
}

/// Quoted-printable: soft line breaks and `=XX` bytes.
fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).expect("=XX"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8 body")
}

/// The decoded body of the part with the given content type.
fn part(raw: &str, content_type: &str) -> String {
    let (encoding, body) = encoded_part(raw, content_type);
    match encoding.as_str() {
        "quoted-printable" => quoted_printable(&body),
        "8bit" => body,
        other => panic!("unexpected transfer encoding {other}"),
    }
}

/// The transfer encoding and the body as sent of the part with the given content type.
fn encoded_part(raw: &str, content_type: &str) -> (String, String) {
    let boundary = header(raw, "Content-Type").split("boundary=").nth(1).expect("a multipart message").trim_matches('"').to_owned();
    let part = raw
        .split(&format!("--{boundary}"))
        .find(|p| header(p.trim_start_matches("\r\n"), "Content-Type").starts_with(content_type))
        .unwrap_or_else(|| panic!("no {content_type} part"));
    let part = part.trim_start_matches("\r\n");
    let (_, body) = part.split_once("\r\n\r\n").unwrap();
    (header(part, "Content-Transfer-Encoding"), body.strip_suffix("\r\n").unwrap_or(body).to_owned())
}

/// The decoded plain-text part, line ends as `\n`.
pub fn text_part(raw: &str) -> String {
    part(raw, "text/plain").replace("\r\n", "\n")
}

fn only(server: &SmtpServer) -> Received {
    let got = server.received();
    assert_eq!(got.len(), 1, "exactly one message: {got:?}");
    got.into_iter().next().unwrap()
}

// ---- tests ------------------------------------------------------------------------------

#[tokio::test]
async fn a_digest_arrives_with_its_headers_and_the_report_command() {
    let server = SmtpServer::start();
    let (dg, c, msg) = composed("asa.oberg@testkommun.se");
    mailer(&server).send(&msg).await.expect("sent");

    let got = only(&server);
    assert_eq!(got.from, "arshjul@testkommun.se");
    assert_eq!(got.to, ["asa.oberg@testkommun.se"]);
    let raw = &got.data;
    assert_eq!(header(raw, "Message-ID"), dg.message_id(DOMAIN));
    assert_eq!(header(raw, "Date"), "Mon, 24 May 2021 05:30:00 +0000");
    assert_eq!(decode_words(&header(raw, "Subject")), c.subject);
    assert_eq!(c.subject, "arshjul: 2 uppföljningar att rapportera, 1 försenad");
    assert!(header(raw, "To").ends_with("<asa.oberg@testkommun.se>"), "{raw}");
    assert!(header(raw, "Content-Type").starts_with("multipart/alternative;"));

    assert_eq!(encoded_part(raw, "text/plain").0, "quoted-printable", "composed without 8BITMIME");
    let text = part(raw, "text/plain");
    assert_eq!(text, c.text.replace('\n', "\r\n"), "the text part arrives unchanged");
    assert!(text.contains("Förfaller: måndag 31 maj 2021 — förfaller om 7 dagar"), "{text}");
    assert!(text.contains("måndag 17 maj 2021 — försenad 7 dagar"), "{text}");
    assert!(text.contains("Du får detta eftersom rollen Rektor (Södra skolan) är vakant."), "{text}");
    assert!(
        text.contains(
            "arshjul report testkommun/plan-2021/matematik/utvardering --outcome genomförd --uppfoljning \"…\" --analys \"…\" --as asa.oberg@testkommun.se"
        ),
        "{text}"
    );
    let html = part(raw, "text/html");
    assert!(html.contains("Utvärdering &lt;script&gt;x&lt;/script&gt;") && !html.contains("<script>"), "{html}");
    assert!(html.contains("måndag 31 maj 2021"), "{html}");
}

#[tokio::test]
async fn an_unknown_mailbox_is_permanent() {
    let server = SmtpServer::start();
    server.reject_rcpt("ingen@testkommun.se");
    let (_, _, msg) = composed("ingen@testkommun.se");
    let e = mailer(&server).send(&msg).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Permanent, "{e}");
    assert!(e.message.sv.contains("550") && e.message.sv.contains(&format!("127.0.0.1:{}", server.port())), "{e}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_451_is_transient_and_the_next_try_is_delivered() {
    let server = SmtpServer::start();
    let m = mailer(&server);
    let (_, _, msg) = composed("asa.oberg@testkommun.se");
    server.fail_next(1);
    let e = m.send(&msg).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Transient, "{e}");
    assert!(e.message.sv.contains("451"), "{e}");
    assert!(server.received().is_empty());
    m.send(&msg).await.expect("the second try goes through");
    only(&server);
}

#[tokio::test]
async fn a_451_after_the_data_is_transient() {
    let server = SmtpServer::start();
    server.fail_next_data(1);
    let (_, _, msg) = composed("asa.oberg@testkommun.se");
    let e = mailer(&server).send(&msg).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Transient, "{e}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_stopped_server_is_transient_and_after_restart_the_same_message_arrives() {
    let mut server = SmtpServer::start();
    let m = mailer(&server);
    let (dg, _, msg) = composed("asa.oberg@testkommun.se");
    m.check().await.expect("the server answers");

    server.stop();
    let e = m.send(&msg).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Transient, "{e}");
    let down = m.check().await.unwrap_err();
    assert!(down.sv.starts_with(&format!("SMTP-servern på 127.0.0.1:{} svarar inte: ", server.port())), "{down}");
    assert!(down.sv.ends_with("Kontrollera ARSHJUL_SMTP_URL."), "{down}");

    server.restart();
    m.check().await.expect("up again");
    m.send(&msg).await.expect("delivered after the restart");
    assert_eq!(header(&only(&server).data, "Message-ID"), dg.message_id(DOMAIN));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    let server = SmtpServer::start();
    server.silent(true);
    let cfg = SmtpConfig::parse(&server.url()).unwrap();
    let m = Mailer::with_timeouts(&cfg, Timeouts { connect: Duration::from_millis(200), send: Duration::from_millis(250), connections: 1 })
        .unwrap();
    let (_, _, msg) = composed("asa.oberg@testkommun.se");
    let e = m.send(&msg).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Transient, "{e}");
    assert!(e.message.sv.contains("svarade inte inom 250 ms"), "{e}");
    let e = m.check().await.unwrap_err();
    assert!(e.sv.contains("svarade inte inom 250 ms") && e.sv.contains("ARSHJUL_SMTP_URL"), "{e}");
    assert!(e.en.contains("did not answer within 250 ms") && e.en.contains("Check ARSHJUL_SMTP_URL"), "{}", e.en);
}

#[tokio::test]
async fn leading_dots_survive_the_round_trip() {
    let server = SmtpServer::start();
    let msg = Message::builder()
        .from(from())
        .to("asa.oberg@testkommun.se".parse().unwrap())
        .subject("dots")
        .body(String::from(".en rad med punkt\n..tva\n.\nslut\n"))
        .unwrap();
    mailer(&server).send(&Outgoing::from(&msg)).await.unwrap();
    let raw = only(&server).data;
    assert!(raw.contains("\r\n\r\n.en rad med punkt\r\n..tva\r\n.\r\nslut\r\n"), "{raw:?}");
}

#[tokio::test]
async fn the_engine_sender_maps_outcomes_to_deliveries() {
    let server = SmtpServer::start();
    server.reject_rcpt("borta@testkommun.se");
    let sender = SmtpSender { mailer: mailer(&server), from: from(), domain: DOMAIN.into(), lang: Lang::Sv, links: None };
    let dg = digest("asa.oberg@testkommun.se");
    assert_eq!(sender.deliver(&dg, "<fran-utkorgen@testkommun.se>").await, Delivery::Sent);
    assert_eq!(header(&only(&server).data, "Message-ID"), "<fran-utkorgen@testkommun.se>", "the outbox's id is kept");
    assert!(matches!(sender.deliver(&digest("borta@testkommun.se"), "<a@b>").await, Delivery::Permanent(e) if e.contains("550")));
    assert!(matches!(sender.deliver(&digest("inte en adress"), "<a@b>").await, Delivery::Permanent(e) if e.contains("kan inte byggas")));
    assert_eq!(server.received().len(), 1);
}

/// Issue 8.1: a carriage return in a person's name made lettre panic and took the daemon
/// down at every start. Now that one mail fails for good, with its reason, and the next
/// one is delivered over the same sender.
#[tokio::test]
async fn a_poisoned_name_is_a_permanent_failure_and_the_next_mail_goes_out() {
    let server = SmtpServer::start();
    let sender = SmtpSender { mailer: mailer(&server), from: from(), domain: DOMAIN.into(), lang: Lang::Sv, links: None };
    let mut poisoned = digest("anna@testkommun.se");
    poisoned.to.name = "Anna\rBcc: x@evil.example".into();
    match sender.deliver(&poisoned, "<p@testkommun.se>").await {
        Delivery::Permanent(why) => {
            assert!(why.contains(r"namnet `Anna\rBcc: x@evil.example` innehåller ett styrtecken"), "{why}");
            assert!(why.contains("personkatalogen"), "says where to fix it: {why}");
        }
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    let english = SmtpSender { lang: Lang::En, ..sender.clone() };
    assert!(matches!(english.deliver(&poisoned, "<p@testkommun.se>").await, Delivery::Permanent(e) if e.contains("control character")));
    assert!(server.received().is_empty(), "nothing reached the server");
    assert_eq!(sender.deliver(&digest("asa.oberg@testkommun.se"), "<ok@testkommun.se>").await, Delivery::Sent);
    let got = only(&server);
    assert_eq!(got.to, ["asa.oberg@testkommun.se"]);
    assert!(!got.data.contains("evil.example"));
}

/// Issue 8.7: credentials on a port that does not imply TLS require STARTTLS; a server
/// without it gets no AUTH, and the message says how to choose. Only `?tls=none` sends
/// AUTH in plain text.
#[tokio::test]
async fn credentials_without_tls_are_not_sent_to_a_server_without_starttls() {
    let server = SmtpServer::start();
    let url = format!("smtp://anna:hemligt@127.0.0.1:{}", server.port());
    let cfg = SmtpConfig::parse(&url).unwrap();
    assert_eq!(cfg.tls, arshjul::mail::TlsMode::StartTls);
    let e = Mailer::new(&cfg).unwrap().check().await.unwrap_err();
    assert!(e.sv.contains("erbjuder inte STARTTLS") && e.sv.contains("?tls=none") && e.sv.contains("?tls=tls"), "{e}");
    assert!(e.en.contains("does not offer STARTTLS") && !e.bilingual().contains("hemligt"), "{}", e.en);
    let (_, _, msg) = composed("asa.oberg@testkommun.se");
    let sent = Mailer::new(&cfg).unwrap().send(&msg).await.unwrap_err();
    assert!(sent.message.sv.contains("STARTTLS"), "{sent}");
    assert!(server.received().is_empty());
    // Knowingly plain: the client goes on to AUTH (which this server does not offer).
    let plain = SmtpConfig::parse(&format!("{url}?tls=none")).unwrap();
    let e = Mailer::new(&plain).unwrap().check().await.unwrap_err();
    assert!(!e.sv.contains("STARTTLS"), "{e}");
}

/// Issue 8.1, at the door: `people import` refuses a name or address that cannot stand in
/// a mail header, per line, and imports nothing.
#[test]
fn people_import_refuses_header_unsafe_rows() {
    use crate::support::{PLAN, arshjul_env, sqlite_url, workflow};
    let t = workflow(PLAN);
    let csv = t.write(
        "people.csv",
        "organisation,role,unit,name,email\n\
         testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se\n\
         testkommun,rektor,norrskolan,Anna\rBcc: x@evil.example,anna@testkommun.se\n\
         testkommun,rektor,soderskolan,Sara,\"sara@testkommun.se\rBcc: x@evil.example\"\n",
    );
    let db = sqlite_url(&t);
    let args = ["people", "import", &csv.to_string_lossy(), "--dir", &t.path().to_string_lossy()].map(str::to_owned);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = arshjul_env(&args, &[("DATABASE_URL", &db)]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.stderr.contains(r"people.csv:3: namnet `Anna\rBcc: x@evil.example` innehåller ett styrtecken"), "{}", out.stderr);
    assert!(out.stderr.contains(r"people.csv:4: e-postadressen `sara@testkommun.se\rBcc: x@evil.example` innehåller"), "{}", out.stderr);
    assert!(out.stderr.contains("2 fel; ingenting har lästs in."), "{}", out.stderr);
    let en = arshjul_env(&args, &[("DATABASE_URL", &db), ("ARSHJUL_LANG", "en")]);
    assert!(en.stderr.contains("people.csv:3: the name `Anna\\rBcc: x@evil.example` contains a control character"), "{}", en.stderr);
    assert!(en.stderr.contains("nothing was imported"), "{}", en.stderr);
    let list = arshjul_env(&["people", "list"], &[("DATABASE_URL", &db), ("ARSHJUL_WORKFLOWS", &t.path().to_string_lossy())]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(!list.stdout.contains("cecilia@testkommun.se"), "nothing imported: {}", list.stdout);
}

/// A server that offers 8BITMIME gets the digest's parts as they are (`8bit`, no
/// quoted-printable), one that does not gets them quoted-printable; both read the same.
#[tokio::test]
async fn parts_go_8bit_where_the_server_offers_8bitmime() {
    let dg = digest("asa.oberg@testkommun.se");
    let c = compose(&dg, &from(), DOMAIN, Lang::Sv);
    let mut texts = Vec::new();
    for offers in [true, false] {
        let server = SmtpServer::start();
        if !offers {
            server.no_8bitmime();
        }
        let sender = SmtpSender { mailer: mailer(&server), from: from(), domain: DOMAIN.into(), lang: Lang::Sv, links: None };
        sender.mailer.check().await.expect("the server answers");
        assert_eq!(sender.mailer.eight_bit(), offers);
        assert_eq!(sender.deliver(&dg, &dg.message_id(DOMAIN)).await, Delivery::Sent);
        let raw = only(&server).data;
        let want = if offers { "8bit" } else { "quoted-printable" };
        assert_eq!(encoded_part(&raw, "text/plain").0, want);
        assert_eq!(encoded_part(&raw, "text/html").0, want);
        if offers {
            assert!(raw.contains("Förfaller: måndag 31 maj 2021"), "the UTF-8 text as it is: {raw}");
        }
        texts.push((part(&raw, "text/plain"), part(&raw, "text/html")));
    }
    assert_eq!(texts[0], texts[1], "both read the same");
    assert_eq!(texts[0].0, c.text.replace('\n', "\r\n"));
}

/// A message composed 8bit that meets a connection whose server does not offer 8BITMIME
/// is not sent there: a transient failure (retried), and the mailer composes 7-bit from then.
#[tokio::test]
async fn an_8bit_message_is_not_sent_to_a_server_without_8bitmime() {
    let server = SmtpServer::start();
    server.no_8bitmime();
    let c = compose(&digest("asa.oberg@testkommun.se"), &from(), DOMAIN, Lang::Sv);
    let m = mailer(&server);
    let e = m.send(&c.message_for(true).unwrap()).await.unwrap_err();
    assert_eq!(e.kind, SendErrorKind::Transient, "{e}");
    assert!(e.message.sv.contains("8BITMIME") && e.message.en.contains("8BITMIME"), "{e}");
    assert!(server.received().is_empty(), "nothing 8bit reached it");
    assert!(!m.eight_bit());
    m.send(&c.message_for(m.eight_bit()).unwrap()).await.expect("the 7-bit message goes");
    assert_eq!(encoded_part(&only(&server).data, "text/plain").0, "quoted-printable");
}
