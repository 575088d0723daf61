//! Sending over SMTP with lettre, and sorting failures into the two kinds the outbox cares
//! about: *transient* (connection refused or cut, timeouts, TLS trouble, 4xx replies: retry
//! later) and *permanent* (5xx replies such as 550 unknown mailbox: retrying will not help).
//!
//! Connections are kept open and reused (as many as the engine sends at once). They are our
//! own, with `TCP_NODELAY` set: lettre writes the message and its final `.` separately, and
//! with Nagle's algorithm on, the `.` waits for the server's delayed ACK — 40 ms per message
//! (about 175 messages/s on eight connections, measured). A send that fails on a kept
//! connection the server has closed meanwhile ("incomplete response", lettre issue 743) is
//! tried once more on a fresh one. Implicit TLS (port 465) goes through lettre's own pool.

use super::config::{SmtpConfig, TlsMode};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Whether a failed send may succeed if tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendErrorKind {
    /// Connection trouble, timeouts, 4xx replies: retry with backoff.
    Transient,
    /// 5xx replies (unknown mailbox, refused sender), unusable address: do not retry.
    Permanent,
}

/// A failed send, with a Swedish message that names the server and the reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub kind: SendErrorKind,
    pub message: String,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> Self {
        Self { kind: SendErrorKind::Transient, message: message.into() }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self { kind: SendErrorKind::Permanent, message: message.into() }
    }

    pub fn is_permanent(&self) -> bool {
        self.kind == SendErrorKind::Permanent
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SendError {}

/// Timeouts for talking to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// For opening the connection (and each read/write, where lettre applies it).
    pub connect: Duration,
    /// For one whole message, connect to QUIT.
    pub send: Duration,
    /// Connections kept open at most (match the engine's `concurrency`).
    pub connections: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(5), send: Duration::from_secs(60), connections: 8 }
    }
}

/// Sends messages through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    config: SmtpConfig,
    address: String,
    timeouts: Timeouts,
    hello: ClientId,
    /// Kept-open connections and when each was last used.
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    /// Implicit TLS (port 465): lettre's pooled transport.
    wrapped: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

/// A kept connection unused this long is closed rather than reused.
const IDLE: Duration = Duration::from_secs(30);

impl Mailer {
    /// A mailer for `config` with the default timeouts (5 s to connect, 60 s per message).
    pub fn new(config: &SmtpConfig) -> Result<Mailer, String> {
        Self::with_timeouts(config, Timeouts::default())
    }

    pub fn with_timeouts(config: &SmtpConfig, timeouts: Timeouts) -> Result<Mailer, String> {
        let wrapped = match config.tls {
            TlsMode::Tls => {
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
                    .port(config.port)
                    .tls(Tls::Wrapper(tls_parameters(&config.host)?))
                    .timeout(Some(timeouts.connect))
                    .pool_config(PoolConfig::new().max_size(timeouts.connections.max(1)).idle_timeout(IDLE));
                if let Some((user, pass)) = config.credentials() {
                    builder = builder.credentials(Credentials::new(user.to_owned(), pass.to_owned()));
                }
                Some(builder.build())
            }
            TlsMode::StartTls => {
                tls_parameters(&config.host)?;
                None
            }
            TlsMode::None => None,
        };
        let inner = Inner {
            config: config.clone(),
            address: config.address(),
            timeouts,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            wrapped,
        };
        Ok(Mailer { inner: Arc::new(inner) })
    }

    /// `host:port` of the server.
    pub fn address(&self) -> &str {
        &self.inner.address
    }

    /// Sends `msg` to its envelope's recipients.
    pub async fn send(&self, msg: &Message) -> Result<(), SendError> {
        let bytes = msg.formatted();
        let limit = self.inner.timeouts.send;
        if let Some(t) = &self.inner.wrapped {
            return match tokio::time::timeout(limit, t.send_raw(msg.envelope(), &bytes)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(classify(self.address(), &e)),
                Err(_) => Err(self.no_answer()),
            };
        }
        let mut fresh_tried = false;
        loop {
            let (mut conn, kept) = match self.kept() {
                Some(c) => (c, true),
                None => {
                    fresh_tried = true;
                    (self.connect().await?, false)
                }
            };
            match tokio::time::timeout(limit, conn.send(msg.envelope(), &bytes)).await {
                Ok(Ok(_)) => {
                    self.keep(conn);
                    return Ok(());
                }
                // A kept connection the server had closed: once more, on a fresh one.
                Ok(Err(e)) if kept && !fresh_tried && is_broken_connection(&e) => {}
                Ok(Err(e)) => {
                    conn.abort().await;
                    return Err(classify(self.address(), &e));
                }
                Err(_) => return Err(self.no_answer()),
            }
        }
    }

    /// Connects and says NOOP, so the daemon can tell at start that the server is there.
    /// The error is a whole sentence for the log.
    pub async fn check(&self) -> Result<(), String> {
        let fail = |why: String| format!("SMTP-servern på {} svarar inte: {why}. Kontrollera ARSHJUL_SMTP_URL.", self.address());
        let limit = self.inner.timeouts.send;
        if let Some(t) = &self.inner.wrapped {
            return match tokio::time::timeout(limit, t.test_connection()).await {
                Ok(Ok(true)) => Ok(()),
                Ok(Ok(false)) => Err(fail("anslutningen bröts direkt".into())),
                Ok(Err(e)) => Err(fail(e.to_string())),
                Err(_) => Err(fail(format!("inget svar inom {}", span(limit)))),
            };
        }
        // `connect` bounds itself (connect and handshake timeouts); a second timeout around
        // it would race the inner one and change the message.
        match self.connect().await {
            Ok(mut c) => match tokio::time::timeout(limit, c.test_connected()).await {
                Ok(true) => {
                    self.keep(c);
                    Ok(())
                }
                Ok(false) => Err(fail("anslutningen bröts direkt".into())),
                Err(_) => Err(fail(format!("inget svar inom {}", span(limit)))),
            },
            Err(e) => match e.message.strip_prefix(&self.connect_prefix()) {
                Some(why) => Err(fail(why.to_owned())),
                None => Err(format!("{}. Kontrollera ARSHJUL_SMTP_URL.", e.message)),
            },
        }
    }

    /// STARTTLS is required (port 587, or credentials without `?tls=`) and the server does
    /// not offer it: nothing, and above all no password, is sent in plain text.
    fn no_starttls(&self) -> SendError {
        SendError::transient(format!(
            "SMTP-servern på {} erbjuder inte STARTTLS, så arshjul skickar varken lösenord eller e-post okrypterat. \
             Använd ?tls=tls (port 465) i ARSHJUL_SMTP_URL, eller — bara för en betrodd server på samma maskin eller nät — ?tls=none",
            self.address()
        ))
    }

    fn no_answer(&self) -> SendError {
        SendError::transient(format!("SMTP-servern på {} svarade inte inom {}", self.address(), span(self.inner.timeouts.send)))
    }

    /// A kept connection that has not idled too long.
    fn kept(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((c, at)) = idle.pop() {
            if at.elapsed() < IDLE && !c.has_broken() {
                return Some(c);
            }
        }
        None
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.inner.timeouts.connections.max(1) as usize {
            idle.push((conn, Instant::now()));
        }
    }

    fn connect_prefix(&self) -> String {
        format!("kunde inte ansluta till SMTP-servern på {}: ", self.address())
    }

    /// A new connection: TCP with `TCP_NODELAY`, EHLO, STARTTLS if asked, AUTH if given.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let cfg = &self.inner.config;
        let refused = |e: &dyn fmt::Display| SendError::transient(format!("{}{e}", self.connect_prefix()));
        let tcp =
            match tokio::time::timeout(self.inner.timeouts.connect, tokio::net::TcpStream::connect((cfg.host.as_str(), cfg.port))).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => return Err(refused(&e)),
                Err(_) => return Err(refused(&format!("ingen anslutning inom {}", span(self.inner.timeouts.connect)))),
            };
        tcp.set_nodelay(true).map_err(|e| refused(&e))?;
        let handshake = async {
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.inner.hello).await?;
            if cfg.tls == TlsMode::StartTls {
                if !conn.can_starttls() {
                    return Ok(Err(conn));
                }
                let params = TlsParameters::new(cfg.host.clone())?;
                conn.starttls(params, &self.inner.hello).await?;
            }
            if let Some((user, pass)) = cfg.credentials() {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &Credentials::new(user.to_owned(), pass.to_owned())).await?;
            }
            Ok::<_, lettre::transport::smtp::Error>(Ok(conn))
        };
        match tokio::time::timeout(self.inner.timeouts.send, handshake).await {
            Ok(Ok(Ok(c))) => Ok(c),
            Ok(Ok(Err(mut plain))) => {
                plain.abort().await;
                Err(self.no_starttls())
            }
            Ok(Err(e)) => Err(classify(self.address(), &e)),
            Err(_) => Err(self.no_answer()),
        }
    }
}

/// "60 sekunder", "500 ms".
fn span(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{} sekunder", d.as_secs()) } else { format!("{} ms", d.as_millis()) }
}

impl fmt::Debug for Mailer {
    /// The server and timeouts only: never the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("address", &self.inner.address).field("timeouts", &self.inner.timeouts).finish_non_exhaustive()
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, String> {
    TlsParameters::new(host.to_owned()).map_err(|e| format!("TLS kunde inte ställas in för {host}: {e}"))
}

/// Not a reply from the server, not a timeout: the connection itself broke.
fn is_broken_connection(e: &lettre::transport::smtp::Error) -> bool {
    !e.is_permanent() && !e.is_transient() && !e.is_timeout() && !e.is_client()
}

/// Sorts a lettre error: only a 5xx reply is permanent.
fn classify(address: &str, e: &lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::permanent(format!("SMTP-servern på {address} avvisade meddelandet för gott: {e}"))
    } else if e.is_transient() {
        SendError::transient(format!("SMTP-servern på {address} avvisade meddelandet tillfälligt: {e}"))
    } else if e.is_timeout() {
        SendError::transient(format!("SMTP-servern på {address} svarade inte i tid: {e}"))
    } else {
        SendError::transient(format!("kunde inte skicka via SMTP-servern på {address}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_mailer_is_built_for_every_tls_mode_and_never_shows_the_password() {
        for url in ["smtp://u:hemligt@smtp.kommun.se:587", "smtp://u:hemligt@smtp.kommun.se:465", "smtp://u:hemligt@127.0.0.1:25"] {
            let m = Mailer::new(&SmtpConfig::parse(url).unwrap()).unwrap();
            let shown = format!("{m:?}");
            assert!(shown.contains(m.address()) && !shown.contains("hemligt"), "{shown}");
        }
        assert_eq!(span(Duration::from_secs(60)), "60 sekunder");
        assert_eq!(span(Duration::from_millis(500)), "500 ms");
    }
}
