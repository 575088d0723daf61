//! Judging one checkpoint's stored chain (pure): every altered, deleted, reordered or
//! inserted event is named, with what is wrong in Swedish and English.

use super::chain::{Fields, GENESIS, Hash, Head, event_hash, parse_hex};
use crate::msg::Msg;
use serde::Serialize;

/// One stored event as read for verification.
#[derive(Clone, Debug)]
pub struct Stored {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub reason: Option<String>,
    pub kind: String,
    pub data: String,
    pub ordinal: Option<i64>,
    pub hash: Option<String>,
}

/// What is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The event's content (or its stored hash) no longer matches its hash.
    Altered,
    /// Events of the chain are missing (deleted).
    Deleted,
    /// Stored in another order than they were appended.
    Reordered,
    /// An event that is not part of the chain (no chain fields, a second event at one place,
    /// beyond the checkpoint's head, or for a checkpoint that does not exist).
    Inserted,
    /// The checkpoint's stored head does not match its last event.
    Head,
}

/// One finding: where (checkpoint, seq and ordinal when known) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub checkpoint: String,
    /// The stored row (`events.seq`); `None` for deleted events (no row left).
    pub seq: Option<i64>,
    /// The place in the checkpoint's chain (the first missing one for deletions).
    pub ordinal: Option<i64>,
    pub problem: Problem,
    pub msg: Msg,
}

fn finding(checkpoint: &str, seq: Option<i64>, ordinal: Option<i64>, problem: Problem, sv: String, en: String) -> Finding {
    Finding { checkpoint: checkpoint.to_owned(), seq, ordinal, problem, msg: Msg::new(sv, en) }
}

/// Checks one checkpoint's events (in `seq` order) against its stored head (`None`: no
/// such checkpoint). Returns the findings and, when `cutoff` is given, the head as of
/// events with `seq <= cutoff` (for the anchor).
pub fn check(checkpoint: &str, events: &[Stored], head: Option<Head>, cutoff: i64, out: &mut Vec<Finding>) -> Option<Head> {
    // Reordered: stored after an event with a higher ordinal.
    // (A second event at a place already taken is inserted, named below.)
    let mut highest = 0;
    let mut seen = std::collections::HashSet::with_capacity(events.len());
    for e in events {
        if let Some(o) = e.ordinal
            && seen.insert(o)
        {
            if o < highest {
                out.push(finding(
                    checkpoint,
                    Some(e.seq),
                    Some(o),
                    Problem::Reordered,
                    format!("händelse {o} ligger efter händelse {highest} (omordnad; seq {})", e.seq),
                    format!("event {o} is stored after event {highest} (reordered; seq {})", e.seq),
                ));
            }
            highest = highest.max(o);
        }
    }
    // The chain, in ordinal order.
    let mut order: Vec<&Stored> = events.iter().collect();
    order.sort_by_key(|e| (e.ordinal.unwrap_or(i64::MAX), e.seq));
    let mut expected = 1i64;
    let mut prev: Hash = GENESIS;
    let mut chained: Hash = GENESIS;
    let mut at_cutoff: Option<Head> = None;
    let limit = head.map_or(0, |h| h.count);
    for e in order {
        let (Some(o), Some(stored)) = (e.ordinal, e.hash.as_deref().and_then(parse_hex)) else {
            out.push(finding(
                checkpoint,
                Some(e.seq),
                e.ordinal,
                Problem::Inserted,
                format!("händelsen (seq {}) har ingen plats i kedjan (ordningsnummer eller hash saknas): tillagd i efterhand", e.seq),
                format!("the event (seq {}) has no place in the chain (ordinal or hash missing): inserted afterwards", e.seq),
            ));
            continue;
        };
        if o < expected {
            out.push(finding(
                checkpoint,
                Some(e.seq),
                Some(o),
                Problem::Inserted,
                format!("en andra händelse med ordningsnummer {o} (seq {}): tillagd i efterhand", e.seq),
                format!("a second event with ordinal {o} (seq {}): inserted afterwards", e.seq),
            ));
            continue;
        }
        if o > limit {
            out.push(finding(
                checkpoint,
                Some(e.seq),
                Some(o),
                Problem::Inserted,
                if head.is_none() {
                    format!("händelse {o} (seq {}) hör till en kontrollpunkt som inte finns: tillagd i efterhand", e.seq)
                } else {
                    format!("händelse {o} (seq {}) ligger efter kedjans huvud ({limit} händelser): tillagd i efterhand", e.seq)
                },
                if head.is_none() {
                    format!("event {o} (seq {}) belongs to a checkpoint that does not exist: inserted afterwards", e.seq)
                } else {
                    format!("event {o} (seq {}) lies beyond the chain's head ({limit} events): inserted afterwards", e.seq)
                },
            ));
        } else if o > expected {
            let last = o - 1;
            let which_sv = if last == expected { format!("händelse {expected}") } else { format!("händelserna {expected}–{last}") };
            let which_en = if last == expected { format!("event {expected}") } else { format!("events {expected}–{last}") };
            out.push(finding(
                checkpoint,
                None,
                Some(expected),
                Problem::Deleted,
                format!("{which_sv} saknas (raderad före seq {})", e.seq),
                format!("{which_en} missing (deleted before seq {})", e.seq),
            ));
        }
        let f = Fields { checkpoint, ordinal: o, at: &e.at, actor: &e.actor, reason: e.reason.as_deref(), kind: &e.kind, data: &e.data };
        // The chain as the content gives it (what the anchor covers): equal to the stored
        // one while nothing is wrong, so one hash per event.
        let content = event_hash(&f, &chained);
        let own = if prev == chained { content } else { event_hash(&f, &prev) };
        if o == expected && o <= limit && own != stored {
            out.push(finding(
                checkpoint,
                Some(e.seq),
                Some(o),
                Problem::Altered,
                format!("händelse {o} (seq {}) är ändrad: innehållet stämmer inte med dess hash", e.seq),
                format!("event {o} (seq {}) was altered: its content does not match its hash", e.seq),
            ));
        }
        // Go on from what is stored, so one change is named once.
        prev = stored;
        chained = content;
        expected = o + 1;
        if e.seq <= cutoff {
            at_cutoff = Some(Head { count: at_cutoff.map_or(0, |h| h.count) + 1, hash: content });
        }
    }
    if let Some(h) = head {
        let last = expected - 1;
        if h.count > last {
            let first = last + 1;
            let which_sv = if first == h.count { format!("händelse {first}") } else { format!("händelserna {first}–{}", h.count) };
            let which_en = if first == h.count { format!("event {first}") } else { format!("events {first}–{}", h.count) };
            out.push(finding(
                checkpoint,
                None,
                Some(first),
                Problem::Deleted,
                format!("{which_sv} saknas i slutet av kedjan (raderad; huvudet säger {} händelser)", h.count),
                format!("{which_en} missing at the end of the chain (deleted; the head says {} events)", h.count),
            ));
        } else if h.count == last && h.count > 0 && h.hash != prev {
            out.push(finding(
                checkpoint,
                None,
                Some(last),
                Problem::Head,
                "kedjans huvud på kontrollpunkten stämmer inte med dess sista händelse (ändrat)".to_owned(),
                "the chain's head on the checkpoint does not match its last event (altered)".to_owned(),
            ));
        }
    }
    at_cutoff
}

/// Every deleted event of a checkpoint whose head counts events but none are left.
pub fn all_gone(checkpoint: &str, head: Head, out: &mut Vec<Finding>) {
    if head.count > 0 {
        check(checkpoint, &[], Some(head), 0, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> (Vec<Stored>, Head) {
        let mut head = Head::EMPTY;
        let mut out = Vec::new();
        for i in 0..n {
            let data = format!("{{\"type\":\"opened\",\"i\":{i}}}");
            let f =
                Fields { checkpoint: "c", ordinal: 0, at: "2021-01-01T00:00:00Z", actor: "a", reason: None, kind: "opened", data: &data };
            let (o, h) = head.link(f);
            out.push(Stored {
                seq: 10 + i as i64,
                at: f.at.into(),
                actor: "a".into(),
                reason: None,
                kind: "opened".into(),
                data,
                ordinal: Some(o),
                hash: Some(super::super::chain::hex(&h)),
            });
        }
        (out, head)
    }

    fn problems(events: &[Stored], head: Option<Head>) -> Vec<(Option<i64>, Problem)> {
        let mut out = Vec::new();
        check("c", events, head, i64::MAX, &mut out);
        out.iter().map(|f| (f.ordinal, f.problem)).collect()
    }

    #[test]
    fn an_intact_chain_has_no_findings_and_its_head_at_the_cutoff() {
        let (ev, head) = chain(4);
        assert_eq!(problems(&ev, Some(head)), vec![]);
        let mut out = Vec::new();
        let at = check("c", &ev, Some(head), 11, &mut out).unwrap();
        assert_eq!(at.count, 2);
        assert_eq!(Some(super::super::chain::hex(&at.hash)), ev[1].hash);
        // The head at the cut-off follows the content, not the stored hashes: an event
        // rewritten with its hash left alone still changes it (and so the anchor).
        let mut altered = ev.clone();
        altered[0].actor = "b".into();
        let mut out = Vec::new();
        assert_ne!(check("c", &altered, Some(head), 11, &mut out), Some(at));
    }

    #[test]
    fn each_kind_of_tampering_is_named_once() {
        let (ev, head) = chain(4);
        let mut altered = ev.clone();
        altered[1].data = "{\"type\":\"waived\"}".into();
        assert_eq!(problems(&altered, Some(head)), vec![(Some(2), Problem::Altered)]);

        let mut deleted = ev.clone();
        deleted.remove(1);
        assert_eq!(problems(&deleted, Some(head)), vec![(Some(2), Problem::Deleted)]);
        let mut last = ev.clone();
        last.pop();
        assert_eq!(problems(&last, Some(head)), vec![(Some(4), Problem::Deleted)]);

        let mut swapped = ev.clone();
        swapped.swap(1, 2);
        assert_eq!(problems(&swapped, Some(head)), vec![(Some(2), Problem::Reordered)]);

        let mut inserted = ev.clone();
        inserted.push(Stored { seq: 99, ordinal: Some(2), ..ev[1].clone() });
        assert_eq!(problems(&inserted, Some(head)), vec![(Some(2), Problem::Inserted)]);
        let mut beyond = ev.clone();
        beyond.push(Stored { seq: 99, ordinal: Some(5), ..ev[3].clone() });
        assert_eq!(problems(&beyond, Some(head)), vec![(Some(5), Problem::Inserted)]);
        let mut bare = ev.clone();
        bare.push(Stored { seq: 99, ordinal: None, hash: None, ..ev[3].clone() });
        assert_eq!(problems(&bare, Some(head)), vec![(None, Problem::Inserted)]);
        assert_eq!(problems(&ev[..1], None), vec![(Some(1), Problem::Inserted)]);

        let forged = Head { count: 4, hash: [7; 32] };
        assert_eq!(problems(&ev, Some(forged)), vec![(Some(4), Problem::Head)]);
        let mut out = Vec::new();
        all_gone("c", head, &mut out);
        assert_eq!(out.iter().map(|f| (f.ordinal, f.problem)).collect::<Vec<_>>(), vec![(Some(1), Problem::Deleted)]);
        assert!(out[0].msg.sv.contains("händelserna 1–4"), "{}", out[0].msg.sv);
    }
}
