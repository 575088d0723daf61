//! Starting Debian's chromedriver and a headless Chromium session, and taking both down again.
//!
//! One chromedriver per [`Page`](super::Page), on a port it picks itself (`--port=0`, read back
//! from its "started successfully on port N" line: an event, not a sleep), with a fresh
//! `--user-data-dir`. [`Driver`]'s `Drop` asks chromedriver to shut down (which quits its
//! Chromium), kills it if it is still there, reaps it and removes the profile — so a test that
//! panics leaks no processes. At most [`MAX_BROWSERS`] run at once in the test binary: the
//! machine has two cores and each Chromium wants one.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

/// How many browsers may be open at the same time in this test binary.
pub const MAX_BROWSERS: usize = 2;
static BROWSERS: Semaphore = Semaphore::const_new(MAX_BROWSERS);

/// The flags headless Chromium needs on this closed network: without the background-networking
/// ones its own connections are refused and it stalls; `--no-sandbox` because CI runs as root.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
];

/// `ARSHJUL_CHROMEDRIVER`, else Debian's `chromium-driver` path.
pub fn chromedriver_path() -> PathBuf {
    std::env::var_os("ARSHJUL_CHROMEDRIVER").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromedriver".into())
}

/// `ARSHJUL_CHROMIUM`, else Debian's `chromium` path.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("ARSHJUL_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into())
}

/// A running chromedriver (and, once a session is open, its Chromium).
pub struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
    _permit: Option<SemaphorePermit<'static>>,
}

impl Driver {
    /// Starts chromedriver on a free port and waits for it to say it listens.
    ///
    /// Panics with what to install when chromedriver or Chromium is missing.
    pub async fn start() -> Driver {
        let (driver, browser) = (chromedriver_path(), chromium_path());
        for (what, path, pkg) in [("chromedriver", &driver, "chromium-driver"), ("Chromium", &browser, "chromium")] {
            assert!(
                path.exists(),
                "{what} not found at {} — the browser tests need Debian's `{pkg}` package: run `.ci/run deps` \
                 (or `apt-get install --no-install-recommends chromium chromium-driver`), or set ARSHJUL_{}",
                path.display(),
                if what == "Chromium" { "CHROMIUM" } else { "CHROMEDRIVER" },
            );
        }
        let mut permit = Some(BROWSERS.acquire().await.expect("browser semaphore is never closed"));
        // chromedriver picks its own port for `--port=0` and now and then finds it taken
        // before it binds ("IPv4 port not available"): start it again then, a few times.
        for attempt in 1.. {
            let mut child = Command::new(&driver)
                .arg("--port=0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", driver.display()));
            let stdout = child.stdout.take().expect("piped stdout");
            // From here on, Drop ends the process and removes the profile whatever happens.
            let held = permit.take().expect("the permit is handed back on a retry");
            let mut started = Driver { child, port: 0, profile: fresh_profile_dir(), _permit: Some(held) };
            // A thread reads the banner, hands over the port and keeps draining the pipe until
            // chromedriver exits (a closed pipe would kill it on its next write).
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || read_port(stdout, tx));
            match rx.await {
                Ok(Ok(port)) => {
                    started.port = port;
                    return started;
                }
                Ok(Err(said)) if said.contains("port not available") && attempt < 5 => {
                    permit = Some(started.release());
                }
                Ok(Err(said)) => panic!("chromedriver did not say which port it listens on; it said:\n{said}"),
                Err(_) => panic!("chromedriver's banner reader stopped"),
            }
        }
        unreachable!("the loop returns or panics")
    }

    /// `http://127.0.0.1:PORT` — the WebDriver endpoint.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// chromedriver's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The fresh profile directory this driver's Chromium uses.
    pub fn profile(&self) -> &Path {
        &self.profile
    }

    /// The `goog:chromeOptions` capabilities for a headless session on this driver.
    pub fn capabilities(&self, width: u32, height: u32) -> serde_json::Map<String, serde_json::Value> {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", self.profile.display()));
        args.push(format!("--window-size={width},{height}"));
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium_path(), "args": args },
        });
        match caps {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        }
    }
}

impl Driver {
    /// Ends this chromedriver (as Drop does) and hands back its browser permit.
    fn release(mut self) -> SemaphorePermit<'static> {
        self._permit.take().expect("a driver holds its permit until dropped")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Chromedriver's /shutdown quits the browsers it started, then itself. The read
        // timeout bounds the wait for its answer if it hangs; the kill below is the backstop.
        if self.port != 0
            && let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port))
        {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(s, "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let _ = s.read_to_end(&mut Vec::new());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Reads chromedriver's banner up to "… started successfully on port N." and sends N (or
/// everything it said, if it ended without that line), then drains the pipe to its end.
fn read_port(mut stdout: impl Read, tx: tokio::sync::oneshot::Sender<Result<u16, String>>) {
    const MARK: &str = "started successfully on port ";
    let mut said = Vec::new();
    let mut buf = [0u8; 4096];
    let mut tx = Some(tx);
    loop {
        let n = match stdout.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let Some(sender) = tx.take() else { continue };
        said.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&said);
        // The line ends with "." and no newline, so the number is complete once a non-digit follows.
        let port = text.split(MARK).nth(1).and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (digits.len() < rest.len()).then(|| digits.parse::<u16>().ok()).flatten()
        });
        match port {
            Some(port) => {
                let _ = sender.send(Ok(port));
            }
            None => tx = Some(sender),
        }
    }
    if let Some(sender) = tx {
        let _ = sender.send(Err(String::from_utf8_lossy(&said).into_owned()));
    }
}

fn fresh_profile_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let p = std::env::temp_dir().join(format!("arshjul-chromium-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("create Chromium profile dir");
    p
}
