//! A digest becomes a [`Composed`] mail (subject, text and HTML bodies, deterministic headers)
//! and then a `lettre::Message`: multipart/alternative, both parts quoted-printable (so the
//! raw message stays mostly readable and its encoding predictable).

use super::header::{self, shown};
use super::{Links, html, login, text};
use crate::definition::Lang;
use crate::msg::Msg;
use crate::remind::Digest;
use crate::remind::subject::subject;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};

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
        let html = html::body(digest, &subject, lang, links);
        (subject, text::body(digest, lang, links), html)
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

impl Composed {
    /// The MIME message, or why it cannot be built (a permanent failure: retrying will not
    /// help). Every header value is checked before lettre sees it, so no name, address,
    /// subject or id can inject a header or make the builder panic.
    pub fn message(&self) -> Result<Message, Msg> {
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
        let address = header::address(&self.to).map_err(why)?;
        let checks = [
            header::name_problem(&self.to_name),
            self.from.name.as_deref().and_then(header::name_problem),
            header::subject_problem(&self.subject),
            header::message_id_problem(&self.message_id),
        ];
        if let Some(m) = checks.into_iter().flatten().next() {
            return Err(why(m));
        }
        let name = Some(self.to_name.clone()).filter(|n| !n.trim().is_empty());
        let build = || {
            Message::builder()
                .from(self.from.clone())
                .to(Mailbox::new(name, address))
                .subject(self.subject.clone())
                .date(self.date.into())
                .message_id(Some(self.message_id.clone()))
                .multipart(
                    MultiPart::alternative()
                        .singlepart(part(ContentType::TEXT_PLAIN, &self.text))
                        .singlepart(part(ContentType::TEXT_HTML, &self.html)),
                )
        };
        // The checks above are meant to make this unreachable; should lettre still panic on
        // some input, that one mail fails for good instead of the daemon.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)) {
            Ok(Ok(m)) => Ok(m),
            Ok(Err(e)) => Err(why(Msg::both(e.to_string()))),
            Err(_) => Err(why(Msg::new("e-postbiblioteket avbröt (lettre)", "the mail library gave up (lettre)"))),
        }
    }
}

fn part(content_type: ContentType, body: &str) -> SinglePart {
    let body = Body::new_with_encoding(body.to_owned(), ContentTransferEncoding::QuotedPrintable).unwrap_or_else(Body::new);
    SinglePart::builder().header(content_type).body(body)
}
