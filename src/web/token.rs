//! Signed, expiring tokens for the links in emails: HMAC-SHA256 (ring) over (purpose,
//! expiry day, person's email, subject — a checkpoint id or a sign-in nonce), as
//! `base64url(payload).base64url(tag)` without padding. Verified in constant time
//! (`ring::hmac::verify`). Stateless: the key, generated at first start and kept in the
//! store, is all that is needed to make or check one — so the mail composer signs the
//! report links at send time and the outbox keeps no usable link.
//!
//! Pure apart from [`random`] (the system's random source). Also the small helpers the
//! web pages need around tokens: base64url, SHA-256 in hex for stored hashes.

use chrono::NaiveDate;
use ring::hmac;
use std::fmt;

/// How long a report link in a reminder stays valid.
pub const REPORT_LINK_DAYS: i64 = 30;

/// What a token may be used for; part of what is signed, so one cannot stand in for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Open and submit the report form of one checkpoint (`/k/<token>`).
    Report,
    /// Sign in (`/login/<token>`); single use through the stored nonce.
    Login,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Report => "report",
            Purpose::Login => "login",
        }
    }

    fn parse(s: &str) -> Option<Purpose> {
        [Purpose::Report, Purpose::Login].into_iter().find(|p| p.tag() == s)
    }
}

/// What a token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub purpose: Purpose,
    pub email: String,
    /// The checkpoint id (report links) or the sign-in nonce (login links).
    pub subject: String,
    /// The last day (Europe/Stockholm) the token is valid.
    pub expires: NaiveDate,
}

/// Why a token was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Not made with our key, damaged, or not a token at all.
    Forged,
    /// Genuine, but its day has passed.
    Expired(Claims),
}

/// The HMAC key. Its bytes are never shown (not even by `Debug`).
#[derive(Clone)]
pub struct Key(hmac::Key);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(…)")
    }
}

const VERSION: &str = "v1";

impl Key {
    pub fn new(bytes: &[u8]) -> Key {
        Key(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// A fresh key as stored: 32 random bytes in base64url. `None` if the system has no
    /// random source (then nothing can be signed safely).
    pub fn generate() -> Option<String> {
        random::<32>().map(|b| b64_encode(&b))
    }

    /// The key from its stored form (see [`Key::generate`]).
    pub fn from_stored(s: &str) -> Option<Key> {
        b64_decode(s.trim()).filter(|b| b.len() >= 32).map(|b| Key::new(&b))
    }

    /// The HMAC of `data` (for values derived from the key, e.g. CSRF tokens).
    pub fn mac(&self, data: &[u8]) -> Vec<u8> {
        hmac::sign(&self.0, data).as_ref().to_vec()
    }

    /// Whether `tag` is the HMAC of `data` (constant time).
    pub fn verify_mac(&self, data: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.0, data, tag).is_ok()
    }

    /// The token for `claims`.
    pub fn sign(&self, c: &Claims) -> String {
        let payload = format!("{VERSION}\n{}\n{}\n{}\n{}", c.purpose.tag(), c.expires.format("%Y%m%d"), c.email, c.subject);
        let tag = hmac::sign(&self.0, payload.as_bytes());
        format!("{}.{}", b64_encode(payload.as_bytes()), b64_encode(tag.as_ref()))
    }

    /// The claims of a genuine token for `purpose` still valid on `today`.
    pub fn verify(&self, token: &str, purpose: Purpose, today: NaiveDate) -> Result<Claims, Invalid> {
        let (payload, tag) = token.split_once('.').ok_or(Invalid::Forged)?;
        let payload = b64_decode(payload).ok_or(Invalid::Forged)?;
        let tag = b64_decode(tag).ok_or(Invalid::Forged)?;
        hmac::verify(&self.0, &payload, &tag).map_err(|_| Invalid::Forged)?;
        let text = String::from_utf8(payload).map_err(|_| Invalid::Forged)?;
        let mut parts = text.splitn(5, '\n');
        let (Some(VERSION), Some(p), Some(day), Some(email), Some(subject)) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Invalid::Forged);
        };
        let claims = Claims {
            purpose: Purpose::parse(p).ok_or(Invalid::Forged)?,
            expires: NaiveDate::parse_from_str(day, "%Y%m%d").map_err(|_| Invalid::Forged)?,
            email: email.to_owned(),
            subject: subject.to_owned(),
        };
        if claims.purpose != purpose {
            return Err(Invalid::Forged);
        }
        if claims.expires < today {
            return Err(Invalid::Expired(claims));
        }
        Ok(claims)
    }
}

/// `N` bytes from the system's random source.
pub fn random<const N: usize>() -> Option<[u8; N]> {
    use ring::rand::SecureRandom;
    let mut b = [0u8; N];
    ring::rand::SystemRandom::new().fill(&mut b).ok()?;
    Some(b)
}

/// SHA-256 of `s`, in lower-case hex: how session ids and sign-in nonces are stored.
pub fn sha256_hex(s: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The bytes of base64url without padding; `None` for anything else (padding, other
/// characters, an impossible length, non-zero trailing bits).
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn claims() -> Claims {
        Claims {
            purpose: Purpose::Report,
            email: "rita@testkommun.se".into(),
            subject: "testkommun/plan-2021/matematik/utvardering".into(),
            expires: d(2021, 6, 23),
        }
    }

    #[test]
    fn base64url_round_trips_every_length_and_refuses_the_rest() {
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(200)).collect();
            let s = b64_encode(&bytes);
            assert!(s.bytes().all(|c| ALPHABET.contains(&c)), "{s}");
            assert_eq!(b64_decode(&s), Some(bytes));
        }
        assert_eq!(b64_encode(b"\xfb\xff"), "-_8");
        for bad in ["a", "ab=", "a+b/", "åäö", "AB"] {
            assert_eq!(b64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_signed_token_verifies_until_its_day_and_then_says_expired() {
        let k = Key::new(&[7; 32]);
        let t = k.sign(&claims());
        assert!(!t.contains('/') && !t.contains('+') && !t.contains('='), "{t}");
        assert_eq!(k.verify(&t, Purpose::Report, d(2021, 6, 23)), Ok(claims()));
        assert_eq!(k.verify(&t, Purpose::Report, d(2021, 6, 24)), Err(Invalid::Expired(claims())));
    }

    #[test]
    fn another_key_purpose_or_any_changed_byte_is_forged() {
        let k = Key::new(&[7; 32]);
        let t = k.sign(&claims());
        let today = d(2021, 6, 1);
        assert_eq!(Key::new(&[8; 32]).verify(&t, Purpose::Report, today), Err(Invalid::Forged));
        assert_eq!(k.verify(&t, Purpose::Login, today), Err(Invalid::Forged));
        // Another checkpoint with the same tag.
        let other = Claims { subject: "testkommun/plan-2021/matematik/annan".into(), ..claims() };
        let (_, tag) = t.split_once('.').unwrap();
        let (payload, _) = k.sign(&other).split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap();
        assert_eq!(k.verify(&format!("{payload}.{tag}"), Purpose::Report, today), Err(Invalid::Forged));
        for i in 0..t.len() {
            let mut b = t.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let s = String::from_utf8(b).unwrap();
            assert!(k.verify(&s, Purpose::Report, today).is_err(), "byte {i}");
        }
        for junk in ["", ".", "x.y", "....", "%00", &"A".repeat(5000)] {
            assert_eq!(k.verify(junk, Purpose::Report, today), Err(Invalid::Forged));
        }
    }

    #[test]
    fn keys_are_generated_random_and_read_back() {
        let (a, b) = (Key::generate().unwrap(), Key::generate().unwrap());
        assert_ne!(a, b);
        let k = Key::from_stored(&a).unwrap();
        let t = k.sign(&claims());
        assert!(Key::from_stored(&a).unwrap().verify(&t, Purpose::Report, d(2021, 6, 1)).is_ok());
        assert!(Key::from_stored("short").is_none());
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
