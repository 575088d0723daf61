//! A real SMTP server on loopback for the mail tests (std threads, no mocks): it speaks enough
//! SMTP for lettre (220 greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET,
//! NOOP, QUIT), keeps what it receives, and can be told to fail:
//!
//! - [`SmtpServer::reject_rcpt`]: `550` for one recipient (permanent);
//! - [`SmtpServer::fail_next`] / [`SmtpServer::fail_next_data`]: `451` to MAIL / after DATA
//!   for the next N messages (transient);
//! - [`SmtpServer::silent`]: accept connections but never answer (a hung server);
//! - [`SmtpServer::hold`]: take in the next message but hold back the reply to its DATA
//!   (a send in flight), until [`SmtpServer::let_go`];
//! - [`SmtpServer::hold_one`]: the same for the next message only, on whichever connection
//!   carries it (one slow connection while the others go on);
//! - [`SmtpServer::fail_next_data_command`]: `451` to the DATA command itself (before `354`);
//! - [`SmtpServer::stop`] / [`SmtpServer::restart`]: down (open connections cut), then up
//!   again on the same port.
//!
//! It advertises 8BITMIME (RFC 6152) unless [`SmtpServer::no_8bitmime`] and PIPELINING
//! (RFC 2920) unless [`SmtpServer::no_pipelining`], and counts the
//! envelopes that came pipelined: `MAIL FROM` with its `RCPT TO` and `DATA` already in the
//! same read ([`SmtpServer::pipelined`]); [`SmtpServer::connections`] counts connections.
//!
//! [`SmtpServer::wait_for`] blocks until a number of messages has arrived (an event, with a
//! generous deadline only so that a broken build fails instead of hanging).
//!
//! The listener is bound before `start()` returns, so a client may connect at once.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// Polls of 100 ms in [`SmtpServer::wait_for`]: three minutes, as the tests' other event
/// waits (this file is shared with the benches, which have no `support` module).
const WAIT_POLLS: u32 = 1800;

/// One message as the server got it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender (MAIL FROM), without brackets.
    pub from: String,
    /// The envelope recipients (RCPT TO) the server accepted.
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, with CRLF line ends, without the final `.`.
    pub data: String,
}

#[derive(Debug, Default)]
struct Behaviour {
    reject: HashSet<String>,
    fail_mail: usize,
    fail_data: usize,
    silent: bool,
    /// Hold the replies to DATA until let go.
    hold: bool,
    /// Hold the reply to the DATA of this many next messages until let go.
    hold_one: usize,
    /// Set by `let_go`: held single replies go.
    released: bool,
    /// `451` to the next N DATA commands.
    fail_data_command: usize,
    /// Do not advertise PIPELINING.
    no_pipelining: bool,
    /// Do not advertise 8BITMIME.
    no_8bitmime: bool,
    /// Envelopes whose commands arrived in one read.
    pipelined: usize,
    /// Connections accepted.
    connections: usize,
    /// Open sessions, cut when the server stops.
    sessions: Vec<TcpStream>,
}

/// Wakes waiters when a message arrives or one is held.
#[derive(Default)]
struct Signal {
    lock: Mutex<()>,
    cond: Condvar,
}

struct Acceptor {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// The server. Stops on drop.
pub struct SmtpServer {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    signal: Arc<Signal>,
    acceptor: Option<Acceptor>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SmtpServer {
    /// Binds 127.0.0.1 on a free port and starts accepting.
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test SMTP server");
        let port = listener.local_addr().expect("local address").port();
        let mut s = SmtpServer { port, received: Arc::default(), behaviour: Arc::default(), signal: Arc::default(), acceptor: None };
        s.listen(listener);
        s
    }

    fn listen(&mut self, listener: TcpListener) {
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, received, behaviour, signal) = (stop.clone(), self.received.clone(), self.behaviour.clone(), self.signal.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                if let Ok(c) = conn.try_clone() {
                    let mut b = lock(&behaviour);
                    b.sessions.push(c);
                    b.connections += 1;
                }
                let (received, behaviour, signal) = (received.clone(), behaviour.clone(), signal.clone());
                std::thread::spawn(move || Session::run(received, behaviour, signal, conn));
            }
        });
        self.acceptor = Some(Acceptor { stop, thread });
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT?tls=none`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.received).clone()
    }

    /// Answers `550` to `RCPT TO:<addr>` (case-insensitive).
    pub fn reject_rcpt(&self, addr: &str) {
        lock(&self.behaviour).reject.insert(addr.to_lowercase());
    }

    /// Answers `451` to MAIL FROM for the next `n` messages.
    pub fn fail_next(&self, n: usize) {
        lock(&self.behaviour).fail_mail = n;
    }

    /// Answers `451` after the DATA of the next `n` messages (and drops them).
    pub fn fail_next_data(&self, n: usize) {
        lock(&self.behaviour).fail_data = n;
    }

    /// Accepts connections but never says anything (a hung server).
    pub fn silent(&self, on: bool) {
        lock(&self.behaviour).silent = on;
    }

    /// Holds back the replies to DATA from now on (the message counts as received:
    /// a real server may deliver what it took in even if the client never hears back).
    pub fn hold(&self) {
        lock(&self.behaviour).hold = true;
    }

    /// Holds back the reply to the DATA of the next message only (one slow connection).
    pub fn hold_one(&self) {
        let mut b = lock(&self.behaviour);
        b.hold_one = 1;
        b.released = false;
    }

    /// Lets held replies go.
    pub fn let_go(&self) {
        let mut b = lock(&self.behaviour);
        b.hold = false;
        b.released = true;
    }

    /// Answers `451` to the next `n` DATA commands (before any `354`).
    pub fn fail_next_data_command(&self, n: usize) {
        lock(&self.behaviour).fail_data_command = n;
    }

    /// Stops advertising PIPELINING (to new EHLOs).
    pub fn no_pipelining(&self) {
        lock(&self.behaviour).no_pipelining = true;
    }

    /// Stops advertising 8BITMIME (to new EHLOs).
    pub fn no_8bitmime(&self) {
        lock(&self.behaviour).no_8bitmime = true;
    }

    /// Envelopes (MAIL FROM) whose RCPT TO and DATA came in the same read: pipelined.
    pub fn pipelined(&self) -> usize {
        lock(&self.behaviour).pipelined
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        lock(&self.behaviour).connections
    }

    /// Blocks until at least `n` messages have arrived (held ones included); panics after
    /// three minutes ([`WAIT_POLLS`]), so a broken build fails instead of hanging.
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let mut g = lock(&self.signal.lock);
        for _ in 0..WAIT_POLLS {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            g = self.signal.cond.wait_timeout(g, Duration::from_millis(100)).map(|(g, _)| g).unwrap_or_else(|e| e.into_inner().0);
        }
        panic!("waited in vain for {n} messages; got {}", self.received().len());
    }

    /// Stops listening and cuts open connections: new connections are refused until
    /// [`SmtpServer::restart`].
    pub fn stop(&mut self) {
        let Some(a) = self.acceptor.take() else { return };
        a.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the acceptor sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        let _ = a.thread.join();
        for c in std::mem::take(&mut lock(&self.behaviour).sessions) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    /// Listens again on the same port (keeping what was received and the behaviour).
    pub fn restart(&mut self) {
        if self.acceptor.is_some() {
            return;
        }
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("bind the same port again");
        self.listen(listener);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One SMTP conversation.
struct Session {
    received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    signal: Arc<Signal>,
    out: TcpStream,
    from: Option<String>,
    to: Vec<String>,
}

/// `MAIL FROM:<a@b> BODY=8BITMIME` → `a@b`.
fn path_arg(rest: &str) -> String {
    let rest = rest.trim();
    match (rest.find('<'), rest.find('>')) {
        (Some(a), Some(b)) if a < b => rest[a + 1..b].to_owned(),
        _ => rest.split_whitespace().next().unwrap_or("").to_owned(),
    }
}

/// Reads one line (with its line end); `None` when the client has gone.
fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut line = Vec::new();
    match reader.read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(String::from_utf8_lossy(&line).into_owned()),
    }
}

impl Session {
    fn run(received: Arc<Mutex<Vec<Received>>>, behaviour: Arc<Mutex<Behaviour>>, signal: Arc<Signal>, conn: TcpStream) {
        if lock(&behaviour).silent {
            // Hold the connection open without a word until the client gives up.
            let _ = std::io::copy(&mut &conn, &mut std::io::sink());
            return;
        }
        // Replies to pipelined commands go out at once (a real server batches them; without
        // this, Nagle's algorithm held each second reply for the client's delayed ACK).
        let _ = conn.set_nodelay(true);
        let Ok(read) = conn.try_clone() else { return };
        let mut reader = BufReader::new(read);
        let mut s = Session { received, behaviour, signal, out: conn, from: None, to: Vec::new() };
        if !s.reply("220 127.0.0.1 arshjul test ESMTP") {
            return;
        }
        while let Some(line) = read_line(&mut reader) {
            if !s.command(line.trim_end(), &mut reader) {
                break;
            }
        }
        let _ = s.out.shutdown(Shutdown::Both);
    }

    /// Writes one reply (lines joined by CRLF); false if the client has gone.
    fn reply(&mut self, text: &str) -> bool {
        self.out.write_all(format!("{}\r\n", text.replace('\n', "\r\n")).as_bytes()).is_ok()
    }

    /// Handles one command line (and the message itself for DATA); false to hang up.
    fn command(&mut self, line: &str, reader: &mut BufReader<TcpStream>) -> bool {
        let upper = line.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        let reply = match verb {
            "EHLO" => {
                let b = lock(&self.behaviour);
                let eight_bit = if b.no_8bitmime { "" } else { "250-8BITMIME\n" };
                let pipelining = if b.no_pipelining { "" } else { "250-PIPELINING\n" };
                format!("250-127.0.0.1 hello\n{eight_bit}{pipelining}250 SIZE 10000000")
            }
            "HELO" => "250 127.0.0.1 hello".to_owned(),
            "NOOP" => "250 2.0.0 OK".to_owned(),
            "RSET" => {
                self.reset();
                "250 2.0.0 OK".to_owned()
            }
            "QUIT" => {
                self.reply("221 2.0.0 bye");
                return false;
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                // What the client wrote after MAIL FROM, already read: its RCPT TO and DATA
                // came in the same segment if it pipelines.
                let ahead = String::from_utf8_lossy(reader.buffer()).to_ascii_uppercase();
                if ahead.contains("RCPT TO:") && ahead.contains("DATA\r\n") {
                    lock(&self.behaviour).pipelined += 1;
                }
                self.mail(&line[10..])
            }
            "RCPT" if upper.starts_with("RCPT TO:") => self.rcpt(&line[8..]),
            "DATA" => match self.data(reader) {
                Some(r) => r,
                None => return false,
            },
            _ => "502 5.5.2 command not implemented".to_owned(),
        };
        self.reply(&reply)
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }

    fn mail(&mut self, rest: &str) -> String {
        self.reset();
        let mut b = lock(&self.behaviour);
        if b.fail_mail > 0 {
            b.fail_mail -= 1;
            return "451 4.3.0 try again later".to_owned();
        }
        self.from = Some(path_arg(rest));
        "250 2.1.0 OK".to_owned()
    }

    fn rcpt(&mut self, rest: &str) -> String {
        if self.from.is_none() {
            return "503 5.5.1 MAIL first".to_owned();
        }
        let addr = path_arg(rest);
        if lock(&self.behaviour).reject.contains(&addr.to_lowercase()) {
            return format!("550 5.1.1 <{addr}>: mailbox unavailable");
        }
        self.to.push(addr);
        "250 2.1.5 OK".to_owned()
    }

    /// `354`, the message up to the lone `.`, then the verdict; `None` if the client went away.
    fn data(&mut self, reader: &mut BufReader<TcpStream>) -> Option<String> {
        let Some(from) = self.from.clone().filter(|_| !self.to.is_empty()) else {
            return Some("503 5.5.1 RCPT first".to_owned());
        };
        {
            let mut b = lock(&self.behaviour);
            if b.fail_data_command > 0 {
                b.fail_data_command -= 1;
                return Some("451 4.3.1 insufficient system storage, try again later".to_owned());
            }
        }
        if !self.reply("354 end with <CRLF>.<CRLF>") {
            return None;
        }
        let mut data = String::new();
        loop {
            let l = read_line(reader)?;
            if l == ".\r\n" || l == ".\n" {
                break;
            }
            // Dot-unstuffing: the client doubled a leading ".".
            data.push_str(l.strip_prefix('.').unwrap_or(&l));
        }
        let to = std::mem::take(&mut self.to);
        self.from = None;
        let held = {
            let mut b = lock(&self.behaviour);
            if b.fail_data > 0 {
                b.fail_data -= 1;
                return Some("451 4.3.0 queue full, try again later".to_owned());
            }
            if b.hold_one > 0 {
                b.hold_one -= 1;
                Some(false)
            } else if b.hold {
                Some(true)
            } else {
                None
            }
        };
        lock(&self.received).push(Received { from, to, data });
        self.signal.cond.notify_all();
        if let Some(all) = held {
            // The message is in; the reply waits until the test lets go (or the client dies).
            while (all && lock(&self.behaviour).hold) || (!all && !lock(&self.behaviour).released) {
                let g = lock(&self.signal.lock);
                let _ = self.signal.cond.wait_timeout(g, Duration::from_millis(20));
            }
        }
        Some("250 2.0.0 queued".to_owned())
    }
}
