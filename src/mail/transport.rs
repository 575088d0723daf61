//! Sending over SMTP with lettre, and sorting failures into the two kinds the outbox cares
//! about: *transient* (connection refused or cut, timeouts, TLS trouble, 4xx replies: retry
//! later) and *permanent* (5xx replies such as 550 unknown mailbox: retrying will not help).
//!
//! Plain and STARTTLS connections are our own ([`super::smtp`]), kept open and reused (as
//! many as the engine sends at once), with `TCP_NODELAY` set and SMTP PIPELINING where the
//! server offers it: two round trips per message. A send that finds a kept connection
//! closed by the server meanwhile (before the message itself was written) is tried once
//! more on a fresh one. Implicit TLS (port 465) goes through lettre's own pool.

use super::compose::Outgoing;
use super::config::{SmtpConfig, TlsMode};
use super::smtp::{Connection, Failure, Hello, Reply};
use crate::msg::Msg;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// A failed send, with a message (Swedish and English) that names the server and the reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub kind: SendErrorKind,
    pub message: Msg,
}

impl SendError {
    pub fn transient(message: Msg) -> Self {
        Self { kind: SendErrorKind::Transient, message }
    }

    pub fn permanent(message: Msg) -> Self {
        Self { kind: SendErrorKind::Permanent, message }
    }

    pub fn is_permanent(&self) -> bool {
        self.kind == SendErrorKind::Permanent
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message.sv)
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
    /// The name said in EHLO.
    hello: String,
    /// Kept-open connections and when each was last used.
    idle: Mutex<Vec<(Connection, Instant)>>,
    /// Implicit TLS (port 465): lettre's pooled transport.
    wrapped: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// Whether the newest connection's server offered 8BITMIME (never, before the first
    /// connection, and never for `wrapped`, whose extensions are not seen here).
    eight_bit: AtomicBool,
}

/// A kept connection unused this long is closed rather than reused.
const IDLE: Duration = Duration::from_secs(30);

impl Mailer {
    /// A mailer for `config` with the default timeouts (5 s to connect, 60 s per message).
    pub fn new(config: &SmtpConfig) -> Result<Mailer, Msg> {
        Self::with_timeouts(config, Timeouts::default())
    }

    pub fn with_timeouts(config: &SmtpConfig, timeouts: Timeouts) -> Result<Mailer, Msg> {
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
            hello: ClientId::default().to_string(),
            idle: Mutex::new(Vec::new()),
            wrapped,
            eight_bit: AtomicBool::new(false),
        };
        Ok(Mailer { inner: Arc::new(inner) })
    }

    /// Whether messages may be composed with 8bit parts: the server offered 8BITMIME at the
    /// newest connection (`check` connects at the daemon's start). A message composed so and
    /// then met by a connection without it is not sent there ([`Mailer::send`]).
    pub fn eight_bit(&self) -> bool {
        self.inner.eight_bit.load(Ordering::Relaxed)
    }

    /// `host:port` of the server.
    pub fn address(&self) -> &str {
        &self.inner.address
    }

    /// Sends `msg` to its envelope's recipients.
    pub async fn send(&self, msg: &Outgoing) -> Result<(), SendError> {
        let (from, to, bytes) = (&msg.from, &msg.to, &msg.bytes);
        let limit = self.inner.timeouts.send;
        if let Some(t) = &self.inner.wrapped {
            let envelope = envelope(from, to)?;
            return match tokio::time::timeout(limit, t.send_raw(&envelope, bytes)).await {
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
                    (self.connect().await.map_err(|e| e.into_send_error(self.address()))?, false)
                }
            };
            if msg.eight_bit && !conn.eight_bit() {
                self.keep(conn);
                return Err(self.no_8bit());
            }
            let sent = tokio::time::timeout(limit, async {
                let r = conn.send(from, to, bytes).await;
                (conn, r)
            })
            .await;
            match sent {
                Ok((conn, Ok(()))) => {
                    self.keep(conn);
                    return Ok(());
                }
                // A kept connection the server had closed, before it could have the message:
                // once more, on a fresh one.
                Ok((_, Err(Failure::Broken { sent_body: false, .. }))) if kept && !fresh_tried => {}
                Ok((conn, Err(e))) => {
                    if conn.is_broken() {
                        conn.quit().await;
                    } else {
                        self.keep(conn);
                    }
                    return Err(self.failed(e));
                }
                Err(_) => return Err(self.no_answer()),
            }
        }
    }

    /// Connects and says NOOP, so the daemon can tell at start that the server is there.
    /// The error is a whole sentence for the log.
    pub async fn check(&self) -> Result<(), Msg> {
        let address = self.address();
        let fail = |why: Msg| {
            Msg::new(
                format!("SMTP-servern på {address} svarar inte: {}. Kontrollera ARSHJUL_SMTP_URL.", why.sv),
                format!("the SMTP server at {address} does not answer: {}. Check ARSHJUL_SMTP_URL.", why.en),
            )
        };
        let broken = || Msg::new("anslutningen bröts direkt", "the connection broke at once");
        let limit = self.inner.timeouts.send;
        if let Some(t) = &self.inner.wrapped {
            return match tokio::time::timeout(limit, t.test_connection()).await {
                Ok(Ok(true)) => Ok(()),
                Ok(Ok(false)) => Err(fail(broken())),
                Ok(Err(e)) => Err(fail(Msg::both(e.to_string()))),
                Err(_) => Err(fail(no_answer_within(limit))),
            };
        }
        // `connect` bounds itself (connect and handshake timeouts); a second timeout around
        // it would race the inner one and change the message.
        match self.connect().await {
            Ok(mut c) => match tokio::time::timeout(limit, c.noop()).await {
                Ok(true) => {
                    self.keep(c);
                    Ok(())
                }
                Ok(false) => Err(fail(broken())),
                Err(_) => Err(fail(no_answer_within(limit))),
            },
            Err(ConnectError::Refused(why)) => Err(fail(why)),
            Err(ConnectError::Other(e)) => Err(Msg::new(
                format!("{}. Kontrollera ARSHJUL_SMTP_URL.", e.message.sv),
                format!("{}. Check ARSHJUL_SMTP_URL.", e.message.en),
            )),
        }
    }

    /// STARTTLS is required (port 587, or credentials without `?tls=`) and the server does
    /// not offer it: nothing, and above all no password, is sent in plain text.
    fn no_starttls(&self) -> SendError {
        let a = self.address();
        SendError::transient(Msg::new(
            format!(
                "SMTP-servern på {a} erbjuder inte STARTTLS, så arshjul skickar varken lösenord eller e-post okrypterat. \
                 Använd ?tls=tls (port 465) i ARSHJUL_SMTP_URL, eller — bara för en betrodd server på samma maskin eller nät — ?tls=none"
            ),
            format!(
                "the SMTP server at {a} does not offer STARTTLS, so arshjul sends neither password nor mail unencrypted. \
                 Use ?tls=tls (port 465) in ARSHJUL_SMTP_URL, or — only for a trusted server on the same machine or network — ?tls=none"
            ),
        ))
    }

    fn no_answer(&self) -> SendError {
        let (a, w) = (self.address(), no_answer_within(self.inner.timeouts.send));
        SendError::transient(Msg::new(format!("SMTP-servern på {a} {}", w.sv), format!("the SMTP server at {a} {}", w.en)))
    }

    /// An 8bit message met a connection whose server no longer offers 8BITMIME: retried,
    /// and composed quoted-printable then (the connection told [`Mailer::eight_bit`]).
    fn no_8bit(&self) -> SendError {
        let a = self.address();
        SendError::transient(Msg::new(
            format!("SMTP-servern på {a} tar inte längre emot 8-bitars e-post (8BITMIME); meddelandet skickas igen, kodat för 7 bitar"),
            format!("the SMTP server at {a} no longer takes 8-bit mail (8BITMIME); the message is sent again, encoded for 7 bits"),
        ))
    }

    /// A kept connection that has not idled too long.
    fn kept(&self) -> Option<Connection> {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((c, at)) = idle.pop() {
            if at.elapsed() < IDLE && !c.is_broken() {
                return Some(c);
            }
        }
        None
    }

    fn keep(&self, conn: Connection) {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.inner.timeouts.connections.max(1) as usize {
            idle.push((conn, Instant::now()));
        }
    }

    /// A new connection: TCP with `TCP_NODELAY`, EHLO, STARTTLS if asked, AUTH if given.
    async fn connect(&self) -> Result<Connection, ConnectError> {
        let cfg = &self.inner.config;
        let refused = |e: &dyn fmt::Display| ConnectError::Refused(Msg::both(e.to_string()));
        let tcp =
            match tokio::time::timeout(self.inner.timeouts.connect, tokio::net::TcpStream::connect((cfg.host.as_str(), cfg.port))).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => return Err(refused(&e)),
                Err(_) => {
                    let s = span(self.inner.timeouts.connect);
                    return Err(ConnectError::Refused(Msg::new(
                        format!("ingen anslutning inom {}", s.sv),
                        format!("no connection within {}", s.en),
                    )));
                }
            };
        tcp.set_nodelay(true).map_err(|e| refused(&e))?;
        let hello = Hello {
            client: &self.inner.hello,
            starttls: (cfg.tls == TlsMode::StartTls).then_some(cfg.host.as_str()),
            credentials: cfg.credentials(),
        };
        match tokio::time::timeout(self.inner.timeouts.send, Connection::open(tcp, &hello)).await {
            Ok(Ok(c)) => {
                self.inner.eight_bit.store(c.eight_bit(), Ordering::Relaxed);
                Ok(c)
            }
            Ok(Err(e)) => Err(ConnectError::Other(self.failed(e))),
            Err(_) => Err(ConnectError::Other(self.no_answer())),
        }
    }

    /// A failed conversation as a send error: only a 5xx reply is permanent.
    fn failed(&self, e: Failure) -> SendError {
        let address = self.address();
        match e {
            Failure::Refused(r) => refused_reply(address, &r),
            Failure::Broken { why, .. } => SendError::transient(Msg::new(
                format!("kunde inte skicka via SMTP-servern på {address}: {why}"),
                format!("could not send through the SMTP server at {address}: {why}"),
            )),
            Failure::NoStartTls => self.no_starttls(),
            Failure::NoAuth => SendError::permanent(Msg::new(
                format!(
                    "SMTP-servern på {address} erbjuder ingen inloggning som arshjul kan (AUTH PLAIN eller LOGIN). Kontrollera ARSHJUL_SMTP_URL"
                ),
                format!("the SMTP server at {address} offers no login arshjul speaks (AUTH PLAIN or LOGIN). Check ARSHJUL_SMTP_URL"),
            )),
        }
    }
}

/// A refusal from the server: 5xx permanent, anything else transient.
fn refused_reply(address: &str, r: &Reply) -> SendError {
    if r.code / 100 == 5 {
        SendError::permanent(Msg::new(
            format!("SMTP-servern på {address} avvisade meddelandet för gott: {r}"),
            format!("the SMTP server at {address} refused the message for good: {r}"),
        ))
    } else {
        SendError::transient(Msg::new(
            format!("SMTP-servern på {address} avvisade meddelandet tillfälligt: {r}"),
            format!("the SMTP server at {address} refused the message for now: {r}"),
        ))
    }
}

/// Why a new connection failed: before the server said anything (refused, unreachable), or
/// after (a reply, TLS, a timeout).
enum ConnectError {
    Refused(Msg),
    Other(SendError),
}

impl ConnectError {
    fn into_send_error(self, address: &str) -> SendError {
        match self {
            ConnectError::Refused(why) => SendError::transient(Msg::new(
                format!("kunde inte ansluta till SMTP-servern på {address}: {}", why.sv),
                format!("could not connect to the SMTP server at {address}: {}", why.en),
            )),
            ConnectError::Other(e) => e,
        }
    }
}

/// "svarade inte inom 60 sekunder" / "did not answer within 60 seconds".
fn no_answer_within(d: Duration) -> Msg {
    let s = span(d);
    Msg::new(format!("svarade inte inom {}", s.sv), format!("did not answer within {}", s.en))
}

/// "60 sekunder", "500 ms".
fn span(d: Duration) -> Msg {
    if d.subsec_millis() == 0 {
        Msg::new(format!("{} sekunder", d.as_secs()), format!("{} seconds", d.as_secs()))
    } else {
        Msg::both(format!("{} ms", d.as_millis()))
    }
}

impl fmt::Debug for Mailer {
    /// The server and timeouts only: never the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("address", &self.inner.address).field("timeouts", &self.inner.timeouts).finish_non_exhaustive()
    }
}

/// lettre's envelope for an implicit-TLS send (the addresses were checked at composition).
fn envelope(from: &str, to: &[String]) -> Result<lettre::address::Envelope, SendError> {
    let bad = |e: &dyn fmt::Display| {
        SendError::permanent(Msg::new(format!("kuvertets adresser är ogiltiga: {e}"), format!("the envelope's addresses are invalid: {e}")))
    };
    let parse = |a: &str| a.parse::<lettre::Address>().map_err(|e| bad(&e));
    let to = to.iter().map(|t| parse(t)).collect::<Result<Vec<_>, _>>()?;
    lettre::address::Envelope::new(Some(parse(from)?), to).map_err(|e| bad(&e))
}

fn tls_parameters(host: &str) -> Result<TlsParameters, Msg> {
    TlsParameters::new(host.to_owned())
        .map_err(|e| Msg::new(format!("TLS kunde inte ställas in för {host}: {e}"), format!("TLS could not be set up for {host}: {e}")))
}

/// Sorts a lettre error: only a 5xx reply is permanent.
fn classify(address: &str, e: &lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::permanent(Msg::new(
            format!("SMTP-servern på {address} avvisade meddelandet för gott: {e}"),
            format!("the SMTP server at {address} refused the message for good: {e}"),
        ))
    } else if e.is_transient() {
        SendError::transient(Msg::new(
            format!("SMTP-servern på {address} avvisade meddelandet tillfälligt: {e}"),
            format!("the SMTP server at {address} refused the message for now: {e}"),
        ))
    } else if e.is_timeout() {
        SendError::transient(Msg::new(
            format!("SMTP-servern på {address} svarade inte i tid: {e}"),
            format!("the SMTP server at {address} did not answer in time: {e}"),
        ))
    } else {
        SendError::transient(Msg::new(
            format!("kunde inte skicka via SMTP-servern på {address}: {e}"),
            format!("could not send through the SMTP server at {address}: {e}"),
        ))
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
        assert_eq!(span(Duration::from_secs(60)), Msg::new("60 sekunder", "60 seconds"));
        assert_eq!(span(Duration::from_millis(500)), Msg::both("500 ms"));
    }
}
