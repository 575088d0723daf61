//! Configuration: `config/arshjul.toml` (or the file named by `ARSHJUL_CONFIG`), every key
//! overridable by an environment variable. A missing default file is fine (defaults apply).
//!
//! Everything is parsed once, here, into typed values (a time of day, a parsed SMTP URL, a
//! mailbox, numbers in range, a language); callers never re-validate. A bad value is an
//! error that says where it came from (the variable, or `file:line:col` and the key), what
//! it was and what is accepted.

use crate::definition::Lang;
use crate::mail::SmtpConfig;
use crate::mail::header;
use crate::msg::Msg;
use chrono::NaiveTime;
use lettre::message::Mailbox;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The settings arshjul runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `ARSHJUL_WORKFLOWS`.
    pub workflows: PathBuf,
    /// `ARSHJUL_LANG`: `sv` or `en`.
    pub lang: Lang,
    /// The people directory read by `sync`, `simulate` and the daemon when it exists
    /// (`ARSHJUL_PEOPLE`).
    pub people: PathBuf,
    /// `ARSHJUL_SMTP_URL`; `None` until set (the daemon refuses to start without it).
    pub smtp: Option<SmtpConfig>,
    /// `ARSHJUL_MAIL_FROM`: the sender; its domain is the Message-IDs' right-hand side.
    pub mail_from: Mailbox,
    /// `ARSHJUL_SEND_TIME`: local time reminders go out on working days.
    pub send_time: NaiveTime,
    /// `ARSHJUL_INSTANCE`: this daemon's name in leases; empty = `{hostname}-{pid}`.
    pub instance: String,
    /// `ARSHJUL_LEASE_SECS`: how long a send may hold its row before another daemon takes it.
    pub lease_secs: i64,
    /// `ARSHJUL_CONCURRENCY`: emails sent at once (kept-open SMTP connections).
    pub concurrency: usize,
    /// `ARSHJUL_WEB_LISTEN`: where the web server listens (`serve`, `run`).
    pub web_listen: std::net::SocketAddr,
    /// `ARSHJUL_BASE_URL`: the public URL of the web pages, for links in emails; no
    /// trailing slash.
    pub base_url: String,
    /// `ARSHJUL_OIDC_ISSUER`, `ARSHJUL_OIDC_CLIENT_ID`, `ARSHJUL_OIDC_CLIENT_SECRET`: sign-in
    /// with the organisation's OpenID provider (Entra ID); `None` when no issuer is set.
    pub oidc: Option<OidcConfig>,
}

/// The OpenID provider the pages offer sign-in with.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// The issuer exactly as its tokens say (`iss`), without a trailing slash, e.g.
    /// `https://login.microsoftonline.com/<tenant>/v2.0`; https, or http on loopback only.
    pub issuer: String,
    pub client_id: String,
    /// `None` for a public client (PKCE only).
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://arshjul.db".into(),
            workflows: PathBuf::from("workflows"),
            lang: Lang::Sv,
            people: PathBuf::from("config/people.csv"),
            smtp: None,
            mail_from: Mailbox::new(Some("arshjul".into()), lettre::Address::new_dangerous("arshjul", "localhost")),
            send_time: NaiveTime::from_hms_opt(7, 30, 0).unwrap_or_default(),
            instance: String::new(),
            lease_secs: 120,
            concurrency: 8,
            web_listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_url: "http://127.0.0.1:8080".into(),
            oidc: None,
        }
    }
}

impl Config {
    /// The domain of Message-IDs: the sender's.
    pub fn mail_domain(&self) -> &str {
        self.mail_from.email.domain()
    }

    /// Reads the file (if any) and applies environment overrides via `env`.
    pub fn load(env: impl Fn(&str) -> Option<String>) -> Result<Config, Msg> {
        let explicit = env("ARSHJUL_CONFIG").filter(|s| !s.trim().is_empty());
        let path = PathBuf::from(explicit.clone().unwrap_or_else(|| DEFAULT_PATH.into()));
        let (file, text) = match std::fs::read_to_string(&path) {
            Ok(text) => (parse(&path, &text)?, text),
            Err(e) if explicit.is_none() && e.kind() == std::io::ErrorKind::NotFound => (File::default(), String::new()),
            Err(e) => {
                return Err(Msg::new(
                    format!("{}: kan inte läsa konfigurationen: {e}. Kontrollera ARSHJUL_CONFIG.", path.display()),
                    format!("{}: cannot read the configuration: {e}. Check ARSHJUL_CONFIG.", path.display()),
                ));
            }
        };
        let r = Reader { env: &env, path: &path, text: &text };
        let d = Config::default();
        Ok(Config {
            database_url: r.get("DATABASE_URL", "database.url", file.database.url, |s| Ok(s.to_owned()))?.unwrap_or(d.database_url),
            workflows: r
                .get("ARSHJUL_WORKFLOWS", "definitions.dir", file.definitions.dir, |s| Ok(PathBuf::from(s)))?
                .unwrap_or(d.workflows),
            lang: r.get("ARSHJUL_LANG", "ui.lang", file.ui.lang, lang)?.unwrap_or(d.lang),
            people: r.get("ARSHJUL_PEOPLE", "people.file", file.people.file, |s| Ok(PathBuf::from(s)))?.unwrap_or(d.people),
            smtp: r.get("ARSHJUL_SMTP_URL", "smtp.url", file.smtp.url, SmtpConfig::parse)?,
            mail_from: r.get("ARSHJUL_MAIL_FROM", "smtp.from", file.smtp.from, mailbox)?.unwrap_or(d.mail_from),
            send_time: r.get("ARSHJUL_SEND_TIME", "reminders.send_time", file.reminders.send_time, send_time)?.unwrap_or(d.send_time),
            instance: r
                .get("ARSHJUL_INSTANCE", "daemon.instance", file.daemon.instance, |s| Ok(s.trim().to_owned()))?
                .unwrap_or(d.instance),
            lease_secs: r
                .get("ARSHJUL_LEASE_SECS", "daemon.lease_secs", file.daemon.lease_secs, |s| number(s, 1..=86_400))?
                .unwrap_or(d.lease_secs),
            concurrency: r
                .get("ARSHJUL_CONCURRENCY", "daemon.concurrency", file.daemon.concurrency, |s| number(s, 1..=64))?
                .unwrap_or(d.concurrency),
            web_listen: r.get("ARSHJUL_WEB_LISTEN", "web.listen", file.web.listen, listen)?.unwrap_or(d.web_listen),
            base_url: r.get("ARSHJUL_BASE_URL", "web.base_url", file.web.base_url, base_url)?.unwrap_or(d.base_url),
            oidc: oidc(&r, file.oidc)?,
        })
    }

    /// From the process environment.
    pub fn from_env() -> Result<Config, Msg> {
        Config::load(|k| std::env::var(k).ok())
    }
}

/// Where values come from: the environment first, then the file.
struct Reader<'a, E> {
    env: &'a E,
    path: &'a Path,
    text: &'a str,
}

impl<E: Fn(&str) -> Option<String>> Reader<'_, E> {
    /// The value of `var` (if set and not blank), else of `key` in the file, parsed by `parse`
    /// (whose message quotes the value, except a URL's password); a parse error is located
    /// at the variable or at the key's `file:line:col`.
    fn get<T, F: ToString>(
        &self,
        var: &str,
        key: &str,
        in_file: Option<Spanned<F>>,
        parse: impl Fn(&str) -> Result<T, Msg>,
    ) -> Result<Option<T>, Msg> {
        let (value, at) = match (self.env)(var).filter(|s| !s.trim().is_empty()) {
            Some(v) => (v, format!("{var}: ")),
            None => match in_file {
                Some(s) => {
                    let (line, col) = line_col(self.text, s.span().start);
                    (s.into_inner().to_string(), format!("{}:{line}:{col}: {key}: ", self.path.display()))
                }
                None => return Ok(None),
            },
        };
        parse(value.trim()).map(Some).map_err(|why| why.prefixed(&at))
    }
}

/// The `[oidc]` keys: none set is no OIDC; an issuer needs a client id and vice versa.
fn oidc<E: Fn(&str) -> Option<String>>(r: &Reader<'_, E>, f: Oidc) -> Result<Option<OidcConfig>, Msg> {
    let issuer = r.get("ARSHJUL_OIDC_ISSUER", "oidc.issuer", f.issuer, issuer)?;
    let client_id = r.get("ARSHJUL_OIDC_CLIENT_ID", "oidc.client_id", f.client_id, |s| Ok(s.to_owned()))?;
    let client_secret = r.get("ARSHJUL_OIDC_CLIENT_SECRET", "oidc.client_secret", f.client_secret, |s| Ok(s.to_owned()))?;
    match (issuer, client_id) {
        (Some(issuer), Some(client_id)) => Ok(Some(OidcConfig { issuer, client_id, client_secret })),
        (None, None) if client_secret.is_none() => Ok(None),
        (None, _) => Err(Msg::new(
            "ARSHJUL_OIDC_ISSUER (`oidc.issuer`) saknas: inloggning med organisationens konto behöver utfärdarens adress, t.ex. `https://login.microsoftonline.com/<tenant>/v2.0`.",
            "ARSHJUL_OIDC_ISSUER (`oidc.issuer`) is missing: sign-in with the organisation account needs the issuer, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`.",
        )),
        (Some(_), None) => Err(Msg::new(
            "ARSHJUL_OIDC_CLIENT_ID (`oidc.client_id`) saknas: ange appregistreringens klient-id (Application (client) ID i Entra ID).",
            "ARSHJUL_OIDC_CLIENT_ID (`oidc.client_id`) is missing: give the app registration's client id (Application (client) ID in Entra ID).",
        )),
    }
}

/// An OpenID issuer: https (http only on loopback, for tests), no query or fragment; kept
/// without a trailing slash.
fn issuer(s: &str) -> Result<String, Msg> {
    let url = base_url(s).ok();
    let loopback = |u: &str| {
        let host = u.trim_start_matches("http://").split('/').next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        matches!(host, "127.0.0.1" | "localhost" | "[::1]")
    };
    match url {
        Some(u) if u.starts_with("https://") || loopback(&u) => Ok(u),
        _ => Err(Msg::new(
            format!(
                "`{}` är ingen utfärdare; skriv en https-adress, för Entra ID `https://login.microsoftonline.com/<tenant>/v2.0`.",
                header::shown(s)
            ),
            format!(
                "`{}` is not an issuer; write an https URL, for Entra ID `https://login.microsoftonline.com/<tenant>/v2.0`.",
                header::shown(s)
            ),
        )),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn lang(s: &str) -> Result<Lang, Msg> {
    match s.to_ascii_lowercase().get(..2) {
        Some("sv") => Ok(Lang::Sv),
        Some("en") => Ok(Lang::En),
        _ => Err(Msg::new(
            format!("okänt språk `{}`; välj `sv` (svenska) eller `en` (engelska).", header::shown(s)),
            format!("unknown language `{}`; choose `sv` (Swedish) or `en` (English).", header::shown(s)),
        )),
    }
}

fn send_time(s: &str) -> Result<NaiveTime, Msg> {
    NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| {
        Msg::new(
            format!("utskickstiden `{}` är inget klockslag; skriv timmar och minuter, t.ex. `07:30`.", header::shown(s)),
            format!("the send time `{}` is not a time of day; write hours and minutes, e.g. `07:30`.", header::shown(s)),
        )
    })
}

fn mailbox(s: &str) -> Result<Mailbox, Msg> {
    let v = header::shown(s);
    if s.chars().any(header::is_forbidden) {
        return Err(Msg::new(
            format!(
                "avsändaren `{v}` innehåller styrtecken (t.ex. en radbrytning) som inte får stå i ett e-posthuvud; skriv den på en rad."
            ),
            format!(
                "the sender `{v}` contains control characters (e.g. a line break) that cannot stand in a mail header; write it on one line."
            ),
        ));
    }
    let m: Mailbox = s.parse().map_err(|_| {
        Msg::new(
            format!("avsändaren `{v}` är ingen e-postadress; skriv `Namn <adress>`, t.ex. `Årshjulet <arshjul@kommun.se>`."),
            format!("the sender `{v}` is not an email address; write `Name <address>`, e.g. `Annual wheel <arshjul@example.org>`."),
        )
    })?;
    if let Some(why) = m.name.as_deref().and_then(header::name_problem) {
        return Err(Msg::new(format!("{}.", why.sv), format!("{}.", why.en)));
    }
    Ok(m)
}

fn listen(s: &str) -> Result<std::net::SocketAddr, Msg> {
    s.parse().map_err(|_| {
        Msg::new(
            format!(
                "`{}` är ingen adress att lyssna på; skriv IP-adress och port, t.ex. `127.0.0.1:8080` eller `0.0.0.0:8080`.",
                header::shown(s)
            ),
            format!("`{}` is not an address to listen on; write an IP address and a port, e.g. `127.0.0.1:8080`.", header::shown(s)),
        )
    })
}

/// An absolute http(s) URL without query, fragment or whitespace; kept without a trailing slash.
fn base_url(s: &str) -> Result<String, Msg> {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    let host = rest.map(|r| r.split('/').next().unwrap_or(""));
    let ok = host.is_some_and(|h| !h.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '"' | '<' | '>' | '\\'));
    if ok {
        Ok(s.trim_end_matches('/').to_owned())
    } else {
        Err(Msg::new(
            format!(
                "`{}` är ingen webbadress; skriv den adress användarna når sidorna på, t.ex. `https://arshjul.kommun.se`.",
                header::shown(s)
            ),
            format!(
                "`{}` is not a web address; write the URL users reach the pages at, e.g. `https://arshjul.example.org`.",
                header::shown(s)
            ),
        ))
    }
}

/// A whole number in `range`.
fn number<T>(s: &str, range: std::ops::RangeInclusive<T>) -> Result<T, Msg>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    match s.parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(Msg::new(
            format!("`{}` ska vara ett heltal mellan {} och {}.", header::shown(s), range.start(), range.end()),
            format!("`{}` must be a whole number from {} to {}.", header::shown(s), range.start(), range.end()),
        )),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    database: Database,
    #[serde(default)]
    definitions: Definitions,
    #[serde(default)]
    ui: Ui,
    #[serde(default)]
    people: People,
    #[serde(default)]
    smtp: Smtp,
    #[serde(default)]
    reminders: Reminders,
    #[serde(default)]
    daemon: Daemon,
    #[serde(default)]
    web: Web,
    #[serde(default)]
    oidc: Oidc,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Oidc {
    issuer: Text,
    client_id: Text,
    client_secret: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Web {
    listen: Text,
    base_url: Text,
}

type Text = Option<Spanned<String>>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Smtp {
    url: Text,
    from: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Reminders {
    send_time: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Daemon {
    instance: Text,
    lease_secs: Option<Spanned<i64>>,
    concurrency: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct People {
    file: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Database {
    url: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Definitions {
    dir: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Ui {
    lang: Text,
}

/// The default location of the configuration file.
pub const DEFAULT_PATH: &str = "config/arshjul.toml";

fn parse(path: &Path, text: &str) -> Result<File, Msg> {
    toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        let at = format!("{}:{line}:{col}", path.display());
        Msg::new(format!("{at}: fel i konfigurationen: {}", e.message()), format!("{at}: error in the configuration: {}", e.message()))
    })
}

#[cfg(test)]
mod tests;
