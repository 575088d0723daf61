//! A small SMTP client for kept-open plain and STARTTLS connections, with PIPELINING
//! (RFC 2920): when the server offers it, `MAIL FROM`, `RCPT TO` and `DATA` go out in one
//! write and the replies are read after, then the message and its final `.` in a second
//! write — two round trips per message instead of four (lettre, which still builds the
//! messages and handles implicit TLS, does not pipeline).
//!
//! Every reply of a pipelined group is read and checked (RFC 2920 §3.1): a refused sender
//! or recipient fails the message with that reply, the `DATA` reply is read even so, and the
//! connection is reset (`RSET`) and kept; had the server answered `354` regardless, the
//! connection is dropped instead of sending a message to fewer recipients than meant.

use std::fmt;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A byte stream to the server: TCP, or TLS over TCP after STARTTLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One reply: its code and its text (the lines joined by spaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

impl Reply {
    fn ok(&self) -> bool {
        (200..400).contains(&self.code)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// Why a conversation failed.
#[derive(Debug)]
pub enum Failure {
    /// The server answered with a refusal (4xx or 5xx, or an unexpected code).
    Refused(Reply),
    /// The connection broke or the server said something that is not SMTP. `sent_body`:
    /// the message itself had been written, so the server may have it.
    Broken { why: String, sent_body: bool },
    /// STARTTLS was required and the server does not offer it.
    NoStartTls,
    /// Credentials were given and the server offers no mechanism arshjul speaks.
    NoAuth,
}

impl Failure {
    fn broken(e: impl fmt::Display) -> Self {
        Failure::Broken { why: e.to_string(), sent_body: false }
    }
}

/// How a connection is opened.
pub struct Hello<'a> {
    /// The name said in EHLO.
    pub client: &'a str,
    /// Upgrade with STARTTLS, verifying the certificate for this host.
    pub starttls: Option<&'a str>,
    pub credentials: Option<(&'a str, &'a str)>,
}

/// An open, greeted (and, if asked, encrypted and authenticated) SMTP connection.
pub struct Connection {
    io: BufReader<Box<dyn Io>>,
    pipelining: bool,
    eight_bit: bool,
    broken: bool,
}

/// What EHLO told about the server.
#[derive(Default)]
struct Extensions {
    pipelining: bool,
    eight_bit: bool,
    starttls: bool,
    auth: Vec<String>,
}

/// The EHLO reply's lines after the first: one extension each.
fn extensions(lines: &[String]) -> Extensions {
    let mut x = Extensions::default();
    for l in lines.iter().skip(1) {
        let mut words = l.split_whitespace();
        match words.next().map(str::to_ascii_uppercase).as_deref() {
            Some("PIPELINING") => x.pipelining = true,
            Some("8BITMIME") => x.eight_bit = true,
            Some("STARTTLS") => x.starttls = true,
            Some("AUTH") => x.auth = words.map(str::to_ascii_uppercase).collect(),
            _ => {}
        }
    }
    x
}

impl Connection {
    /// Greets the server on `tcp`: EHLO, STARTTLS (then EHLO again) and AUTH as `hello` asks.
    pub async fn open(tcp: TcpStream, hello: &Hello<'_>) -> Result<Connection, Failure> {
        let mut c = Connection { io: BufReader::new(Box::new(tcp)), pipelining: false, eight_bit: false, broken: false };
        c.expect(220).await?;
        let mut x = c.ehlo(hello.client).await?;
        if let Some(host) = hello.starttls {
            if !x.starttls {
                return Err(Failure::NoStartTls);
            }
            c.command("STARTTLS", 220).await?;
            let name = rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(Failure::broken)?;
            // Nothing may be buffered between STARTTLS's reply and the handshake.
            let Connection { io, .. } = c;
            let tcp = io.into_inner();
            let tls = tokio_rustls::TlsConnector::from(crate::tls::client_config()).connect(name, tcp).await.map_err(Failure::broken)?;
            c = Connection { io: BufReader::new(Box::new(tls)), pipelining: false, eight_bit: false, broken: false };
            x = c.ehlo(hello.client).await?;
        }
        if let Some((user, pass)) = hello.credentials {
            if x.auth.iter().any(|m| m == "PLAIN") {
                let token = base64(format!("\0{user}\0{pass}").as_bytes());
                c.command(&format!("AUTH PLAIN {token}"), 235).await?;
            } else if x.auth.iter().any(|m| m == "LOGIN") {
                c.command("AUTH LOGIN", 334).await?;
                c.command(&base64(user.as_bytes()), 334).await?;
                c.command(&base64(pass.as_bytes()), 235).await?;
            } else {
                return Err(Failure::NoAuth);
            }
        }
        c.pipelining = x.pipelining;
        c.eight_bit = x.eight_bit;
        Ok(c)
    }

    /// Whether the connection must not be used again.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Whether the server offered 8BITMIME (RFC 6152): it takes 8bit message bodies.
    pub fn eight_bit(&self) -> bool {
        self.eight_bit
    }

    async fn ehlo(&mut self, client: &str) -> Result<Extensions, Failure> {
        self.write(format!("EHLO {client}\r\n").as_bytes()).await?;
        let (r, lines) = self.read_reply().await?;
        if r.code == 250 {
            return Ok(extensions(&lines));
        }
        // An old server: HELO, no extensions.
        self.command(&format!("HELO {client}"), 250).await?;
        Ok(Extensions::default())
    }

    /// Sends one command and wants `code` back.
    async fn command(&mut self, line: &str, code: u16) -> Result<Reply, Failure> {
        self.write(format!("{line}\r\n").as_bytes()).await?;
        self.expect(code).await
    }

    async fn expect(&mut self, code: u16) -> Result<Reply, Failure> {
        let (r, _) = self.read_reply().await?;
        if r.code == code { Ok(r) } else { Err(Failure::Refused(r)) }
    }

    /// NOOP: whether the server still answers.
    pub async fn noop(&mut self) -> bool {
        self.command("NOOP", 250).await.is_ok()
    }

    /// Sends `message` (as formatted, CRLF line ends) from `from` to `to`.
    pub async fn send(&mut self, from: &str, to: &[String], message: &[u8]) -> Result<(), Failure> {
        let body = if self.eight_bit { " BODY=8BITMIME" } else { "" };
        let mut commands = vec![format!("MAIL FROM:<{from}>{body}\r\n")];
        commands.extend(to.iter().map(|t| format!("RCPT TO:<{t}>\r\n")));
        commands.push("DATA\r\n".to_owned());
        let mut replies = Vec::with_capacity(commands.len());
        if self.pipelining {
            self.write(commands.concat().as_bytes()).await?;
            for _ in &commands {
                replies.push(self.read_reply().await?.0);
            }
        } else {
            for c in &commands {
                self.write(c.as_bytes()).await?;
                let (r, _) = self.read_reply().await?;
                let good = r.ok();
                replies.push(r);
                if !good {
                    break;
                }
            }
        }
        let refused = replies[..replies.len().min(commands.len() - 1)].iter().find(|r| !r.ok()).cloned();
        let data = replies.get(commands.len() - 1).cloned();
        match (refused, data) {
            (None, Some(d)) if d.code == 354 => {}
            (Some(r), Some(d)) if d.code == 354 => {
                // DATA accepted although the envelope was not: never send the message to
                // fewer recipients than meant; drop the connection instead.
                self.broken = true;
                return Err(Failure::Refused(r));
            }
            (refused, data) => {
                let why = refused.or(data).unwrap_or(Reply { code: 0, text: String::new() });
                self.reset().await;
                return Err(Failure::Refused(why));
            }
        }
        self.write(&stuffed(message)).await.map_err(|e| match e {
            Failure::Broken { why, .. } => Failure::Broken { why, sent_body: true },
            other => other,
        })?;
        match self.read_reply().await {
            Ok((r, _)) if r.code / 100 == 2 => Ok(()),
            Ok((r, _)) => Err(Failure::Refused(r)),
            Err(Failure::Broken { why, .. }) => Err(Failure::Broken { why, sent_body: true }),
            Err(e) => Err(e),
        }
    }

    /// RSET after a refused envelope; a connection that does not take it is not kept.
    async fn reset(&mut self) {
        if self.command("RSET", 250).await.is_err() {
            self.broken = true;
        }
    }

    /// QUIT without waiting long for the answer.
    pub async fn quit(mut self) {
        let _ = self.io.get_mut().write_all(b"QUIT\r\n").await;
        let _ = self.io.get_mut().shutdown().await;
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let io = self.io.get_mut();
        let r = async {
            io.write_all(bytes).await?;
            io.flush().await
        }
        .await;
        r.map_err(|e| {
            self.broken = true;
            Failure::broken(e)
        })
    }

    /// One reply, possibly of several lines (`250-…` then `250 …`), and its lines' texts.
    async fn read_reply(&mut self) -> Result<(Reply, Vec<String>), Failure> {
        let mut lines = Vec::new();
        loop {
            let mut raw = Vec::new();
            let n = self.io.read_until(b'\n', &mut raw).await;
            let line = match n {
                Ok(0) => return Err(self.fail("the server closed the connection")),
                Ok(_) if raw.len() > 4096 => return Err(self.fail("a reply line longer than 4096 bytes")),
                Ok(_) => String::from_utf8_lossy(&raw).trim_end().to_owned(),
                Err(e) => return Err(self.fail(&e.to_string())),
            };
            let code = line.get(..3).and_then(|c| c.parse::<u16>().ok()).filter(|c| (200..600).contains(c));
            let Some(code) = code else {
                return Err(self.fail(&format!("not an SMTP reply: {line:?}")));
            };
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line.get(4..).unwrap_or("").to_owned());
            if !more {
                return Ok((Reply { code, text: lines.join(" ") }, lines));
            }
            if lines.len() > 100 {
                return Err(self.fail("a reply of more than 100 lines"));
            }
        }
    }

    fn fail(&mut self, why: &str) -> Failure {
        self.broken = true;
        Failure::broken(why)
    }
}

/// The message for DATA: a leading `.` doubled on every line, ended by CRLF `.` CRLF. The
/// line starts with a dot are found by a substring search; the runs between them are copied
/// whole (the messages arshjul writes have none, see `mail::mime`).
fn stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 64);
    if message.first() == Some(&b'.') {
        out.push(b'.');
    }
    let mut copied = 0;
    for at in memchr::memmem::find_iter(message, b"\n.") {
        out.extend_from_slice(&message[copied..=at]);
        out.push(b'.');
        copied = at + 1;
    }
    out.extend_from_slice(&message[copied..]);
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// Standard base64 (with padding), for AUTH.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        for (plain, coded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
        assert_eq!(base64(b"\0u\0p"), "AHUAcA==");
    }

    #[test]
    fn leading_dots_are_doubled_and_the_message_is_ended() {
        assert_eq!(stuffed(b".a\r\nb\r\n.\r\n..c"), b"..a\r\nb\r\n..\r\n...c\r\n.\r\n".to_vec());
        assert_eq!(stuffed(b"x\r\n"), b"x\r\n.\r\n".to_vec());
        assert_eq!(stuffed(b"x\r\ny"), b"x\r\ny\r\n.\r\n".to_vec());
        assert_eq!(stuffed(b"x\r\ny.\r\n.z"), b"x\r\ny.\r\n..z\r\n.\r\n".to_vec());
    }

    proptest::proptest! {
        /// Any message: the same as doubling a dot at each line start byte by byte.
        #[test]
        fn stuffing_matches_a_byte_by_byte_pass(message in proptest::collection::vec(proptest::sample::select(b".\r\nab".to_vec()), 0..200)) {
            let mut want = Vec::new();
            let mut line_start = true;
            for &b in &message {
                if line_start && b == b'.' {
                    want.push(b'.');
                }
                want.push(b);
                line_start = b == b'\n';
            }
            if !want.ends_with(b"\r\n") {
                want.extend_from_slice(b"\r\n");
            }
            want.extend_from_slice(b".\r\n");
            proptest::prop_assert_eq!(stuffed(&message), want);
        }
    }
}
