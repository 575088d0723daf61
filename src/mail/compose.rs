//! A digest becomes a [`Composed`] mail (subject, text and HTML bodies, deterministic headers)
//! and then an [`Outgoing`] message: multipart/alternative, both parts quoted-printable, or
//! `8bit` for a server that offers 8BITMIME ([`Composed::message_for`]), written by
//! [`super::mime`].

use super::header::{self, shown};
use super::{Links, html, login, mime, text, view};
use crate::definition::Lang;
use crate::msg::Msg;
use crate::remind::Digest;
use crate::remind::subject::subject;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

/// A digest rendered for one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub from: Mailbox,
    /// The recipient's address.
    pub to: String,
    /// The recipient's display name.
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<arshjul.YYYYMMDD.HASH@domain>`, the same for a resend of the same digest.
    pub message_id: String,
    /// The `Date` header: when the digest is due to be sent.
    pub date: DateTime<Utc>,
}

/// Renders `digest` in `lang` without links (each item says how to report on the command
/// line); the Message-ID is `digest.message_id(domain)`.
pub fn compose(digest: &Digest, from: &Mailbox, domain: &str, lang: Lang) -> Composed {
    compose_linked(digest, from, domain, lang, None)
}

/// Renders `digest` in `lang`; with `links`, each item carries its signed report link
/// instead of the command (and a sign-in mail its sign-in link).
pub fn compose_linked(digest: &Digest, from: &Mailbox, domain: &str, lang: Lang, links: Option<&Links>) -> Composed {
    let (subject, text, html) = if digest.login.is_some() {
        (login::subject(lang), login::text(digest, lang, links), login::html(digest, lang, links))
    } else {
        let subject = subject(digest, lang);
        // Each item's view (and its signed link) once, for both bodies.
        let views = view::items(digest, lang, links);
        let html = html::body(digest, &subject, lang, &views, links.is_some());
        (subject, text::body(digest, lang, &views, links.is_some()), html)
    };
    Composed {
        from: from.clone(),
        to: digest.to.email.clone(),
        to_name: digest.to.name.clone(),
        text,
        html,
        subject,
        message_id: digest.message_id(domain),
        date: digest.send_at,
    }
}

/// A message ready for SMTP: its envelope and its raw bytes (CRLF line ends).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The envelope's sender (`MAIL FROM`).
    pub from: String,
    /// The envelope's recipients (`RCPT TO`).
    pub to: Vec<String>,
    pub bytes: Vec<u8>,
    /// It has 8bit parts: only for a connection whose server offers 8BITMIME.
    pub eight_bit: bool,
}

impl Outgoing {
    /// The raw message.
    pub fn formatted(&self) -> &[u8] {
        &self.bytes
    }
}

impl From<&lettre::Message> for Outgoing {
    /// A message built with lettre's builder (tests and tools that need one by hand).
    fn from(m: &lettre::Message) -> Self {
        let env = m.envelope();
        Outgoing {
            from: env.from().map(ToString::to_string).unwrap_or_default(),
            to: env.to().iter().map(ToString::to_string).collect(),
            bytes: m.formatted(),
            eight_bit: false,
        }
    }
}

impl Composed {
    /// The message, both parts quoted-printable, or why it cannot be built (a permanent
    /// failure: retrying will not help). Every header value is checked first, so no name,
    /// address, subject or id can inject a header.
    pub fn message(&self) -> Result<Outgoing, Msg> {
        self.message_for(false)
    }

    /// As [`Composed::message`]; with `eight_bit` (the server offers 8BITMIME), each part
    /// that can goes as `8bit`, its text as it is.
    pub fn message_for(&self, eight_bit: bool) -> Result<Outgoing, Msg> {
        let why = |m: Msg| {
            Msg::new(
                format!(
                    "e-postmeddelandet till {} kan inte byggas: {}. Rätta uppgiften i personkatalogen eller definitionerna.",
                    shown(&self.to),
                    m.sv
                ),
                format!(
                    "the email to {} cannot be built: {}. Correct it in the people directory or the definitions.",
                    shown(&self.to),
                    m.en
                ),
            )
        };
        let address = header::address(&self.to).map_err(why)?.to_string();
        let checks = [
            header::name_problem(&self.to_name),
            self.from.name.as_deref().and_then(header::name_problem),
            header::subject_problem(&self.subject),
            header::message_id_problem(&self.message_id),
        ];
        if let Some(m) = checks.into_iter().flatten().next() {
            return Err(why(m));
        }
        let from = self.from.email.to_string();
        let bytes = mime::write(&mime::Parts {
            from_name: self.from.name.as_deref(),
            from: &from,
            to_name: &self.to_name,
            to: &address,
            subject: &self.subject,
            date: self.date,
            message_id: &self.message_id,
            text: &self.text,
            html: &self.html,
            eight_bit,
        });
        Ok(Outgoing { from, to: vec![address], bytes, eight_bit })
    }
}
