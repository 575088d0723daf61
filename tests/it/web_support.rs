//! The web tests' rig: the real router served on 127.0.0.1:0 in this process over a real
//! store (both engines), synced from a throw-away workflows directory and people file, with
//! a `ManualClock`; and a plain HTTP/1.1 client over a TCP socket that keeps cookies.

use crate::smtp_server::SmtpServer;
use crate::support::{TempDir, workflow};
use arshjul::clock::{Clock, ManualClock};
use arshjul::definition::Lang;
use arshjul::engine::{Engine, Settings, source};
use arshjul::mail::{Mailer, SmtpConfig, SmtpSender};
use arshjul::store::Store;
use arshjul::web::{AppState, serve};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
testkommun,rektor,soderskolan,Sune Rektor,sune@testkommun.se
";

/// A Stockholm wall-clock instant.
pub fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Stockholm.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
}

/// Friday 19 March 2021, 07:30: a week before Dialogmöte vt (week 12) is due.
pub fn reminder_day() -> DateTime<Utc> {
    local(2021, 3, 19, 7, 30)
}

pub struct Web {
    /// The workflows directory (kept for the test's life).
    _dir: TempDir,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Web {
    /// The test organisation (`support::ORG`, `WHEEL`, `plan`) and [`PEOPLE`] on `url`.
    pub async fn start(url: &str, plan: &str) -> Web {
        Web::start_with(url, plan, None, PEOPLE).await
    }

    /// As [`Web::start`] with another wheel file and people file.
    pub async fn start_with(url: &str, plan: &str, wheel: Option<&str>, people: &str) -> Web {
        Web::start_org(url, None, plan, wheel, people).await
    }

    /// As [`Web::start_with`] with another organisation file too.
    pub async fn start_org(url: &str, org: Option<&str>, plan: &str, wheel: Option<&str>, people: &str) -> Web {
        Web::start_configured(url, org, plan, wheel, people, |_| ()).await
    }

    /// As [`Web::start_org`], with `configure` run on the state (whose `base_url` is
    /// already the server's) before the server starts.
    pub async fn start_configured(
        url: &str,
        org: Option<&str>,
        plan: &str,
        wheel: Option<&str>,
        people: &str,
        configure: impl FnOnce(&mut AppState),
    ) -> Web {
        let dir = workflow(plan);
        if let Some(o) = org {
            dir.write("testkommun/organisation.yaml", o);
        }
        if let Some(w) = wheel {
            dir.write("testkommun/arshjul.yaml", w);
        }
        dir.write("people.csv", people);
        let store = Store::open(url).await.unwrap();
        let now = reminder_day();
        let loaded =
            source::load(dir.path(), &dir.path().join("people.csv"), Lang::Sv).unwrap_or_else(|e| panic!("{:?}", e.lines(Lang::Sv)));
        let window = source::window(&loaded.model, now.with_timezone(&Stockholm).date_naive(), None);
        source::store(&store, &loaded, window, now - chrono::Duration::days(60)).await.unwrap();
        let clock = Arc::new(ManualClock::new(now));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let model = Arc::new(RwLock::new(Arc::new(loaded.model)));
        let mut state = AppState::new(store.clone(), model, &format!("http://{addr}"), clock.clone(), Lang::Sv).await.unwrap();
        configure(&mut state);
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Web { _dir: dir, store, clock, state, addr, _stop: tx }
    }

    /// The workflows directory (with `people.csv`).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn client(&self) -> Client {
        Client { addr: self.addr, cookies: BTreeMap::new() }
    }

    /// The engine over this store, as the daemon builds it.
    pub fn engine(&self) -> Engine {
        let settings = Settings { domain: "testkommun.se".into(), owner: "test".into(), ..Settings::default() };
        Engine { store: self.store.clone(), model: self.state.model(), settings }
    }

    /// The daemon's sender with the report links, to `server`.
    pub fn sender(&self, server: &SmtpServer) -> SmtpSender {
        let mailer = Mailer::new(&SmtpConfig::parse(&server.url()).unwrap()).unwrap();
        SmtpSender {
            mailer,
            from: "arshjul <arshjul@testkommun.se>".parse().unwrap(),
            domain: "testkommun.se".into(),
            lang: Lang::Sv,
            links: Some(self.state.links()),
        }
    }

    /// One engine tick now: queue what is due and send it through `server`.
    pub async fn tick(&self, server: &SmtpServer) {
        self.engine().tick(self.clock.now(), &self.sender(server)).await.unwrap();
    }

    /// A client signed in as `email` (a session as the sign-in link starts it).
    pub async fn signed_in(&self, email: &str) -> Client {
        let cookie = arshjul::web::session::start(&self.state, email).await.unwrap();
        let pair = cookie.to_str().unwrap().split(';').next().unwrap().to_owned();
        let (k, v) = pair.split_once('=').unwrap();
        let mut c = self.client();
        c.cookies.insert(k.into(), v.into());
        c
    }

    /// Every event of checkpoint `id` as (actor, kind).
    pub async fn history(&self, id: &str) -> Vec<(String, String)> {
        self.store
            .history(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.actor, serde_json::to_value(&e.kind).unwrap()["type"].as_str().unwrap_or("").to_owned()))
            .collect()
    }
}

/// A mail's body as text: quoted-printable soft breaks and `=3D` undone.
pub fn mail_text(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=3D", "=")
}

/// Every `{base}/{prefix}/<token>` in `text`, in order (the text part's and the HTML part's).
pub fn links(text: &str, base: &str, prefix: &str) -> Vec<String> {
    let start = format!("{base}/{prefix}/");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&start) {
        let tail = &rest[i + start.len()..];
        let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(tail.len());
        out.push(format!("/{prefix}/{}", &tail[..end]));
        rest = &tail[end..];
    }
    out
}

/// An HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The value of the hidden `csrf` field of the page's first form.
    pub fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no csrf field in {}", self.body));
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

/// A client that keeps cookies, one connection per request.
#[derive(Clone)]
pub struct Client {
    addr: SocketAddr,
    pub cookies: BTreeMap<String, String>,
}

pub fn form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { char::from(b).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

impl Client {
    /// A client of another server (e.g. the test OpenID provider).
    pub fn new(addr: SocketAddr) -> Client {
        Client { addr, cookies: BTreeMap::new() }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send("GET", path, None).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        self.send("POST", path, Some(form(fields))).await
    }

    pub async fn send(&mut self, method: &str, path: &str, body: Option<String>) -> Resp {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        if !self.cookies.is_empty() {
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req.push_str(&format!("Cookie: {}\r\n", c.join("; ")));
        }
        let body = body.unwrap_or_default();
        if method == "POST" {
            req.push_str(&format!("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut s = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        // The server may answer (413) and close before taking the whole body.
        let _ = s.write_all(body.as_bytes()).await;
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw).await;
        let resp = parse(&raw);
        for (k, v) in &resp.headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap_or("");
                let (name, value) = pair.split_once('=').unwrap();
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        resp
    }
}

fn parse(raw: &[u8]) -> Resp {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a whole response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 2 + n + 2..];
        }
        body = out;
    }
    Resp { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}
