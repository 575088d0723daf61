//! Reminder email: composing digests in Swedish (and English) and sending them over SMTP.
//! (Being written.)
