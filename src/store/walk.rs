//! The streaming pass of `audit verify` (pure): every event once, in `seq` order, straight
//! from the reader's buffer, hashed into its checkpoint's running chain. A chain that stays
//! exactly as appended (ordinals 1, 2, … in `seq` order, each hash matching the content,
//! ending at the stored head) is settled here with one hash per event and no copy; any
//! other is left *irregular* and judged afterwards by [`super::verify::check`] over all its
//! events, read again — so what is named, and the anchor, are the same as if every chain
//! went through `check` (see the tests).

use super::chain::{Hash, Head, Raw, hex_bytes, stored_hash};
use std::collections::HashMap;

/// One checkpoint's chain as walked so far.
#[derive(Clone, Copy, Debug)]
struct Chain {
    /// The head stored on the checkpoint row (`None`: no such checkpoint).
    stored: Option<Head>,
    /// Events linked so far and the last one's hash.
    count: i64,
    hash: Hash,
    /// The head as of the cut-off (`None`: no event at or below it yet).
    at_cutoff: Option<Head>,
    /// Still exactly as appended.
    regular: bool,
}

/// The walk over a store's history: register the heads, feed every event in `seq` order,
/// then [`Walk::finish`].
#[derive(Debug)]
pub struct Walk {
    cutoff: i64,
    chains: HashMap<Box<[u8]>, Chain>,
    checkpoints: u64,
    events: u64,
    /// The hash input, encoded here (one buffer for the whole walk).
    scratch: Vec<u8>,
}

/// What the streaming pass leaves.
#[derive(Debug, Default)]
pub struct Walked {
    pub checkpoints: u64,
    pub events: u64,
    /// The heads as of the cut-off of the settled chains (id, head), unsorted.
    pub cut: Vec<(Box<[u8]>, Head)>,
    /// The chains to judge with every event in hand: id → stored head (`None`: events for
    /// a checkpoint that does not exist), in byte order of the ids.
    pub irregular: std::collections::BTreeMap<Box<[u8]>, Option<Head>>,
}

impl Walk {
    pub fn new(cutoff: i64) -> Walk {
        Walk { cutoff, chains: HashMap::default(), checkpoints: 0, events: 0, scratch: Vec::with_capacity(512) }
    }

    /// A checkpoint row's stored head.
    pub fn head(&mut self, id: &[u8], head: Head) {
        self.checkpoints += 1;
        let chain = Chain { stored: Some(head), count: 0, hash: super::chain::GENESIS, at_cutoff: None, regular: true };
        if self.chains.insert(id.into(), chain).is_some() {
            // Two rows with one id cannot be (primary key); judge it the slow way if so.
            if let Some(c) = self.chains.get_mut(id) {
                c.regular = false;
            }
        }
    }

    /// The next event in `seq` order.
    pub fn event(&mut self, e: &Raw<'_>) {
        self.events += 1;
        let Some(chain) = self.chains.get_mut(e.checkpoint) else {
            let chain = Chain { stored: None, count: 0, hash: super::chain::GENESIS, at_cutoff: None, regular: false };
            self.chains.insert(e.checkpoint.into(), chain);
            return;
        };
        if !chain.regular {
            return;
        }
        let next = chain.count + 1;
        let limit = chain.stored.map_or(0, |h| h.count);
        let (Some(stored), true) = (e.hash, e.ordinal == Some(next) && next <= limit) else {
            chain.regular = false;
            return;
        };
        let content = stored_hash(e, next, &chain.hash, &mut self.scratch);
        // As written (lower-case hex); anything else is for `check` to judge.
        if stored != hex_bytes(&content) {
            chain.regular = false;
            return;
        }
        chain.count = next;
        chain.hash = content;
        if e.seq <= self.cutoff {
            chain.at_cutoff = Some(Head { count: next, hash: content });
        }
    }

    /// Settles every chain that ended at its stored head; the others are irregular.
    pub fn finish(self) -> Walked {
        let mut out = Walked { checkpoints: self.checkpoints, events: self.events, ..Walked::default() };
        for (id, c) in self.chains {
            let ends_at_head = c.stored.is_some_and(|h| h.count == c.count && (h.count == 0 || h.hash == c.hash));
            if c.regular && ends_at_head {
                if let Some(h) = c.at_cutoff {
                    out.cut.push((id, h));
                }
            } else {
                out.irregular.insert(id, c.stored);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::chain::{Fields, hex};
    use crate::store::verify::{Finding, Stored, all_gone, check};
    use std::collections::BTreeMap;

    /// Events with their checkpoint ids, in `seq` order; the heads by id.
    type Events = Vec<(String, Stored)>;
    type Heads = BTreeMap<String, Head>;

    /// Three checkpoints' chains of four events, appended interleaved (seq 1, 2, 3, …).
    fn store() -> (Events, Heads) {
        let mut heads: BTreeMap<String, Head> = ["a", "b", "c"].iter().map(|id| (id.to_string(), Head::EMPTY)).collect();
        let mut events = Vec::new();
        for i in 0..12 {
            let id = ["a", "b", "c"][i % 3].to_owned();
            let data = format!("{{\"type\":\"opened\",\"i\":{i}}}");
            let reason = (i % 4 == 0).then(|| "för att".to_owned());
            let f = Fields {
                checkpoint: &id,
                ordinal: 0,
                at: "2021-01-01T00:00:00Z",
                actor: "a",
                reason: reason.as_deref(),
                kind: "opened",
                data: &data,
            };
            let (o, h) = heads.get_mut(&id).unwrap().link(f);
            let stored = Stored {
                seq: i as i64 + 1,
                at: f.at.into(),
                actor: "a".into(),
                reason: reason.clone(),
                kind: "opened".into(),
                data,
                ordinal: Some(o),
                hash: Some(hex(&h)),
            };
            events.push((id, stored));
        }
        (events, heads)
    }

    /// The reference: every chain through `check` (what verification did before the walk).
    fn judged_whole(events: &[(String, Stored)], heads: &Heads, cutoff: i64) -> (Vec<Finding>, Vec<(String, Head)>) {
        let mut by_id: BTreeMap<&str, Vec<Stored>> = BTreeMap::new();
        for (id, e) in events {
            by_id.entry(id).or_default().push(e.clone());
        }
        let (mut findings, mut cut) = (Vec::new(), Vec::new());
        for (id, list) in &by_id {
            if let Some(h) = check(id, list, heads.get(*id).copied(), cutoff, &mut findings) {
                cut.push((id.to_string(), h));
            }
        }
        for (id, head) in heads {
            if !by_id.contains_key(id.as_str()) {
                all_gone(id, *head, &mut findings);
            }
        }
        findings.sort_by(|a, b| a.checkpoint.cmp(&b.checkpoint));
        (findings, cut)
    }

    /// The walk, then `check` over the irregular chains only.
    fn judged_walking(
        events: &[(String, Stored)],
        heads: &BTreeMap<String, Head>,
        cutoff: i64,
    ) -> (Vec<Finding>, Vec<(String, Head)>, usize) {
        let mut walk = Walk::new(cutoff);
        for (id, head) in heads {
            walk.head(id.as_bytes(), *head);
        }
        for (id, e) in events {
            walk.event(&Raw {
                seq: e.seq,
                checkpoint: id.as_bytes(),
                at: e.at.as_bytes(),
                actor: e.actor.as_bytes(),
                reason: e.reason.as_deref().map(str::as_bytes),
                kind: e.kind.as_bytes(),
                data: e.data.as_bytes(),
                ordinal: e.ordinal,
                hash: e.hash.as_deref().map(str::as_bytes),
            });
        }
        let walked = walk.finish();
        let (mut findings, mut cut) = (Vec::new(), Vec::new());
        for (id, head) in &walked.irregular {
            let id = std::str::from_utf8(id).unwrap();
            let list: Vec<Stored> = events.iter().filter(|(i, _)| i == id).map(|(_, e)| e.clone()).collect();
            if let Some(h) = check(id, &list, *head, cutoff, &mut findings) {
                cut.push((id.to_owned(), h));
            }
        }
        cut.extend(walked.cut.into_iter().map(|(id, h)| (String::from_utf8(id.into_vec()).unwrap(), h)));
        cut.sort_by(|a, b| a.0.cmp(&b.0));
        (findings, cut, walked.irregular.len())
    }

    #[test]
    fn the_walk_judges_as_check_does_every_chain_at_every_cutoff() {
        let (events, heads) = store();
        let at = |id: &str, ordinal: i64| events.iter().position(|(i, e)| i == id && e.ordinal == Some(ordinal)).unwrap();
        let mut cases: Vec<(&str, Events, Heads)> = vec![("intact", events.clone(), heads.clone())];
        let mut altered = events.clone();
        altered[at("b", 2)].1.data = "{\"type\":\"waived\"}".into();
        cases.push(("altered", altered, heads.clone()));
        let mut upper = events.clone();
        upper[at("b", 2)].1.hash = upper[at("b", 2)].1.hash.as_ref().map(|h| h.to_uppercase());
        cases.push(("upper-case hash (not altered)", upper, heads.clone()));
        let mut deleted = events.clone();
        deleted.remove(at("b", 2));
        cases.push(("deleted", deleted, heads.clone()));
        let mut last = events.clone();
        last.remove(at("c", 4));
        cases.push(("deleted last", last, heads.clone()));
        let mut swapped = events.clone();
        let (i, j) = (at("a", 2), at("a", 3));
        let (si, sj) = (swapped[i].1.seq, swapped[j].1.seq);
        swapped.swap(i, j);
        (swapped[i].1.seq, swapped[j].1.seq) = (si, sj);
        cases.push(("reordered", swapped, heads.clone()));
        let mut inserted = events.clone();
        let mut copy = events[at("a", 2)].clone();
        copy.1.seq = 99;
        inserted.push(copy);
        cases.push(("inserted twice", inserted, heads.clone()));
        let mut bare = events.clone();
        bare.push(("b".into(), Stored { seq: 99, ordinal: None, hash: None, ..events[at("b", 4)].1.clone() }));
        cases.push(("inserted bare", bare, heads.clone()));
        let mut stranger = events.clone();
        stranger.push(("zz".into(), Stored { seq: 99, ..events[at("a", 1)].1.clone() }));
        cases.push(("unknown checkpoint", stranger, heads.clone()));
        let mut forged = heads.clone();
        forged.get_mut("c").unwrap().hash = [7; 32];
        cases.push(("head forged", events.clone(), forged));
        let mut beyond = heads.clone();
        beyond.get_mut("a").unwrap().count = 3;
        cases.push(("beyond the head", events.clone(), beyond));
        let mut gone = heads.clone();
        gone.insert("d".into(), Head { count: 2, hash: [1; 32] });
        cases.push(("all gone", events.clone(), gone));

        for (name, events, heads) in &cases {
            for cutoff in [0, 5, 12, 99] {
                let (want, want_cut) = judged_whole(events, heads, cutoff);
                let (got, got_cut, irregular) = judged_walking(events, heads, cutoff);
                assert_eq!(got, want, "{name}, cut-off {cutoff}");
                assert_eq!(got_cut, want_cut, "{name}, cut-off {cutoff}: the heads the anchor covers");
                if *name == "intact" {
                    assert_eq!(irregular, 0, "an intact store is settled in the walk");
                } else {
                    assert!(irregular >= 1, "{name}: judged by check");
                }
            }
        }
        // The cases do find something (the comparison is not between two empty lists).
        let (f, _, _) = judged_walking(&cases[1].1, &cases[1].2, 99);
        assert_eq!(f.len(), 1);
    }
}
