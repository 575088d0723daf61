//! Sending over SMTP with lettre, and sorting failures into the two kinds the outbox cares
//! about: *transient* (connection refused or cut, timeouts, TLS trouble, 4xx replies: retry
//! later) and *permanent* (5xx replies such as 550 unknown mailbox: retrying will not help).
//!
//! Connections are kept open in a pool (as many as the engine sends at once) and reused;
//! a send that fails on a pooled connection the server has closed meanwhile ("incomplete
//! response", lettre issue 743) is tried once more on a fresh connection.

use super::config::{SmtpConfig, TlsMode};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::time::Duration;

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
    transport: AsyncSmtpTransport<Tokio1Executor>,
    address: String,
    timeouts: Timeouts,
}

impl Mailer {
    /// A mailer for `config` with the default timeouts (5 s to connect, 60 s per message).
    /// Must be made inside a tokio runtime (the pool keeps a task for idle connections).
    pub fn new(config: &SmtpConfig) -> Result<Mailer, String> {
        Self::with_timeouts(config, Timeouts::default())
    }

    pub fn with_timeouts(config: &SmtpConfig, timeouts: Timeouts) -> Result<Mailer, String> {
        let tls = match config.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(tls_parameters(&config.host)?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters(&config.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            .port(config.port)
            .tls(tls)
            .timeout(Some(timeouts.connect))
            .pool_config(PoolConfig::new().max_size(timeouts.connections.max(1)).idle_timeout(Duration::from_secs(30)));
        if let Some((user, pass)) = config.credentials() {
            builder = builder.credentials(Credentials::new(user.to_owned(), pass.to_owned()));
        }
        Ok(Mailer { transport: builder.build(), address: config.address(), timeouts })
    }

    /// `host:port` of the server.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Sends `msg` to its envelope's recipients.
    pub async fn send(&self, msg: &Message) -> Result<(), SendError> {
        let bytes = msg.formatted();
        let mut tries = 0;
        loop {
            tries += 1;
            return match tokio::time::timeout(self.timeouts.send, self.transport.send_raw(msg.envelope(), &bytes)).await {
                Ok(Ok(_)) => Ok(()),
                // A pooled connection the server had closed: once more, on a fresh one.
                Ok(Err(e)) if tries == 1 && is_broken_connection(&e) => continue,
                Ok(Err(e)) => Err(classify(&self.address, &e)),
                Err(_) => {
                    Err(SendError::transient(format!("SMTP-servern på {} svarade inte inom {}", self.address, span(self.timeouts.send))))
                }
            };
        }
    }

    /// Connects and says NOOP, so the daemon can tell at start that the server is there.
    /// The error is a whole sentence for the log.
    pub async fn check(&self) -> Result<(), String> {
        let fail = |why: String| format!("SMTP-servern på {} svarar inte: {why}. Kontrollera ARSHJUL_SMTP_URL.", self.address);
        match tokio::time::timeout(self.timeouts.send, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(fail("anslutningen bröts direkt".into())),
            Ok(Err(e)) => Err(fail(e.to_string())),
            Err(_) => Err(fail(format!("inget svar inom {}", span(self.timeouts.send)))),
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
        f.debug_struct("Mailer").field("address", &self.address).field("timeouts", &self.timeouts).finish_non_exhaustive()
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
