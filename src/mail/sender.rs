//! The engine's [`Sender`] over SMTP: compose the digest, send it, and map the outcome to a
//! [`Delivery`] in the configured language (a mail that cannot be built is permanent, like a 5xx reply).

use super::Links;
use super::compose::compose_linked;
use super::transport::{Mailer, SendError, SendErrorKind};
use crate::definition::Lang;
use crate::engine::{Delivery, Sender};
use crate::remind::Digest;
use lettre::message::Mailbox;

/// Sends digests through a [`Mailer`] as `from`, in `lang`.
#[derive(Clone, Debug)]
pub struct SmtpSender {
    pub mailer: Mailer,
    pub from: Mailbox,
    /// Domain for Message-IDs when the outbox does not give one.
    pub domain: String,
    pub lang: Lang,
    /// The base URL and key for the report links in each mail (`None`: the mail says how
    /// to report on the command line instead).
    pub links: Option<Links>,
}

/// A failure in `lang`: the outbox keeps the reason as text.
fn delivery(e: SendError, lang: Lang) -> Delivery {
    let why = e.message.get(lang).to_owned();
    match e.kind {
        SendErrorKind::Transient => Delivery::Transient(why),
        SendErrorKind::Permanent => Delivery::Permanent(why),
    }
}

impl Sender for SmtpSender {
    /// Uses the outbox's `message_id`, so a resend carries the same id.
    async fn deliver(&self, digest: &Digest, message_id: &str) -> Delivery {
        let mut composed = compose_linked(digest, &self.from, &self.domain, self.lang, self.links.as_ref());
        if !message_id.is_empty() {
            composed.message_id = message_id.to_owned();
        }
        let msg = match composed.message_for(self.mailer.eight_bit()) {
            Ok(m) => m,
            Err(e) => return Delivery::Permanent(e.get(self.lang).to_owned()),
        };
        match self.mailer.send(&msg).await {
            Ok(()) => Delivery::Sent,
            Err(e) => delivery(e, self.lang),
        }
    }
}
