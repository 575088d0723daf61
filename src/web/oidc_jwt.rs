//! The ID token's verification (pure): a compact JWS checked against the issuer's JWKS with
//! ring — RS256 (`RSA_PKCS1_2048_8192_SHA256`, `n`/`e` from the JWK) and ES256 (P-256,
//! `x`/`y`) — then its claims: `iss` equal to the issuer, `aud` containing the client id
//! (and `azp`, when present with several audiences, equal to it), `exp`/`iat`/`nbf`
//! against the given instant with [`LEEWAY`], `nonce` equal to the one sent. No other
//! algorithm is accepted (never `none`, never HMAC with a public key).
//!
//! [`email`] takes the address to sign in with: `email` (refused when `email_verified` is
//! present and not true), else — Entra ID v2 sends `email` only when the app registration
//! asks for it — `preferred_username`, then `upn`, when they look like an address.

use super::token::b64_decode;
use chrono::{DateTime, Utc};
use ring::signature::{self, UnparsedPublicKey};
use serde_json::Value;

/// The clock skew tolerated between the provider and us, in seconds.
pub const LEEWAY: i64 = 120;

/// What a token must say.
#[derive(Clone, Debug)]
pub struct Expect<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: DateTime<Utc>,
}

/// Why a token was refused (for the log; the page says less).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a compact JWS, or its parts are not base64url JSON.
    Malformed,
    /// An algorithm other than RS256 and ES256.
    Algorithm(String),
    /// No key in the JWKS fits the token's `kid` and algorithm.
    NoKey,
    /// The signature does not verify.
    Signature,
    Issuer,
    Audience,
    Expired,
    /// `iat` or `nbf` lies in the future.
    NotYetValid,
    Nonce,
    /// No usable address in the token.
    NoEmail,
    /// `email_verified` is present and not true.
    Unverified,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Algorithm(a) => write!(f, "algorithm {a:?} not accepted"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A verified token's claims.
pub type Claims = serde_json::Map<String, Value>;

fn part(s: &str) -> Result<serde_json::Map<String, Value>, Refused> {
    let bytes = b64_decode(s).ok_or(Refused::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Refused::Malformed),
    }
}

fn text<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

fn b64_field(m: &serde_json::Map<String, Value>, k: &str) -> Option<Vec<u8>> {
    text(m, k).and_then(b64_decode)
}

/// Whether `key` (a JWK) can check a token with `alg` and header `kid`.
fn fits(key: &Value, alg: &str, kid: Option<&str>) -> bool {
    let Some(k) = key.as_object() else { return false };
    let kty = if alg == "RS256" { "RSA" } else { "EC" };
    text(k, "kty") == Some(kty)
        && text(k, "use").is_none_or(|u| u == "sig")
        && text(k, "alg").is_none_or(|a| a == alg)
        && kid.is_none_or(|kid| text(k, "kid") == Some(kid))
}

fn check_signature(key: &serde_json::Map<String, Value>, alg: &str, msg: &[u8], sig: &[u8]) -> bool {
    if alg == "RS256" {
        let (Some(n), Some(e)) = (b64_field(key, "n"), b64_field(key, "e")) else { return false };
        signature::RsaPublicKeyComponents { n: &n, e: &e }.verify(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig).is_ok()
    } else {
        let (Some(x), Some(y)) = (b64_field(key, "x"), b64_field(key, "y")) else { return false };
        if text(key, "crv") != Some("P-256") || x.len() != 32 || y.len() != 32 {
            return false;
        }
        let mut point = vec![4u8];
        point.extend_from_slice(&x);
        point.extend_from_slice(&y);
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(msg, sig).is_ok()
    }
}

/// The `kid` of the token's header, if any (to tell whether the JWKS must be fetched anew).
pub fn kid(token: &str) -> Option<String> {
    token.split('.').next().and_then(|h| part(h).ok()).and_then(|h| text(&h, "kid").map(str::to_owned))
}

/// Whether `jwks` (`{"keys": [...]}`) has a key for `token`'s header.
pub fn has_key(token: &str, jwks: &Value) -> bool {
    let Some(header) = token.split('.').next().and_then(|h| part(h).ok()) else { return false };
    let alg = text(&header, "alg").unwrap_or("");
    let keys = jwks.get("keys").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    keys.iter().any(|k| fits(k, alg, text(&header, "kid")))
}

fn seconds(c: &Claims, k: &str) -> Option<i64> {
    c.get(k).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// The claims of `token` if its signature verifies against a key of `jwks` and its claims
/// meet `expect`.
pub fn verify(token: &str, jwks: &Value, expect: &Expect<'_>) -> Result<Claims, Refused> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Refused::Malformed);
    };
    let header = part(h)?;
    let alg = text(&header, "alg").unwrap_or("");
    if alg != "RS256" && alg != "ES256" {
        return Err(Refused::Algorithm(alg.chars().take(20).collect()));
    }
    let sig = b64_decode(s).ok_or(Refused::Malformed)?;
    let msg = &token.as_bytes()[..h.len() + 1 + p.len()];
    let keys = jwks.get("keys").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let candidates: Vec<_> = keys.iter().filter(|k| fits(k, alg, text(&header, "kid"))).filter_map(Value::as_object).collect();
    if candidates.is_empty() {
        return Err(Refused::NoKey);
    }
    if !candidates.iter().any(|k| check_signature(k, alg, msg, &sig)) {
        return Err(Refused::Signature);
    }
    let c = part(p)?;
    if text(&c, "iss") != Some(expect.issuer) {
        return Err(Refused::Issuer);
    }
    let audiences: Vec<&str> = match c.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences.contains(&expect.client_id) {
        return Err(Refused::Audience);
    }
    if let Some(azp) = c.get("azp")
        && azp.as_str() != Some(expect.client_id)
    {
        return Err(Refused::Audience);
    }
    let now = expect.now.timestamp();
    let exp = seconds(&c, "exp").ok_or(Refused::Malformed)?;
    let iat = seconds(&c, "iat").ok_or(Refused::Malformed)?;
    if now > exp + LEEWAY {
        return Err(Refused::Expired);
    }
    if iat > now + LEEWAY || seconds(&c, "nbf").is_some_and(|nbf| nbf > now + LEEWAY) {
        return Err(Refused::NotYetValid);
    }
    // Compared whole; the nonce is not secret once the browser has carried it.
    if text(&c, "nonce") != Some(expect.nonce) {
        return Err(Refused::Nonce);
    }
    Ok(c)
}

/// Roughly an address: one `@`, something before, a dotted domain after, no spaces.
fn looks_like_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The address to sign in with, in lower case (see the module's documentation).
pub fn email(c: &Claims) -> Result<String, Refused> {
    if let Some(e) = text(c, "email") {
        let verified = match c.get("email_verified") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(_) => false,
        };
        if !verified {
            return Err(Refused::Unverified);
        }
        if looks_like_address(e.trim()) {
            return Ok(e.trim().to_lowercase());
        }
    }
    ["preferred_username", "upn"]
        .into_iter()
        .filter_map(|k| text(c, k))
        .map(str::trim)
        .find(|s| looks_like_address(s))
        .map(str::to_lowercase)
        .ok_or(Refused::NoEmail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::token::b64_encode;
    use chrono::TimeZone;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair};
    use serde_json::json;

    /// A fixed RSA key (tests/oidc/test_key.pk8; the test provider signs with it too).
    const RSA_PK8: &[u8] = include_bytes!("../../tests/oidc/test_key.pk8");
    const ISS: &str = "https://login.example.org/tenant/v2.0";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 19, 8, 0, 0).unwrap()
    }

    fn rsa() -> RsaKeyPair {
        RsaKeyPair::from_pkcs8(RSA_PK8).unwrap()
    }

    fn rsa_jwk(kid: &str) -> Value {
        let kp = rsa();
        let c = signature::RsaPublicKeyComponents::<Vec<u8>>::from(kp.public());
        let (n, e) = (c.n, c.e);
        json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64_encode(&n), "e": b64_encode(&e)})
    }

    fn claims() -> Value {
        let t = now().timestamp();
        json!({"iss": ISS, "aud": "arshjul", "sub": "1", "iat": t - 10, "exp": t + 3600, "nonce": "n-1",
               "email": "Rita@Testkommun.se", "email_verified": true})
    }

    fn rs256(header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64_encode(header.to_string().as_bytes()), b64_encode(claims.to_string().as_bytes()));
        let mut sig = vec![0; rsa().public().modulus_len()];
        rsa().sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
        format!("{input}.{}", b64_encode(&sig))
    }

    fn expect() -> Expect<'static> {
        Expect { issuer: ISS, client_id: "arshjul", nonce: "n-1", now: now() }
    }

    fn jwks() -> Value {
        json!({"keys": [rsa_jwk("other"), rsa_jwk("k1")]})
    }

    fn hdr() -> Value {
        json!({"alg": "RS256", "kid": "k1", "typ": "JWT"})
    }

    #[test]
    fn a_good_rs256_token_verifies_and_gives_the_address_in_lower_case() {
        let t = rs256(&hdr(), &claims());
        let c = verify(&t, &jwks(), &expect()).unwrap();
        assert_eq!(email(&c).unwrap(), "rita@testkommun.se");
        assert_eq!(kid(&t).as_deref(), Some("k1"));
        assert!(has_key(&t, &jwks()));
        assert!(!has_key(&t, &json!({"keys": [rsa_jwk("k2")]})));
        // Without a kid any RSA key may check it; an aud array with our id is fine.
        let mut c2 = claims();
        c2["aud"] = json!(["arshjul", "api"]);
        c2["azp"] = json!("arshjul");
        assert!(verify(&rs256(&json!({"alg": "RS256"}), &c2), &jwks(), &expect()).is_ok());
    }

    #[test]
    fn a_changed_byte_another_key_or_another_algorithm_is_refused() {
        let t = rs256(&hdr(), &claims());
        // The payload swapped for another person's, signature kept.
        let mut other = claims();
        other["email"] = json!("cecilia@testkommun.se");
        let forged =
            format!("{}.{}.{}", t.split('.').next().unwrap(), b64_encode(other.to_string().as_bytes()), t.split('.').nth(2).unwrap());
        assert_eq!(verify(&forged, &jwks(), &expect()), Err(Refused::Signature));
        let mut sig = t.clone().into_bytes();
        let last = sig.len() - 5;
        sig[last] = if sig[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(verify(&String::from_utf8(sig).unwrap(), &jwks(), &expect()), Err(Refused::Signature));
        // A JWKS whose key under that kid is another key.
        let mut wrong = rsa_jwk("k1");
        wrong["n"] = json!(b64_encode(&[0xC5; 256]));
        assert_eq!(verify(&t, &json!({"keys": [wrong]}), &expect()), Err(Refused::Signature));
        assert_eq!(verify(&t, &json!({"keys": [rsa_jwk("k2")]}), &expect()), Err(Refused::NoKey));
        assert_eq!(verify(&t, &json!({}), &expect()), Err(Refused::NoKey));
        // alg none / HS256 are refused whatever the signature.
        let body = b64_encode(claims().to_string().as_bytes());
        let none = format!("{}.{body}.", b64_encode(br#"{"alg":"none"}"#));
        assert_eq!(verify(&none, &jwks(), &expect()), Err(Refused::Algorithm("none".into())));
        let hs = format!("{}.{body}.{}", b64_encode(br#"{"alg":"HS256","kid":"k1"}"#), b64_encode(&[1; 32]));
        assert_eq!(verify(&hs, &jwks(), &expect()), Err(Refused::Algorithm("HS256".into())));
        for junk in ["", "a.b", "a.b.c.d", "!!.!!.!!", &"A".repeat(10_000)] {
            assert!(verify(junk, &jwks(), &expect()).is_err(), "{junk}");
        }
    }

    #[test]
    fn wrong_issuer_audience_nonce_or_time_is_refused() {
        let with = |k: &str, v: Value| {
            let mut c = claims();
            c[k] = v;
            verify(&rs256(&hdr(), &c), &jwks(), &expect())
        };
        assert_eq!(with("iss", json!("https://login.example.org/other/v2.0")), Err(Refused::Issuer));
        assert_eq!(with("aud", json!("another-client")), Err(Refused::Audience));
        assert_eq!(with("aud", json!(["another-client"])), Err(Refused::Audience));
        assert_eq!(with("azp", json!("another-client")), Err(Refused::Audience));
        assert_eq!(with("nonce", json!("n-2")), Err(Refused::Nonce));
        let mut no_nonce = claims();
        no_nonce.as_object_mut().unwrap().remove("nonce");
        assert_eq!(verify(&rs256(&hdr(), &no_nonce), &jwks(), &expect()), Err(Refused::Nonce));
        let t = now().timestamp();
        assert_eq!(with("exp", json!(t - LEEWAY - 1)), Err(Refused::Expired));
        assert!(with("exp", json!(t - LEEWAY + 1)).is_ok(), "within the leeway");
        assert_eq!(with("iat", json!(t + LEEWAY + 5)), Err(Refused::NotYetValid));
        assert_eq!(with("nbf", json!(t + 3000)), Err(Refused::NotYetValid));
        // The same token an hour and a bit later (the injected clock decides).
        let token = rs256(&hdr(), &claims());
        let late = Expect { now: now() + chrono::Duration::seconds(3600 + LEEWAY + 1), ..expect() };
        assert_eq!(verify(&token, &jwks(), &late), Err(Refused::Expired));
    }

    #[test]
    fn es256_tokens_verify_with_the_p256_key() {
        let rng = SystemRandom::new();
        let pk8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let kp = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pk8.as_ref(), &rng).unwrap();
        let point = kp.public_key().as_ref();
        let jwk = json!({"kty": "EC", "crv": "P-256", "kid": "e1", "x": b64_encode(&point[1..33]), "y": b64_encode(&point[33..])});
        let input = format!("{}.{}", b64_encode(br#"{"alg":"ES256","kid":"e1"}"#), b64_encode(claims().to_string().as_bytes()));
        let sig = kp.sign(&rng, input.as_bytes()).unwrap();
        let token = format!("{input}.{}", b64_encode(sig.as_ref()));
        let keys = json!({"keys": [rsa_jwk("k1"), jwk]});
        assert!(verify(&token, &keys, &expect()).is_ok());
        let mut bad = sig.as_ref().to_vec();
        bad[10] ^= 1;
        assert_eq!(verify(&format!("{input}.{}", b64_encode(&bad)), &keys, &expect()), Err(Refused::Signature));
    }

    #[test]
    fn the_address_comes_from_email_or_an_address_like_username() {
        let c = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(email(&c(json!({"email": "A@B.se"}))).unwrap(), "a@b.se");
        assert_eq!(email(&c(json!({"email": "a@b.se", "email_verified": "true"}))).unwrap(), "a@b.se");
        assert_eq!(email(&c(json!({"email": "a@b.se", "email_verified": false}))), Err(Refused::Unverified));
        assert_eq!(email(&c(json!({"email": "a@b.se", "email_verified": "no"}))), Err(Refused::Unverified));
        // Entra ID v2 without the optional email claim.
        assert_eq!(email(&c(json!({"preferred_username": "Rita@Kommun.se"}))).unwrap(), "rita@kommun.se");
        assert_eq!(email(&c(json!({"preferred_username": "rita", "upn": "rita@kommun.se"}))).unwrap(), "rita@kommun.se");
        for none in [json!({}), json!({"preferred_username": "+46701234567"}), json!({"email": "a b@c.se"}), json!({"upn": "x@localhost"})]
        {
            assert_eq!(email(&c(none.clone())), Err(Refused::NoEmail), "{none}");
        }
    }
}
