//! Composing the morning tick's mail, one core, in process: a one-item digest with its
//! signed report link (the harness's digest, `../shared/bench/run-arshjul.sh`) rendered and
//! written as the raw message, quoted-printable (a server without 8BITMIME) against 8bit
//! (one that offers it, as Postfix and Exchange do). The two are run in turn, five rounds,
//! so that a machine that speeds up or slows down meets both alike.
//!
//! `cargo bench --bench compose` — prints µs per message for each, per round.
//!
//! Leaves out the SMTP write and everything around it (`../shared/bench/` measures those).

use arshjul::definition::Lang;
use arshjul::mail::{Links, compose_linked};
use arshjul::remind::{Digest, Item, Person, Step};
use arshjul::web::token::Key;
use chrono::{NaiveDate, TimeZone, Utc};
use std::hint::black_box;
use std::time::Instant;

fn digest(i: usize) -> Digest {
    let day = NaiveDate::from_ymd_opt(2021, 5, 14).unwrap();
    Digest {
        to: Person { name: format!("Rektor {i}"), email: format!("rektor{i}@perf.example") },
        day,
        send_at: Utc.with_ymd_and_hms(2021, 5, 14, 5, 30, 0).unwrap(),
        items: vec![Item {
            checkpoint: format!("k000/perf-2021/uppfoljning/rapport/u{i}"),
            title: "Rapport".into(),
            organisation: "k000".into(),
            plan: Some("perf-2021".into()),
            initiative: Some("uppfoljning".into()),
            unit: Some(format!("u{i}")),
            owner_role: "Rektor".into(),
            due: day,
            step: Step::OnDue,
            state: arshjul::workflow::State::Open,
            school_break: None,
            on_behalf_of: None,
        }],
        login: None,
    }
}

/// µs per message, and the bytes of the last one.
fn run(digests: &[Digest], links: &Links, eight_bit: bool) -> (f64, usize) {
    let from = "arshjul <arshjul@perf.example>".parse().unwrap();
    let started = Instant::now();
    let mut bytes = 0;
    for d in digests {
        let c = compose_linked(d, &from, "perf.example", Lang::Sv, Some(links));
        let m = c.message_for(eight_bit).expect("a valid message");
        bytes = black_box(m.bytes.len());
    }
    (started.elapsed().as_secs_f64() * 1e6 / digests.len() as f64, bytes)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs a quick smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let (messages, rounds) = if full { (20_000, 5) } else { (200, 1) };
    let digests: Vec<Digest> = (0..messages).map(digest).collect();
    let links = Links::new("https://arshjul.kommun.se", Key::new(&[7; 32]));
    println!("{messages} messages per run, µs per message (compose + raw message)");
    for round in 1..=rounds {
        let (qp, qp_bytes) = run(&digests, &links, false);
        let (eight, eight_bytes) = run(&digests, &links, true);
        println!(
            "round {round}: quoted-printable {qp:.1} µs ({qp_bytes} B), 8bit {eight:.1} µs ({eight_bytes} B), 8bit/qp {:.2}",
            eight / qp
        );
    }
}
