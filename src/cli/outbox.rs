//! `arshjul outbox [--status S] [--format table|json]`: every reminder email, whether it was
//! sent, waits for a retry, failed for good (and why), or was repeated after an interrupted
//! try. What the operator reads when someone says "I never got it".

use super::state::Format;
use crate::definition::Lang;
use crate::store::{OutboxRow, Store};
use clap::Args;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct OutboxArgs {
    /// Bara denna status: pending (väntar), sending (skickas), sent (skickad), failed (misslyckad).
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

const STATUSES: [&str; 4] = ["pending", "sending", "sent", "failed"];

pub fn run(args: OutboxArgs, lang: Lang) -> ExitCode {
    if let Some(s) = args.status.as_deref().filter(|s| !STATUSES.contains(s)) {
        let msg = match lang {
            Lang::Sv => format!("okänd status `{s}`; välj en av {}.", STATUSES.join(", ")),
            Lang::En => format!("unknown status `{s}`; choose one of {}.", STATUSES.join(", ")),
        };
        errln!("arshjul outbox: {msg}");
        return ExitCode::from(2);
    }
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return ExitCode::FAILURE };
    rt.block_on(async {
        let store = match Store::open_command(&super::config().database_url).await {
            Ok(s) => s,
            Err(e) => {
                errln!("arshjul outbox: {}", e.get(lang));
                return ExitCode::FAILURE;
            }
        };
        let rows = match store.outbox().await {
            Ok(r) => r,
            Err(e) => {
                errln!("arshjul outbox: {}", e.get(lang));
                return ExitCode::FAILURE;
            }
        };
        store.close().await;
        let rows: Vec<OutboxRow> = rows.into_iter().filter(|r| args.status.as_deref().is_none_or(|s| r.status == s)).collect();
        match args.format {
            Format::Json => outln!("{}", serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())),
            Format::Table => print_table(&rows, lang),
        }
        ExitCode::SUCCESS
    })
}

fn status_word(s: &str, lang: Lang) -> &str {
    match (s, lang) {
        ("pending", Lang::Sv) => "väntar",
        ("sending", Lang::Sv) => "skickas",
        ("sent", Lang::Sv) => "skickad",
        ("failed", Lang::Sv) => "MISSLYCKAD",
        ("failed", Lang::En) => "FAILED",
        (s, _) => s,
    }
}

fn print_table(rows: &[OutboxRow], lang: Lang) {
    for r in rows {
        let repeat = match (r.repeats, lang) {
            (0, _) => String::new(),
            (n, Lang::Sv) => format!("  upprepad {n} gång(er) efter avbrott"),
            (n, Lang::En) => format!("  repeated {n} time(s) after an interruption"),
        };
        let tries = if lang == Lang::Sv { "försök" } else { "attempts" };
        outln!("{}  {:<10} {:<40} {tries} {}{repeat}", r.day, status_word(&r.status, lang), r.recipient, r.attempts);
        if let Some(e) = &r.last_error {
            outln!("            {e}");
        }
    }
    let failed = rows.iter().filter(|r| r.status == "failed").count();
    match lang {
        Lang::Sv => outln!("{} e-post, varav {failed} misslyckade.", rows.len()),
        Lang::En => outln!("{} emails, {failed} failed.", rows.len()),
    }
}
