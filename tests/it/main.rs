//! The integration tests: one binary, one module per area.

mod calendar;
mod check;
mod concurrency_process;
mod daemon;
mod daemon_process;
mod docs;
mod engine;
mod english;
mod expand;
mod fuzz;
mod mail;
mod periods;
mod plan_edits;
mod poison;
mod recovery_process;
mod reschedule_window;
mod seeds;
mod simulate;
mod smtp_server;
mod state;
mod store;
mod support;
mod tcp_proxy;
mod warnings;
mod web_link;
mod web_support;
