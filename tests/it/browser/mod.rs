//! Browser tests: pages driven in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`) through WebDriver, from Rust.
//!
//! # Layout
//! - [`driver`]: one chromedriver per [`Page`] on a port it picks, a fresh Chromium profile,
//!   everything ended on drop (also when a test panics); at most two browsers at once.
//! - [`page`]: [`Page`] — `goto`, `fill` a field by label or name, `click_button` by text,
//!   `type_keys`/`press`, `text`/`body_text`/`path`, bounded `wait_for`/`wait_for_text`, and
//!   `screenshot`/`screenshots` (PNGs under `target/screenshots/`, desktop and phone).
//! - [`axe`]: axe-core's WCAG 2.1 A/AA rules in the page, [`Violation`]s with their elements.
//! - `harness`: tests of this harness against a tiny app served by the test itself.
//!
//! ```ignore
//! let page = Page::open().await;
//! page.goto(&format!("{base}/k/{token}")).await;
//! page.fill("Utfall", "Genomförd").await;          // a <select>: the option's text
//! page.fill("Uppföljning", "Alla elever har …").await;
//! page.click_button("Skicka rapporten").await;      // returns when the next page loaded
//! page.wait_for_text("Tack").await;
//! page.screenshots("rapport-skickad").await;        // …-1280x900.png, …-375x812.png
//! let violations = axe(&page).await;
//! assert!(violations.is_empty(), "{}", describe(&violations));
//! ```

#![allow(dead_code)] // a harness: not every helper is used by every test yet

pub mod axe;
pub mod driver;
pub mod page;

mod harness;

#[allow(unused_imports)] // for the page tests to come
pub use axe::{Violation, axe, describe};
pub use fantoccini::key::Key;
pub use page::{DESKTOP, PHONE, Page, screenshot_dir};
