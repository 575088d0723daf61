//! Configuration: `config/arshjul.toml` (or the file named by `ARSHJUL_CONFIG`), every key
//! overridable by an environment variable. A missing default file is fine (defaults apply);
//! a malformed one is an error that names the file, line and key.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings arshjul runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `ARSHJUL_WORKFLOWS`.
    pub workflows: PathBuf,
    /// `ARSHJUL_LANG`.
    pub lang: String,
    /// The people directory read by `sync` and the daemon when it exists (`ARSHJUL_PEOPLE`).
    pub people: PathBuf,
    /// `ARSHJUL_SMTP_URL`: `smtp://[user:pass@]host:port[?tls=none|starttls|tls]`; `None`
    /// until set (the daemon refuses to start without it).
    pub smtp_url: Option<String>,
    /// `ARSHJUL_MAIL_FROM`: the sender, `Namn <adress>`.
    pub mail_from: String,
    /// `ARSHJUL_SEND_TIME`: local time reminders go out on working days, `HH:MM`.
    pub send_time: String,
    /// `ARSHJUL_INSTANCE`: this daemon's name in leases; empty = `{hostname}-{pid}`.
    pub instance: String,
    /// `ARSHJUL_LEASE_SECS`: how long a send may hold its row before another daemon takes it.
    pub lease_secs: i64,
    /// `ARSHJUL_CONCURRENCY`: emails sent at once (kept-open SMTP connections).
    pub concurrency: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://arshjul.db".into(),
            workflows: PathBuf::from("workflows"),
            lang: "sv".into(),
            people: PathBuf::from("config/people.csv"),
            smtp_url: None,
            mail_from: "arshjul <arshjul@localhost>".into(),
            send_time: "07:30".into(),
            instance: String::new(),
            lease_secs: 120,
            concurrency: 8,
        }
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
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Smtp {
    url: Option<String>,
    from: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Reminders {
    send_time: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Daemon {
    instance: Option<String>,
    lease_secs: Option<i64>,
    concurrency: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct People {
    file: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Database {
    url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Definitions {
    dir: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Ui {
    lang: Option<String>,
}

/// The default location of the configuration file.
pub const DEFAULT_PATH: &str = "config/arshjul.toml";

impl Config {
    /// Reads the file (if any) and applies environment overrides via `env`.
    pub fn load(env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let explicit = env("ARSHJUL_CONFIG").filter(|s| !s.trim().is_empty());
        let path = PathBuf::from(explicit.clone().unwrap_or_else(|| DEFAULT_PATH.into()));
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => parse(&path, &text)?,
            Err(e) if explicit.is_none() && e.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(e) => return Err(format!("{}: kan inte läsa konfigurationen: {e}. Kontrollera ARSHJUL_CONFIG.", path.display())),
        };
        let d = Config::default();
        let set = |name: &str| env(name).filter(|s| !s.trim().is_empty());
        Ok(Config {
            database_url: set("DATABASE_URL").or(file.database.url).unwrap_or(d.database_url),
            workflows: set("ARSHJUL_WORKFLOWS").map(PathBuf::from).or(file.definitions.dir).unwrap_or(d.workflows),
            lang: set("ARSHJUL_LANG").or(file.ui.lang).unwrap_or(d.lang),
            people: set("ARSHJUL_PEOPLE").map(PathBuf::from).or(file.people.file).unwrap_or(d.people),
            smtp_url: set("ARSHJUL_SMTP_URL").or(file.smtp.url),
            mail_from: set("ARSHJUL_MAIL_FROM").or(file.smtp.from).unwrap_or(d.mail_from),
            send_time: set("ARSHJUL_SEND_TIME").or(file.reminders.send_time).unwrap_or(d.send_time),
            instance: set("ARSHJUL_INSTANCE").or(file.daemon.instance).unwrap_or(d.instance),
            lease_secs: number("ARSHJUL_LEASE_SECS", set("ARSHJUL_LEASE_SECS"), 1..=86_400)?
                .or(file.daemon.lease_secs)
                .unwrap_or(d.lease_secs),
            concurrency: number("ARSHJUL_CONCURRENCY", set("ARSHJUL_CONCURRENCY"), 1..=64)?
                .or(file.daemon.concurrency)
                .unwrap_or(d.concurrency),
        })
    }

    /// `send_time` as a time of day.
    pub fn send_time(&self) -> Result<chrono::NaiveTime, String> {
        chrono::NaiveTime::parse_from_str(self.send_time.trim(), "%H:%M").map_err(|_| {
            format!(
                "utskickstiden `{}` är ingen klockslag: skriv t.ex. `07:30` (reminders.send_time eller ARSHJUL_SEND_TIME).",
                self.send_time
            )
        })
    }

    /// From the process environment.
    pub fn from_env() -> Result<Config, String> {
        Config::load(|k| std::env::var(k).ok())
    }
}

/// An environment variable that must be a whole number in `range`.
fn number<T>(name: &str, value: Option<String>, range: std::ops::RangeInclusive<T>) -> Result<Option<T>, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let Some(v) = value else { return Ok(None) };
    match v.trim().parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(format!("{name}=`{v}` ska vara ett heltal mellan {} och {}.", range.start(), range.end())),
    }
}

fn parse(path: &Path, text: &str) -> Result<File, String> {
    toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| {
            let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
            let col = text[..s.start.min(text.len())].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{line}:{col}")
        });
        format!("{}:{}: fel i konfigurationen: {}", path.display(), at.unwrap_or_else(|| "1:1".into()), e.message())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses_and_env_wins() {
        let shipped = include_str!("../config/arshjul.toml");
        let f = parse(Path::new("config/arshjul.toml"), shipped).unwrap();
        assert_eq!(f.database.url.as_deref(), Some("sqlite://arshjul.db"));
        let c = Config::load(|k| match k {
            "ARSHJUL_CONFIG" => Some(format!("{}/config/arshjul.toml", env!("CARGO_MANIFEST_DIR"))),
            "DATABASE_URL" => Some("postgres://db/arshjul".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.database_url, "postgres://db/arshjul");
        assert_eq!(c.workflows, PathBuf::from("workflows"));
    }

    #[test]
    fn a_bad_key_is_located() {
        let e = parse(Path::new("a.toml"), "[database]\nurll = \"x\"\n").err().unwrap();
        assert!(e.starts_with("a.toml:2:1: fel i konfigurationen"), "{e}");
        assert!(e.contains("url"), "lists the valid key: {e}");
        let e = Config::load(|k| (k == "ARSHJUL_CONFIG").then(|| "/nonexistent/x.toml".into())).err().unwrap();
        assert!(e.contains("kan inte läsa konfigurationen"));
    }
}
