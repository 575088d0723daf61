//! arshjul: keeps the annual quality cycle (*årshjul*) of Swedish school organisers honest.
//!
//! # Layout
//!
//! The crate is a functional core with an imperative shell (see `ARCHITECTURE.md`):
//!
//! - [`calendar`]: Swedish holidays, terms, school breaks, ISO weeks, working days and
//!   recurrence rules, all in Europe/Stockholm. Pure.
//! - [`definition`]: the YAML definition language (organisation, wheel, plans), Swedish
//!   period expressions, validation with located diagnostics, and the checked [`definition::Model`]. Pure
//!   except for [`definition::load_dir`], which reads the files.
//! - [`schedule`]: `expand(model, calendar, window) -> Vec<Checkpoint>` with stable ids. Pure.
//! - [`workflow`]: the follow-up state machine (planned → open → reported → approved, with
//!   overdue, missed, waived, cancelled, rescheduled); events in, status out. Pure.
//! - [`store`]: checkpoint state on SQLite or PostgreSQL (sqlx), synced by stable id, with
//!   the append-only event history.
//! - [`ical`]: iCalendar feeds (RFC 5545) of checkpoints per person, role and unit. Pure.
//! - [`config`]: `config/arshjul.toml` with environment overrides.
//! - [`clock`]: the one injected source of "now".
//! - [`msg`]: one message in Swedish and English.
//! - [`web`]: the web pages (axum, maud): report forms from the reminders' links, sign-in
//!   by email, per-role access.
//! - [`audit`]: "did the follow-up happen?" per promised checkpoint, the summary figures,
//!   and the annual follow-up report (HTML, DOCX). Pure.
//! - [`export`]: ZIP, XLSX and XML escaping for the office files, written by hand. Pure.
//! - [`cli`]: argument parsing and wiring for the `arshjul` binary.

// The one exception is `store::sqlite_raw` (SQLite's C API for `audit verify`'s walk).
#![deny(unsafe_code)]

pub mod audit;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod definition;
pub mod engine;
pub mod export;
pub mod ical;
pub mod mail;
pub mod msg;
pub mod remind;
pub mod schedule;
pub mod store;
pub mod synth;
pub mod tls;
pub mod web;
pub mod workflow;
