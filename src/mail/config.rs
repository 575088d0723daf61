//! The SMTP server to send through, from one URL (`ARSHJUL_SMTP_URL`):
//! `smtp://[user:pass@]host:port[?tls=none|starttls|tls]`.
//!
//! Errors say (Swedish and English) how to write the URL right. The password is never shown: `Debug`
//! and `Display` print `***` in its place, and error messages never quote the URL whole.

use crate::msg::Msg;
use std::fmt;

/// How the connection is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a relay on localhost, or tests).
    None,
    /// Plain connect, then STARTTLS is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465, "SMTPS").
    Tls,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::None => "none",
            TlsMode::StartTls => "starttls",
            TlsMode::Tls => "tls",
        }
    }

    /// The default for a port: 587 → STARTTLS, 465 → TLS, anything else plain.
    pub fn for_port(port: u16) -> Self {
        match port {
            587 => TlsMode::StartTls,
            465 => TlsMode::Tls,
            _ => TlsMode::None,
        }
    }
}

/// A parsed SMTP URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// User name and password, percent-decoded.
    credentials: Option<(String, String)>,
}

const EXAMPLE: &str = "smtp://användare:lösenord@smtp.kommun.se:587?tls=starttls";
const EXAMPLE_EN: &str = "smtp://user:password@smtp.example.org:587?tls=starttls";

fn err(sv: impl fmt::Display, en: impl fmt::Display) -> Msg {
    Msg::new(
        format!("ogiltig SMTP-URL: {sv}. Skriv den som smtp://[användare:lösenord@]värd:port[?tls=none|starttls|tls], t.ex. {EXAMPLE}."),
        format!("invalid SMTP URL: {en}. Write it as smtp://[user:password@]host:port[?tls=none|starttls|tls], e.g. {EXAMPLE_EN}."),
    )
}

impl SmtpConfig {
    /// Parses `smtp://[user:pass@]host:port[?tls=none|starttls|tls]`. Without `tls=`, the
    /// port decides (587 → STARTTLS, 465 → TLS) and any other port is plain text — unless
    /// the URL has credentials: then STARTTLS is required, so AUTH is only sent unencrypted
    /// when `?tls=none` says so.
    pub fn parse(url: &str) -> Result<SmtpConfig, Msg> {
        let url = url.trim();
        let Some(rest) = strip_scheme(url) else {
            let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or("");
            return Err(if scheme.is_empty() {
                err("den måste börja med smtp://", "it must begin with smtp://")
            } else {
                err(
                    format_args!("schemat `{scheme}://` stöds inte, använd smtp:// (och ?tls=tls för krypterad anslutning)"),
                    format_args!("the scheme `{scheme}://` is not supported, use smtp:// (and ?tls=tls for an encrypted connection)"),
                )
            });
        };
        // The credentials end at the last `@` (a password may hold `?` or `/`), the query
        // begins after it.
        let (userinfo, rest) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (hostport, query) = rest.split_once('?').unwrap_or((rest, ""));
        let hostport = hostport.strip_suffix('/').unwrap_or(hostport);
        if hostport.contains('/') {
            return Err(err(
                "en SMTP-URL har ingen sökväg efter port (ta bort allt mellan porten och ?)",
                "an SMTP URL has no path after the port (remove everything between the port and ?)",
            ));
        }
        let (host, port) = host_port(hostport)?;
        let credentials = userinfo.map(credentials).transpose()?;
        let tls = match (tls_param(query)?, &credentials) {
            (Some(tls), _) => tls,
            // A password is never sent in plain text by default: only an explicit
            // `?tls=none` does that.
            (None, Some(_)) if TlsMode::for_port(port) == TlsMode::None => TlsMode::StartTls,
            (None, _) => TlsMode::for_port(port),
        };
        Ok(SmtpConfig { host, port, tls, credentials })
    }

    /// The user name, if the URL has credentials.
    pub fn user(&self) -> Option<&str> {
        self.credentials.as_ref().map(|(u, _)| u.as_str())
    }

    /// The user name and password, for the transport. Never log the password.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials.as_ref().map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        if self.host.contains(':') { format!("[{}]:{}", self.host, self.port) } else { format!("{}:{}", self.host, self.port) }
    }
}

fn strip_scheme(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    scheme.eq_ignore_ascii_case("smtp").then_some(rest)
}

fn host_port(s: &str) -> Result<(String, u16), Msg> {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| {
            err("en IPv6-adress ska stå inom [ ], t.ex. smtp://[::1]:25", "an IPv6 address goes inside [ ], e.g. smtp://[::1]:25")
        })?;
        (h, after.strip_prefix(':'))
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err(err("värdnamnet saknas", "the host name is missing"));
    }
    if host.chars().any(|c| c.is_whitespace() || c == ':' && !s.starts_with('[')) {
        return Err(err(
            format_args!("värdnamnet `{host}` innehåller otillåtna tecken"),
            format_args!("the host name `{host}` has characters that are not allowed"),
        ));
    }
    let Some(port) = port.filter(|p| !p.is_empty()) else {
        return Err(err(
            format_args!("porten saknas efter `{host}`: skriv t.ex. {host}:587 (587 = STARTTLS, 465 = TLS, 25 = okrypterat)"),
            format_args!("the port is missing after `{host}`: write e.g. {host}:587 (587 = STARTTLS, 465 = TLS, 25 = plain)"),
        ));
    };
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok((host.to_owned(), p)),
        _ => Err(err(
            format_args!("porten `{port}` är inte ett tal mellan 1 och 65535"),
            format_args!("the port `{port}` is not a number from 1 to 65535"),
        )),
    }
}

fn credentials(userinfo: &str) -> Result<(String, String), Msg> {
    let Some((user, pass)) = userinfo.split_once(':') else {
        return Err(err(
            "användarnamn utan lösenord: skriv användare:lösenord@ före värdnamnet (eller inget alls)",
            "a user name without a password: write user:password@ before the host name (or nothing at all)",
        ));
    };
    let user = percent_decode(user).ok_or_else(|| {
        err("användarnamnet har en felaktig %-kod (skriv t.ex. @ som %40)", "the user name has a broken %-escape (write e.g. @ as %40)")
    })?;
    let pass = percent_decode(pass).ok_or_else(|| {
        err(
            "lösenordet har en felaktig %-kod (skriv t.ex. @ som %40, : som %3A)",
            "the password has a broken %-escape (write e.g. @ as %40, : as %3A)",
        )
    })?;
    if user.is_empty() {
        return Err(err("användarnamnet är tomt", "the user name is empty"));
    }
    Ok((user, pass))
}

fn tls_param(query: &str) -> Result<Option<TlsMode>, Msg> {
    let mut tls = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k != "tls" {
            return Err(err(
                format_args!("okänd parameter `{k}`; den enda är tls=none|starttls|tls"),
                format_args!("unknown parameter `{k}`; the only one is tls=none|starttls|tls"),
            ));
        }
        tls = Some(match v.to_ascii_lowercase().as_str() {
            "none" => TlsMode::None,
            "starttls" => TlsMode::StartTls,
            "tls" => TlsMode::Tls,
            _ => {
                return Err(err(
                    format_args!("tls=`{v}` stöds inte; välj tls=none, tls=starttls eller tls=tls"),
                    format_args!("tls=`{v}` is not supported; choose tls=none, tls=starttls or tls=tls"),
                ));
            }
        });
    }
    Ok(tls)
}

/// Decodes `%XX` escapes (UTF-8); `None` for a broken escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl fmt::Display for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = self.user().map(|u| format!("{u}:***@")).unwrap_or_default();
        write!(f, "smtp://{user}{}?tls={}", self.address(), self.tls.as_str())
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user())
            .field("password", &self.credentials.as_ref().map(|_| "***"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_urls_with_tls_defaults_by_port() {
        let c = SmtpConfig::parse("smtp://smtp.kommun.se:587").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.tls, c.user()), ("smtp.kommun.se", 587, TlsMode::StartTls, None));
        assert_eq!(SmtpConfig::parse("smtp://smtp.kommun.se:465").unwrap().tls, TlsMode::Tls);
        assert_eq!(SmtpConfig::parse("smtp://127.0.0.1:2525").unwrap().tls, TlsMode::None);
        assert_eq!(SmtpConfig::parse("smtp://localhost:25/").unwrap().tls, TlsMode::None);
        let c = SmtpConfig::parse(" SMTP://127.0.0.1:587?tls=none ").unwrap();
        assert_eq!((c.port, c.tls), (587, TlsMode::None));
        assert_eq!(SmtpConfig::parse("smtp://mail:2525?tls=STARTTLS").unwrap().tls, TlsMode::StartTls);
        let c = SmtpConfig::parse("smtp://[::1]:25").unwrap();
        assert_eq!((c.host.as_str(), c.address()), ("::1", "[::1]:25".to_owned()));
    }

    #[test]
    fn credentials_are_never_sent_in_plain_text_unless_tls_none_says_so() {
        let tls = |u: &str| SmtpConfig::parse(u).unwrap().tls;
        assert_eq!(tls("smtp://u:p@smtp.kommun.se:25"), TlsMode::StartTls);
        assert_eq!(tls("smtp://u:p@smtp.kommun.se:2525"), TlsMode::StartTls);
        assert_eq!(tls("smtp://u:p@smtp.kommun.se:465"), TlsMode::Tls);
        assert_eq!(tls("smtp://u:p@smtp.kommun.se:587"), TlsMode::StartTls);
        assert_eq!(tls("smtp://u:p@127.0.0.1:25?tls=none"), TlsMode::None);
        assert_eq!(tls("smtp://u:p@smtp.kommun.se:2525?tls=tls"), TlsMode::Tls);
        // Without credentials a relay on another port stays plain.
        assert_eq!(tls("smtp://127.0.0.1:25"), TlsMode::None);
    }

    #[test]
    fn credentials_are_percent_decoded_and_never_shown() {
        let c = SmtpConfig::parse("smtp://arshjul%40kommun.se:p%40ss:w@rd@smtp.kommun.se:587?tls=starttls").unwrap();
        assert_eq!(c.credentials(), Some(("arshjul@kommun.se", "p@ss:w@rd")));
        assert_eq!(c.host, "smtp.kommun.se");
        let shown = format!("{c} {c:?}");
        assert!(!shown.contains("p@ss") && !shown.contains("w@rd"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
        assert_eq!(c.to_string(), "smtp://arshjul@kommun.se:***@smtp.kommun.se:587?tls=starttls");
        let c = SmtpConfig::parse("smtp://u:a?b/c#d@smtp.kommun.se:465").unwrap();
        assert_eq!((c.credentials(), c.tls), (Some(("u", "a?b/c#d")), TlsMode::Tls));
    }

    #[test]
    fn bad_urls_say_how_to_fix_them() {
        let bad = |u: &str| SmtpConfig::parse(u).unwrap_err().sv;
        assert!(bad("smtp.kommun.se:587").contains("måste börja med smtp://"));
        assert!(bad("http://smtp.kommun.se:587").contains("`http://` stöds inte"));
        assert!(bad("smtp://smtp.kommun.se").contains("porten saknas"));
        assert!(bad("smtp://smtp.kommun.se:").contains("porten saknas"));
        assert!(bad("smtp://smtp.kommun.se:smtp").contains("porten `smtp`"));
        assert!(bad("smtp://smtp.kommun.se:0").contains("mellan 1 och 65535"));
        assert!(bad("smtp://smtp.kommun.se:70000").contains("mellan 1 och 65535"));
        assert!(bad("smtp://:587").contains("värdnamnet saknas"));
        assert!(bad("smtp://smtp.kommun.se:587?tls=ssl").contains("tls=none, tls=starttls eller tls=tls"));
        assert!(bad("smtp://smtp.kommun.se:587?timeout=5").contains("okänd parameter `timeout`"));
        assert!(bad("smtp://smtp.kommun.se:587/mail").contains("ingen sökväg"));
        assert!(bad("smtp://anna@smtp.kommun.se:587").contains("användarnamn utan lösenord"));
        assert!(bad("smtp://anna:%zz@smtp.kommun.se:587").contains("%-kod"));
        assert!(bad("smtp://[::1:25").contains("IPv6"));
        for e in [bad("smtp.kommun.se"), bad("smtp://a:hemligt@h"), bad("smtp://a:hemligt@h:25?x=1")] {
            assert!(e.contains("smtp://[användare:lösenord@]värd:port"), "{e}");
            assert!(!e.contains("hemligt"), "the password must never be echoed: {e}");
        }
        let e = SmtpConfig::parse("smtp://a:hemligt@h:25?tls=ssl").unwrap_err().en;
        assert!(e.starts_with("invalid SMTP URL: tls=`ssl` is not supported") && !e.contains("hemligt"), "{e}");
    }
}
