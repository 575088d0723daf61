//! [`Page`]: one headless Chromium tab and the few things a test does with it — go to a URL,
//! fill a field by its label or name, click a button by its text, type and press keys, read
//! text, wait for an element or a text, take screenshots.
//!
//! Helpers panic with what they looked for, the page's URL and the start of its text, so a
//! failing test says what the user would have seen. Waits are a bounded number of polls; each
//! poll waits in the page for a DOM change or two animation frames (an event, not a timer).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::{Element, ElementRef};
use fantoccini::key::Key;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use super::driver::Driver;

/// Desktop viewport for screenshots and the window a page opens with.
pub const DESKTOP: (u32, u32) = (1280, 900);
/// Phone viewport (an iPhone X/11 Pro class screen, in CSS pixels).
pub const PHONE: (u32, u32) = (375, 812);

/// How many polls a wait makes by default before it gives up. A poll ends at a DOM change or
/// after two animation frames, so on an idle page 300 polls are about ten seconds.
pub const MAX_POLLS: usize = 300;

/// The W3C WebDriver key for an element reference in script results.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One headless Chromium session on its own chromedriver. Dropping it (also while a test
/// panics) ends the browser and the driver.
pub struct Page {
    // Field order matters: the session is dropped before its driver.
    client: Client,
    driver: Driver,
    max_polls: AtomicUsize,
}

impl Page {
    /// Starts chromedriver and a headless Chromium with a fresh profile, at [`DESKTOP`] size.
    pub async fn open() -> Page {
        let driver = Driver::start().await;
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(driver.capabilities(DESKTOP.0, DESKTOP.1));
        let client = builder.connect(&driver.url()).await.unwrap_or_else(|e| panic!("start a Chromium session: {e}"));
        // Script: axe on a big page; page load: a slow debug-build server. Implicit waits stay
        // off so that "not there" is answered at once.
        let timeouts = TimeoutConfiguration::new(Some(Duration::from_secs(60)), Some(Duration::from_secs(30)), Some(Duration::ZERO));
        client.update_timeouts(timeouts).await.expect("set WebDriver timeouts");
        Page { client, driver, max_polls: AtomicUsize::new(MAX_POLLS) }
    }

    /// Sets how many polls [`Page::wait_for`] and [`Page::wait_for_text`] make before giving
    /// up (default [`MAX_POLLS`]).
    pub fn set_max_polls(&self, polls: usize) {
        self.max_polls.store(polls, Ordering::Relaxed);
    }

    /// The fantoccini client, for what the helpers don't cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// chromedriver's pid and Chromium's (as chromedriver reports it).
    pub fn pids(&self) -> (u32, Option<u32>) {
        let browser =
            self.client.capabilities().and_then(|c| c.get("goog:processID")).and_then(Value::as_u64).and_then(|p| u32::try_from(p).ok());
        (self.driver.pid(), browser)
    }

    /// The profile directory this browser uses (removed when the page is dropped).
    pub fn profile(&self) -> PathBuf {
        self.driver.profile().to_path_buf()
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("current URL").to_string()
    }

    /// The current URL's path and query (`/k/abc?x=1`).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The document's title.
    pub async fn title(&self) -> String {
        self.client.title().await.expect("page title")
    }

    /// The rendered text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        el.text().await.unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// All the page's rendered text (`document.body.innerText`).
    pub async fn body_text(&self) -> String {
        let v = self.client.execute("return document.body ? document.body.innerText : ''", vec![]).await.expect("read page text");
        v.as_str().unwrap_or_default().to_string()
    }

    /// The first element matching `css`, now (see [`Page::wait_for`] to wait for one).
    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => panic!("no element matches `{css}` ({e})\n{}", self.context().await),
        }
    }

    /// The form control whose `<label>` reads `label_or_name` (whitespace-normalised, exact;
    /// `for=` or a wrapping label), else the first control with that `name`.
    pub async fn field(&self, label_or_name: &str) -> Element {
        const JS: &str = "const want = arguments[0];
            const norm = s => s.replace(/\\s+/g, ' ').trim();
            for (const l of document.querySelectorAll('label')) {
                if (norm(l.textContent) === want && l.control) return l.control;
            }
            const named = document.getElementsByName(want);
            return named.length ? named[0] : null;";
        let found = self.client.execute(JS, vec![json!(label_or_name)]).await.expect("look up a form field");
        match self.element(found) {
            Some(el) => el,
            None => panic!("no form field labelled or named {label_or_name:?}\n{}", self.context().await),
        }
    }

    /// Types `value` into the field labelled or named `label_or_name` after clearing it; for a
    /// `<select>`, chooses the option whose text is `value`.
    pub async fn fill(&self, label_or_name: &str, value: &str) {
        let el = self.field(label_or_name).await;
        let tag = el.tag_name().await.expect("tag name").to_ascii_lowercase();
        let done = if tag == "select" {
            el.select_by_label(value).await
        } else {
            match el.clear().await {
                Ok(()) => el.send_keys(value).await,
                Err(e) => Err(e),
            }
        };
        if let Err(e) = done {
            panic!("fill {label_or_name:?} with {value:?}: {e}\n{}", self.context().await);
        }
    }

    /// The current value of the field labelled or named `label_or_name` (e.g. to check that a
    /// refused form kept what was typed).
    pub async fn value(&self, label_or_name: &str) -> String {
        let el = self.field(label_or_name).await;
        el.prop("value").await.expect("field value").unwrap_or_default()
    }

    /// Clicks the button (`<button>`, `<input type=submit|button>`) whose text or value reads
    /// `text`. A click that submits a form returns when the next page has loaded.
    pub async fn click_button(&self, text: &str) {
        let el = self.button(text).await;
        if let Err(e) = el.click().await {
            panic!("click button {text:?}: {e}\n{}", self.context().await);
        }
    }

    /// Clicks the link whose text reads `text` (exactly).
    pub async fn click_link(&self, text: &str) {
        let el = match self.client.find(Locator::LinkText(text)).await {
            Ok(el) => el,
            Err(e) => panic!("no link reads {text:?} ({e})\n{}", self.context().await),
        };
        if let Err(e) = el.click().await {
            panic!("click link {text:?}: {e}\n{}", self.context().await);
        }
    }

    /// The button whose text, value or aria-label reads `text` (whitespace-normalised).
    pub async fn button(&self, text: &str) -> Element {
        const JS: &str = "const want = arguments[0];
            const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
            for (const b of document.querySelectorAll(
                'button, input[type=submit], input[type=button], input[type=reset], [role=button]')) {
                if ([b.innerText, b.value, b.getAttribute('aria-label')].some(t => norm(t) === want)) return b;
            }
            return null;";
        let found = self.client.execute(JS, vec![json!(text)]).await.expect("look up a button");
        match self.element(found) {
            Some(el) => el,
            None => panic!("no button reads {text:?}\n{}", self.context().await),
        }
    }

    /// Moves the keyboard focus to the field labelled or named `label_or_name`.
    pub async fn focus(&self, label_or_name: &str) {
        let el = self.field(label_or_name).await;
        let arg = serde_json::to_value(&el).expect("element reference");
        self.client.execute("arguments[0].focus()", vec![arg]).await.expect("focus a field");
    }

    /// What has the keyboard focus, as `tag "text or value or name"` (e.g. `button "Skicka"`).
    pub async fn focused(&self) -> String {
        const JS: &str = "const e = document.activeElement;
            if (!e) return '';
            const t = (e.innerText || e.value || e.getAttribute('name') || '').replace(/\\s+/g, ' ').trim();
            return e.tagName.toLowerCase() + ' \"' + t + '\"';";
        let v = self.client.execute(JS, vec![]).await.expect("read the focused element");
        v.as_str().unwrap_or_default().to_string()
    }

    /// Types `text` into whatever has the focus, key by key (WebDriver key actions).
    pub async fn type_keys(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".into());
        for c in text.chars() {
            keys = keys.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(keys).await.unwrap_or_else(|e| panic!("type {text:?}: {e}"));
    }

    /// Presses and releases one key (e.g. `Key::Tab`, `Key::Enter`) on whatever has the focus.
    /// A key that submits a form does not wait for the next page: follow with a wait.
    pub async fn press(&self, key: Key) {
        let c: char = key.into();
        let keys = KeyActions::new("keyboard".into()).then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        self.client.perform_actions(keys).await.unwrap_or_else(|e| panic!("press {key:?}: {e}"));
    }

    /// Waits (bounded, [`MAX_POLLS`]) until an element matches `css`, and returns it.
    pub async fn wait_for(&self, css: &str) -> Element {
        if let Err(polls) = self.poll("css", css).await {
            panic!("waited {polls} polls for an element matching `{css}`\n{}", self.context().await);
        }
        self.find(css).await
    }

    /// Waits (bounded, [`MAX_POLLS`]) until the page's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        if let Err(polls) = self.poll("text", text).await {
            panic!("waited {polls} polls for the text {text:?}\n{}", self.context().await);
        }
    }

    /// A viewport of `width`×`height` CSS pixels, saved as PNG to
    /// `<screenshot dir>/<name>-<width>x<height>.png` (see [`screenshot_dir`]). Returns the path.
    /// The window is restored to its previous size afterwards.
    pub async fn screenshot(&self, name: &str, width: u32, height: u32) -> PathBuf {
        let before = self.client.get_window_size().await.expect("window size");
        self.set_viewport(width, height).await;
        let png = self.client.screenshot().await.expect("take a screenshot");
        let _ = self.client.set_window_size(before.0 as u32, before.1 as u32).await;
        let dims = png_size(&png);
        assert_eq!(dims, Some((width, height)), "screenshot {name} has the wrong size");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
        let path = dir.join(format!("{safe}-{width}x{height}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// [`Page::screenshot`] at [`DESKTOP`] and at [`PHONE`] size.
    pub async fn screenshots(&self, name: &str) -> [PathBuf; 2] {
        [self.screenshot(name, DESKTOP.0, DESKTOP.1).await, self.screenshot(name, PHONE.0, PHONE.1).await]
    }

    /// Resizes the window so that the viewport (`innerWidth`×`innerHeight`) is `width`×`height`.
    async fn set_viewport(&self, width: u32, height: u32) {
        let mut window = (width, height);
        // Headless windows have no frame, but measure once and correct, in case a build does.
        for _ in 0..2 {
            self.client.set_window_size(window.0, window.1).await.expect("resize the window");
            let v = self.client.execute("return [window.innerWidth, window.innerHeight]", vec![]).await.expect("viewport size");
            let inner = (v[0].as_u64().unwrap_or(0) as u32, v[1].as_u64().unwrap_or(0) as u32);
            if inner == (width, height) {
                return;
            }
            window = ((window.0 + width).saturating_sub(inner.0), (window.1 + height).saturating_sub(inner.1));
        }
    }

    /// Ends the session and the browser now (dropping the page does the same).
    pub async fn close(self) {
        let Page { client, driver, .. } = self;
        let _ = client.close().await;
        drop(driver);
    }

    /// One bounded wait: up to [`Page::set_max_polls`] in-page waits for `kind` (`css`: an
    /// element matches; `text`: the body text contains) to hold; `Err(polls made)` if it never
    /// did. A poll that fails because the page is navigating counts as a poll.
    async fn poll(&self, kind: &str, arg: &str) -> Result<(), usize> {
        const JS: &str = "const [kind, arg, done] = arguments;
            const ok = () => kind === 'css'
                ? document.querySelector(arg) !== null
                : !!document.body && document.body.innerText.includes(arg);
            if (ok()) { done(true); return; }
            let finished = false;
            const finish = v => { if (!finished) { finished = true; obs.disconnect(); done(v); } };
            const obs = new MutationObserver(() => { if (ok()) finish(true); });
            obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
            requestAnimationFrame(() => requestAnimationFrame(() => finish(ok())));";
        let polls = self.max_polls.load(Ordering::Relaxed);
        for _ in 0..polls {
            if let Ok(Value::Bool(true)) = self.client.execute_async(JS, vec![json!(kind), json!(arg)]).await {
                return Ok(());
            }
        }
        Err(polls)
    }

    fn element(&self, v: Value) -> Option<Element> {
        let id = v.get(ELEMENT_KEY)?.as_str()?.to_string();
        Some(Element::from_element_id(self.client.clone(), ElementRef::from(id)))
    }

    /// "at URL, showing: …" for failure messages.
    async fn context(&self) -> String {
        let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_else(|e| format!("(no URL: {e})"));
        let text = self.body_text().await;
        let mut shown: String = text.chars().take(600).collect();
        if shown.len() < text.len() {
            shown.push_str(" …");
        }
        format!("at {url}, the page reads:\n{shown}")
    }
}

/// Where screenshots go: `ARSHJUL_SCREENSHOTS`, else `screenshots/` in the cargo target
/// directory (`target/screenshots/`, or under `CARGO_TARGET_DIR`).
pub fn screenshot_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ARSHJUL_SCREENSHOTS") {
        return dir.into();
    }
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("screenshots")
}

/// Width and height from a PNG's IHDR chunk.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Some((be(&png[16..20]), be(&png[20..24])))
}
