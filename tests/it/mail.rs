//! Mail over a real SMTP server on loopback. (Being written.)
