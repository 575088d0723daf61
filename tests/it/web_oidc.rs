//! Signing in with the organisation's account against a real OpenID provider: the certified
//! `oidc-provider` from npm, run by node from tests/oidc/provider.mjs on a free port (no
//! mock). Its development login form is driven over HTTP like a browser would: follow the
//! redirects, keep each server's cookies, post the login and consent forms.
//!
//! `.ci/run` installs the package into target/oidc-provider/; `ARSHJUL_OIDC_PROVIDER_MODULES`
//! may point at another `node_modules` holding it.

use crate::support::{PLAN, TempDir, sqlite_url};
use crate::web_support::{Client, PEOPLE, Resp, Web};
use arshjul::config::OidcConfig;
use arshjul::web::oidc::Oidc;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

/// The provider's `node_modules`, or a panic saying how to get it.
fn modules() -> PathBuf {
    let mut looked = Vec::new();
    if let Some(p) = std::env::var_os("ARSHJUL_OIDC_PROVIDER_MODULES") {
        looked.push(PathBuf::from(p));
    }
    looked.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/oidc-provider/node_modules"));
    for p in &looked {
        if p.join("oidc-provider/package.json").is_file() {
            return p.clone();
        }
    }
    let looked: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
    panic!(
        "the npm package oidc-provider was not found (looked in {}). Run `.ci/run deps` to install it, \
         or point ARSHJUL_OIDC_PROVIDER_MODULES at a node_modules directory that holds it.",
        looked.join(", ")
    )
}

/// The running provider; killed when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    fn start(redirect_uri: &str) -> Provider {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .env("OIDC_PROVIDER_MODULES", modules())
            .env("OIDC_REDIRECT_URI", redirect_uri)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node (Node.js 20 or later is needed for the OIDC tests): {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let issuer = line.trim().strip_prefix("issuer ").unwrap_or_else(|| panic!("provider.mjs said {line:?}")).to_owned();
        Provider { child, issuer }
    }

    fn addr(&self) -> SocketAddr {
        self.issuer.trim_start_matches("http://").parse().unwrap()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// arshjul (SQLite) with OIDC against a fresh provider, the clock at the real time (the
/// provider's tokens carry it). `issuer` overrides what arshjul is told the issuer is.
async fn rig(t: &TempDir, issuer: Option<&dyn Fn(&str) -> String>) -> (Web, Provider) {
    rig_as(t, issuer, "arshjul", Some("hemligt")).await
}

async fn rig_as(t: &TempDir, issuer: Option<&dyn Fn(&str) -> String>, client_id: &str, secret: Option<&str>) -> (Web, Provider) {
    let mut provider = None;
    let w = Web::start_configured(&sqlite_url(t), None, PLAN, None, PEOPLE, |state| {
        let p = Provider::start(&format!("{}/login/oidc/callback", state.base_url));
        let issuer = issuer.map_or(p.issuer.clone(), |f| f(&p.issuer));
        let config = OidcConfig { issuer, client_id: client_id.into(), client_secret: secret.map(str::to_owned) };
        state.oidc = Some(Arc::new(Oidc::new(config)));
        provider = Some(p);
    })
    .await;
    w.clock.set(chrono::Utc::now());
    (w, provider.unwrap())
}

/// The path and query of `location` on the server at `origin` (absolute or relative).
fn on(origin: &str, location: &str) -> Option<String> {
    if location.starts_with('/') {
        return Some(location.to_owned());
    }
    location.strip_prefix(origin).map(|rest| if rest.is_empty() { "/".into() } else { rest.to_owned() })
}

fn form_action(r: &Resp) -> String {
    let at = r.body.find("action=\"").unwrap_or_else(|| panic!("no form in {}", r.body));
    let rest = &r.body[at + 8..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

/// Starts the sign-in in arshjul (`c`) and goes through the provider's pages as `login`;
/// the callback path the provider redirects back with (not yet opened).
async fn through_provider(w: &Web, p: &Provider, c: &mut Client, login: &str) -> String {
    let page = c.get("/login").await;
    assert!(page.body.contains("Logga in med organisationens konto") && page.body.contains("href=\"/login/oidc\""), "{}", page.body);
    let start = c.get("/login/oidc").await;
    assert_eq!(start.status, 303, "{}", start.body);
    let mut next = start.header("location").unwrap().to_owned();
    assert!(next.starts_with(&format!("{}/auth?", p.issuer)), "{next}");
    for part in ["response_type=code", "scope=openid%20email%20profile", "code_challenge_method=S256", "client_id=arshjul", "nonce="] {
        assert!(next.contains(part), "{part} in {next}");
    }
    for part in ["state=", "code_challenge=", "nonce="] {
        let value = next.split(part).nth(1).unwrap().split('&').next().unwrap();
        assert_eq!(value.len(), 43, "{part} is 256 bits in base64url");
    }
    assert!(c.cookies.contains_key("arshjul_oidc"));
    let mut pc = Client::new(p.addr());
    for _ in 0..12 {
        if let Some(back) = on(&w.state.base_url, &next).filter(|_| !next.starts_with('/')) {
            return back;
        }
        let path = on(&p.issuer, &next).unwrap_or_else(|| panic!("a redirect elsewhere: {next}"));
        let r = pc.get(&path).await;
        let r = if r.status == 200 && r.body.contains("name=\"login\"") {
            pc.post(&form_action(&r), &[("prompt", "login"), ("login", login), ("password", "vad-som-helst")]).await
        } else if r.status == 200 && r.body.contains("value=\"consent\"") {
            pc.post(&form_action(&r), &[("prompt", "consent")]).await
        } else {
            r
        };
        assert!(matches!(r.status, 302 | 303), "the provider answered {} {}", r.status, r.body);
        next = r.header("location").unwrap().to_owned();
    }
    panic!("no redirect back to arshjul")
}

fn refused(r: &Resp, status: u16, text: &str, c: &Client) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(r.body.contains(text), "{text:?} in {}", r.body);
    assert!(r.body.contains("href=\"/login\""), "a way on");
    assert!(!c.cookies.contains_key("arshjul_session"), "no session");
    assert!(!c.cookies.contains_key("arshjul_oidc"), "the flow's cookie is cleared");
}

#[tokio::test]
async fn the_organisation_account_signs_in_the_directory_person_once() {
    let t = TempDir::new();
    let (w, p) = rig(&t, None).await;
    let mut c = w.client();
    // The provider's account differs in case from the directory's address.
    let back = through_provider(&w, &p, &mut c, "Rita@Testkommun.se").await;
    assert!(back.starts_with("/login/oidc/callback?code="), "{back}");
    let flow_cookie = c.cookies["arshjul_oidc"].clone();
    let r = c.get(&back).await;
    assert_eq!((r.status, r.header("location")), (303, Some("/")), "{}", r.body);
    assert!(c.cookies.contains_key("arshjul_session") && !c.cookies.contains_key("arshjul_oidc"));
    let home = c.get("/").await;
    assert!(home.body.contains("Mina enheter") && home.body.contains("Rita Rektor") && home.body.contains("norrskolan"), "{}", home.body);
    // A signed-in person starting again is just sent home.
    assert_eq!(c.get("/login/oidc").await.header("location"), Some("/"));

    // The same callback again: this browser's flow is over…
    let mut again = w.client();
    refused(&again.get(&back).await, 400, "Inloggningen gick inte att slutföra", &again);
    // …and with the flow's cookie copied too, the provider refuses the used code.
    again.cookies.insert("arshjul_oidc".into(), flow_cookie);
    refused(&again.get(&back).await, 403, "Inloggningen kunde inte bekräftas", &again);
    // The first session is unharmed.
    assert!(c.get("/").await.body.contains("Rita Rektor"));
}

#[tokio::test]
async fn a_public_client_signs_in_with_pkce_alone() {
    let t = TempDir::new();
    let (w, p) = rig_as(&t, None, "arshjul-public", None).await;
    let mut c = w.client();
    let back = through_provider(&w, &p, &mut c, "cecilia@testkommun.se").await;
    let r = c.get(&back).await;
    assert_eq!((r.status, r.header("location")), (303, Some("/")), "{}", r.body);
    assert!(c.get("/").await.body.contains("Cecilia Chef"));
}

#[tokio::test]
async fn an_address_outside_the_directory_gets_no_session() {
    let t = TempDir::new();
    let (w, p) = rig(&t, None).await;
    let mut c = w.client();
    let back = through_provider(&w, &p, &mut c, "nobody@testkommun.se").await;
    let r = c.get(&back).await;
    refused(&r, 403, "finns inte i personkatalogen", &c);
    assert!(r.body.contains("<strong>nobody@testkommun.se</strong>"), "{}", r.body);
    assert!(c.get("/").await.body.contains("Skicka inloggningslänk"), "still the sign-in page");
    // An address the provider has not verified is not used, even if it were listed.
    let mut u = w.client();
    let back = through_provider(&w, &p, &mut u, "unverified-rita@testkommun.se").await;
    refused(&u.get(&back).await, 403, "ingen bekräftad e-postadress", &u);
}

#[tokio::test]
async fn a_tampered_or_late_or_cancelled_callback_is_refused() {
    let t = TempDir::new();
    let (w, p) = rig(&t, None).await;
    // Another state than the one this browser's cookie was made for.
    let mut c = w.client();
    let back = through_provider(&w, &p, &mut c, "rita@testkommun.se").await;
    let state = back.split("state=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let mut other = state.clone().into_bytes();
    other[0] = if other[0] == b'A' { b'B' } else { b'A' };
    let tampered = back.replace(&state, std::str::from_utf8(&other).unwrap());
    refused(&c.get(&tampered).await, 400, "Inloggningen gick inte att slutföra", &c);
    // The callback in a browser that did not start the flow (login CSRF).
    let mut stranger = w.client();
    refused(&stranger.get(&back).await, 400, "Inloggningen gick inte att slutföra", &stranger);
    // More than ten minutes at the provider (the injected clock).
    let mut slow = w.client();
    let back = through_provider(&w, &p, &mut slow, "rita@testkommun.se").await;
    w.clock.advance(chrono::Duration::minutes(11));
    refused(&slow.get(&back).await, 400, "tog längre tid än 10 minuter", &slow);
    w.clock.set(chrono::Utc::now());
    // Cancelled at the provider: its abort link sends error=access_denied back.
    let mut quitter = w.client();
    let start = quitter.get("/login/oidc").await;
    let mut pc = Client::new(p.addr());
    let mut next = on(&p.issuer, start.header("location").unwrap()).unwrap();
    let login_page = loop {
        let r = pc.get(&next).await;
        if r.status == 200 {
            break r;
        }
        next = on(&p.issuer, r.header("location").unwrap()).unwrap();
    };
    let at = login_page.body.find("\">[ Cancel ]").unwrap_or_else(|| panic!("{}", login_page.body));
    let abort = login_page.body[..at].rsplit("href=\"").next().unwrap().to_owned();
    let mut next = abort;
    let back = loop {
        let r = pc.get(&next).await;
        let location = r.header("location").unwrap_or_else(|| panic!("{} {}", r.status, r.body)).to_owned();
        match on(&p.issuer, &location) {
            Some(path) => next = path,
            None => break on(&w.state.base_url, &location).unwrap(),
        }
    };
    assert!(back.contains("error=access_denied"), "{back}");
    refused(&quitter.get(&back).await, 403, "Inloggningen avbröts", &quitter);
    assert_eq!(w.store.outbox().await.unwrap().len(), 0, "nothing queued");
}

#[tokio::test]
async fn an_issuer_that_is_not_the_configured_one_is_not_used() {
    let t = TempDir::new();
    // The same provider reached as `localhost`: its discovery document names 127.0.0.1.
    let (w, _p) = rig(&t, Some(&|iss: &str| iss.replace("127.0.0.1", "localhost"))).await;
    let mut c = w.client();
    let r = c.get("/login/oidc").await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("svarar inte just nu") && !c.cookies.contains_key("arshjul_oidc"), "{}", r.body);
}

#[tokio::test]
async fn without_a_provider_there_is_no_button_and_no_route() {
    let t = TempDir::new();
    let w = Web::start(&sqlite_url(&t), PLAN).await;
    let mut c = w.client();
    assert!(!c.get("/login").await.body.contains("/login/oidc"));
    assert_eq!(c.get("/login/oidc").await.status, 404);
    assert_eq!(c.get("/login/oidc/callback?code=x&state=y").await.status, 404);
}
