//! Reminder email: composing digests in Swedish (and English) and sending them over SMTP.
//!
//! - [`compose`]: a [`Digest`](crate::remind::Digest) → [`Composed`] (subject, text, HTML,
//!   deterministic Message-ID and Date) → [`Outgoing`] (multipart/alternative, written by `mime`).
//!   Pure: no clock, no IO. `view` decides what each line says; `text` and `html` lay it out.
//! - [`Links`]: the signed per-checkpoint report links (and sign-in links) a mail carries.
//! - [`header`]: what may stand in a header (checked at import and at composition).
//! - [`SmtpConfig`]: the `ARSHJUL_SMTP_URL` (`smtp://[user:pass@]host:port[?tls=…]`).
//! - [`Mailer`]: sends over SMTP and sorts failures into transient and permanent
//!   ([`SendError`]); [`Mailer::check`] for the daemon's start-up check.
//! - [`SmtpSender`]: the engine's `Sender` over a `Mailer`.
//!
//! Must not decide *when* or *to whom* to send: that is `remind` and `engine`.

mod compose;
mod config;
pub mod header;
mod html;
mod links;
mod login;
mod mime;
mod sender;
mod smtp;
mod text;
mod transport;
mod view;

pub use compose::{Composed, Outgoing, compose, compose_linked};
pub use config::{SmtpConfig, TlsMode};
pub use html::escape as escape_html;
pub use links::Links;
pub use sender::SmtpSender;
pub use transport::{Mailer, SendError, SendErrorKind, Timeouts};
pub use view::{date as format_date, report_command};

#[cfg(test)]
mod tests;
