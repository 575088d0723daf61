//! The tamper-evident history: one hash chain per checkpoint (pure; no IO).
//!
//! Each event stores `hash = SHA-256(canonical(checkpoint, ordinal, at, actor, reason, kind,
//! data, prev))`, where `ordinal` counts the checkpoint's events from 1 and `prev` is the
//! previous event's hash (32 zero bytes before the first). The checkpoint row keeps the head
//! (`chain_count`, `chain_head`). The canonical encoding is length-prefixed, so no two field
//! lists encode alike. The store-wide *anchor* is a hash over every checkpoint's head (id,
//! count, hash) in byte order of the ids, as of a cut-off `seq`: it is what gets exported
//! (`arshjul audit anchor`, the annual report) and later checked with `audit verify --anchor`.
//! See ARCHITECTURE.md ("Tamper-evident history").

use ring::digest::{Context, SHA256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The `prev` of a checkpoint's first event.
pub const GENESIS: Hash = [0; 32];

const EVENT_DOMAIN: &[u8] = b"arshjul-event-v1\0";
const ANCHOR_DOMAIN: &[u8] = b"arshjul-anchor-v1\0";

/// The stored fields of one event that its hash covers.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    pub checkpoint: &'a str,
    pub ordinal: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub reason: Option<&'a str>,
    pub kind: &'a str,
    pub data: &'a str,
}

fn field(ctx: &mut Context, bytes: &[u8]) {
    ctx.update(&(bytes.len() as u64).to_be_bytes());
    ctx.update(bytes);
}

/// The hash of an event whose predecessor's hash is `prev`.
pub fn event_hash(f: &Fields<'_>, prev: &Hash) -> Hash {
    let bytes = Bytes {
        checkpoint: f.checkpoint.as_bytes(),
        at: f.at.as_bytes(),
        actor: f.actor.as_bytes(),
        reason: f.reason.map(str::as_bytes),
        kind: f.kind.as_bytes(),
        data: f.data.as_bytes(),
    };
    let mut buf = Vec::with_capacity(256 + f.data.len());
    bytes.encode(f.ordinal, prev, &mut buf);
    digest(&buf)
}

/// [`event_hash`] over the stored bytes as read (`audit verify`'s walk: a value that is not
/// UTF-8 can only have been altered, and then simply does not match), encoded in `scratch`.
pub fn stored_hash(e: &Raw<'_>, ordinal: i64, prev: &Hash, scratch: &mut Vec<u8>) -> Hash {
    let bytes = Bytes { checkpoint: e.checkpoint, at: e.at, actor: e.actor, reason: e.reason, kind: e.kind, data: e.data };
    bytes.encode(ordinal, prev, scratch);
    digest(scratch)
}

fn digest(bytes: &[u8]) -> Hash {
    let mut out = [0; 32];
    out.copy_from_slice(ring::digest::digest(&SHA256, bytes).as_ref());
    out
}

/// The hashed fields as bytes.
struct Bytes<'a> {
    checkpoint: &'a [u8],
    at: &'a [u8],
    actor: &'a [u8],
    reason: Option<&'a [u8]>,
    kind: &'a [u8],
    data: &'a [u8],
}

impl Bytes<'_> {
    /// The canonical encoding: the domain, then each field length-prefixed (the ordinal
    /// as 8 bytes, `reason` tagged present/absent), then `prev`.
    fn encode(&self, ordinal: i64, prev: &Hash, out: &mut Vec<u8>) {
        fn field(out: &mut Vec<u8>, bytes: &[u8]) {
            out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            out.extend_from_slice(bytes);
        }
        out.clear();
        out.extend_from_slice(EVENT_DOMAIN);
        field(out, self.checkpoint);
        out.extend_from_slice(&ordinal.to_be_bytes());
        field(out, self.at);
        field(out, self.actor);
        match self.reason {
            None => out.push(0),
            Some(r) => {
                out.push(1);
                field(out, r);
            }
        }
        field(out, self.kind);
        field(out, self.data);
        out.extend_from_slice(prev);
    }
}

/// One stored event as read for verification, borrowed from the reader's buffer: the
/// columns' bytes as stored (`None` for NULL).
#[derive(Clone, Copy, Debug)]
pub struct Raw<'a> {
    pub seq: i64,
    pub checkpoint: &'a [u8],
    pub at: &'a [u8],
    pub actor: &'a [u8],
    pub reason: Option<&'a [u8]>,
    pub kind: &'a [u8],
    pub data: &'a [u8],
    pub ordinal: Option<i64>,
    pub hash: Option<&'a [u8]>,
}

/// Lower-case hex, as stored.
pub fn hex(h: &Hash) -> String {
    hex_bytes(h).iter().map(|&d| d as char).collect()
}

/// [`hex`] as bytes (no allocation).
pub fn hex_bytes(h: &Hash) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 64];
    for (i, b) in h.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
    out
}

/// Parses 64 hex digits (either case).
pub fn parse_hex(s: &str) -> Option<Hash> {
    parse_hex_bytes(s.as_bytes())
}

/// [`parse_hex`] over bytes as stored.
pub fn parse_hex_bytes(s: &[u8]) -> Option<Hash> {
    if s.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0; 32];
    for (i, pair) in s.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// A checkpoint's chain head: how many events, and the last one's hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub count: i64,
    pub hash: Hash,
}

impl Head {
    pub const EMPTY: Head = Head { count: 0, hash: GENESIS };

    /// From the stored columns (`chain_count`, `chain_head`); an unreadable hash reads as
    /// the genesis (and then fails verification, as it should).
    pub fn stored(count: i64, hash: Option<&str>) -> Head {
        Head::stored_bytes(count, hash.map(str::as_bytes))
    }

    /// [`Head::stored`] over the bytes as stored.
    pub fn stored_bytes(count: i64, hash: Option<&[u8]>) -> Head {
        Head { count, hash: hash.and_then(parse_hex_bytes).unwrap_or(GENESIS) }
    }

    /// Links the next event: its ordinal and hash, and the new head.
    pub fn link(&mut self, f: Fields<'_>) -> (i64, Hash) {
        let ordinal = self.count + 1;
        let hash = event_hash(&Fields { ordinal, ..f }, &self.hash);
        *self = Head { count: ordinal, hash };
        (ordinal, hash)
    }
}

/// The store-wide anchor over `heads` (checkpoint id, head), which must be sorted by id
/// (bytes) and hold only checkpoints with events.
pub fn anchor<'a>(heads: impl IntoIterator<Item = (&'a str, &'a Head)>) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(ANCHOR_DOMAIN);
    for (id, h) in heads {
        field(&mut ctx, id.as_bytes());
        ctx.update(&h.count.to_be_bytes());
        ctx.update(&h.hash);
    }
    let mut out = [0; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// An exported anchor: the hash over all heads as of events up to `seq`. Written
/// `SEQ:HEX` (e.g. `1048576:3fa2…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: Hash,
}

impl Anchor {
    pub fn parse(s: &str) -> Option<Anchor> {
        let (seq, hash) = s.trim().split_once(':')?;
        Some(Anchor { seq: seq.parse().ok().filter(|n| *n >= 0)?, hash: parse_hex(hash)? })
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, hex(&self.hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(data: &'a str, reason: Option<&'a str>) -> Fields<'a> {
        Fields { checkpoint: "k/p/i/c", ordinal: 1, at: "2021-05-03T07:30:00Z", actor: "arshjul", reason, kind: "opened", data }
    }

    #[test]
    fn every_field_and_the_predecessor_change_the_hash() {
        let base = event_hash(&fields("{}", None), &GENESIS);
        assert_ne!(base, event_hash(&fields("{ }", None), &GENESIS));
        assert_ne!(base, event_hash(&fields("{}", Some("")), &GENESIS), "no reason and an empty reason differ");
        assert_ne!(base, event_hash(&Fields { ordinal: 2, ..fields("{}", None) }, &GENESIS));
        assert_ne!(base, event_hash(&Fields { actor: "arshjulx", ..fields("{}", None) }, &GENESIS));
        assert_ne!(base, event_hash(&fields("{}", None), &[1; 32]));
        // Length prefixes: moving a byte from one field to the next is a different event.
        let a = Fields { actor: "ab", kind: "c", ..fields("{}", None) };
        let b = Fields { actor: "a", kind: "bc", ..fields("{}", None) };
        assert_ne!(event_hash(&a, &GENESIS), event_hash(&b, &GENESIS));
        assert_eq!(base, event_hash(&fields("{}", None), &GENESIS), "deterministic");
    }

    #[test]
    fn hex_and_anchors_read_back() {
        let h = event_hash(&fields("{}", None), &GENESIS);
        assert_eq!(parse_hex(&hex(&h)), Some(h));
        assert_eq!(parse_hex(&hex(&h).to_uppercase()), Some(h));
        assert_eq!(parse_hex("zz"), None);
        assert_eq!(parse_hex(&"g".repeat(64)), None);
        let a = Anchor { seq: 42, hash: h };
        assert_eq!(Anchor::parse(&a.to_string()), Some(a));
        assert_eq!(Anchor::parse("x:00"), None);
        assert_eq!(Anchor::parse(&format!("-1:{}", hex(&h))), None);
    }

    #[test]
    fn linking_counts_and_chains() {
        let mut head = Head::EMPTY;
        let (o1, h1) = head.link(fields("{}", None));
        let (o2, h2) = head.link(fields("{}", None));
        assert_eq!((o1, o2), (1, 2));
        assert_ne!(h1, h2, "the same content at another place in the chain hashes differently");
        assert_eq!(head, Head { count: 2, hash: h2 });
        let one = anchor([("a", &head)]);
        assert_ne!(one, anchor([("a", &Head { count: 1, hash: h2 })]));
        assert_ne!(one, anchor([("b", &head)]));
    }
}
