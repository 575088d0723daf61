//! A digest becomes a [`Composed`] mail (subject, text and HTML bodies, deterministic headers)
//! and then a `lettre::Message`: multipart/alternative, both parts quoted-printable (so the
//! raw message stays mostly readable and its encoding predictable).

use super::{html, text};
use crate::definition::Lang;
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

/// Renders `digest` in `lang`; the Message-ID is `digest.message_id(domain)`.
pub fn compose(digest: &Digest, from: &Mailbox, domain: &str, lang: Lang) -> Composed {
    let subject = subject(digest, lang);
    Composed {
        from: from.clone(),
        to: digest.to.email.clone(),
        to_name: digest.to.name.clone(),
        text: text::body(digest, lang),
        html: html::body(digest, &subject, lang),
        subject,
        message_id: digest.message_id(domain),
        date: digest.send_at,
    }
}

impl Composed {
    /// The MIME message, or a Swedish reason when the recipient's address is not usable
    /// (a permanent failure: retrying will not help).
    pub fn message(&self) -> Result<Message, String> {
        let address =
            self.to.parse().map_err(|e| format!("ogiltig mottagaradress `{}`: {e}. Rätta e-postadressen i personkatalogen.", self.to))?;
        let name = Some(self.to_name.clone()).filter(|n| !n.trim().is_empty());
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
            .map_err(|e| format!("e-postmeddelandet kunde inte byggas: {e}"))
    }
}

fn part(content_type: ContentType, body: &str) -> SinglePart {
    let body = Body::new_with_encoding(body.to_owned(), ContentTransferEncoding::QuotedPrintable).unwrap_or_else(Body::new);
    SinglePart::builder().header(content_type).body(body)
}
