//! `arshjul audit [filters] [--format table|json|csv|xlsx] [--output FIL]`: "did the
//! follow-up happen?" — one row per promised follow-up with what the history says, and the
//! summary per plan, unit and role (`crate::audit`). The command takes subcommands beside
//! its filters (`arshjul audit verify`, `arshjul audit anchor`: [`AuditCommand`], in
//! `audit_verify`); without one it prints the table.

use crate::audit::select::{Selection, check};
use crate::audit::{Summary, render};
use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::definition::{Lang, Model, load_dir, period};
use crate::msg::Msg;
use crate::store::Store;
use chrono::NaiveDate;
use chrono_tz::Europe::Stockholm;
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `arshjul audit`: the table by default, or one of the subcommands.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    #[command(flatten)]
    pub table: TableArgs,
}

/// The audit's subcommands: the hash chain's `verify` and `anchor`.
pub use super::audit_verify::AuditCommand;

#[derive(Args, Debug)]
pub struct TableArgs {
    /// Bara denna organisation (id).
    #[arg(long)]
    pub organisation: Option<String>,
    /// Bara denna plan (id).
    #[arg(long)]
    pub plan: Option<String>,
    /// Förfaller från och med: ett datum (2021-01-01) eller en period (`ht 2020` = dess början).
    #[arg(long)]
    pub from: Option<String>,
    /// Förfaller till och med: ett datum eller en period (`vt 2021` = dess slut).
    #[arg(long)]
    pub to: Option<String>,
    /// Bara denna enhet (id).
    #[arg(long)]
    pub unit: Option<String>,
    /// Bara kontrollpunkter som denna roll ansvarar för (id).
    #[arg(long)]
    pub role: Option<String>,
    /// table (terminalen), json, csv (UTF-8, kommaseparerad, RFC 4180) eller xlsx (Excel).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Skriv till denna fil i stället för till terminalen (krävs för xlsx i en terminal).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Definitionerna (namn på planer, enheter, roller och organisationens kalender;
    /// standard: workflows/ eller ARSHJUL_WORKFLOWS).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Xlsx,
}

/// A date or the start (end) of a period (`ht 2020`), as `plan --from/--to` read them.
pub(crate) fn bound(flag: &str, text: &str, end: bool) -> Result<NaiveDate, Msg> {
    let cal = Calendar::default();
    let r = period::parse_period(text).and_then(|p| p.resolve(&cal, None)).map_err(|e| {
        Msg::new(
            format!("{flag} `{text}`: {} Skriv ett datum (2021-01-01) eller en period (`ht 2020`, `2019`). Inget har ändrats.", e.sv),
            format!("{flag} `{text}`: {} Write a date (2021-01-01) or a period (`ht 2020`, `2019`). Nothing was changed.", e.en),
        )
    })?;
    Ok(if end { r.end } else { r.start })
}

/// The definitions for names and calendars; when they cannot be loaded the audit goes on with
/// ids for names and the standard calendar (said on stderr).
pub(crate) fn model_or_empty(dir: &Path, lang: Lang) -> Model {
    match load_dir(dir) {
        Ok(m) => m,
        Err(diags) => {
            let n = diags.iter().filter(|d| d.is_error()).count();
            let msg = Msg::new(
                format!(
                    "varning: definitionerna i {} går inte att läsa ({n} fel, se `arshjul check`); id:n visas i stället för namn och standardkalendern räknar arbetsdagar.",
                    dir.display()
                ),
                format!(
                    "warning: the definitions in {} cannot be loaded ({n} errors, see `arshjul check`); ids are shown instead of names and the standard calendar counts working days.",
                    dir.display()
                ),
            );
            errln!("arshjul audit: {}", msg.get(lang));
            Model::default()
        }
    }
}

/// What is written: text for people (a line end added on a terminal), text for programs
/// (as is), or a binary file (never to a terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Raw,
    Binary,
}

/// The definitions the audit needs: with `--organisation`, only that organisation's
/// directory when it has one of its own (`DIR/<id>/`, the usual layout) and it holds the
/// organisation — a national set is loaded in a fraction of the time; else all of `dir`.
pub(crate) fn model_for(dir: &Path, organisation: Option<&str>, lang: Lang) -> Model {
    if let Some(org) = organisation {
        let own = dir.join(org);
        if own.is_dir()
            && let Ok(m) = load_dir(&own)
            && m.organisations.iter().any(|o| *o.id == *org)
        {
            return m;
        }
    }
    model_or_empty(dir, lang)
}

/// Writes `bytes` to `output`, or to stdout; refuses binary output to a terminal.
pub(crate) fn write_out(cmd: &str, output: Option<&Path>, bytes: &[u8], kind: Kind, lang: Lang) -> ExitCode {
    match output {
        Some(p) => match std::fs::write(p, bytes) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => super::fail(
                cmd,
                lang,
                Msg::new(format!("kan inte skriva {}: {e}", p.display()), format!("cannot write {}: {e}", p.display())),
            ),
        },
        None if kind == Kind::Binary && std::io::stdout().is_terminal() => super::fail(
            cmd,
            lang,
            Msg::new(
                "filen är binär och skrivs inte till terminalen: ange `--output FIL` (t.ex. `--output revision.xlsx`).",
                "the file is binary and is not written to a terminal: give `--output FILE` (e.g. `--output audit.xlsx`).",
            ),
        ),
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes);
            if kind == Kind::Text {
                let _ = out.write_all(b"\n");
            }
            ExitCode::SUCCESS
        }
    }
}

pub fn run(args: AuditArgs, lang: Lang, clock: &dyn Clock) -> ExitCode {
    match args.command {
        Some(cmd) => super::audit_verify::run(cmd, lang),
        None => run_table(args.table, lang, clock),
    }
}

fn run_table(a: TableArgs, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let (from, to) = match (
        a.from.as_deref().map(|t| bound("--from", t, false)).transpose(),
        a.to.as_deref().map(|t| bound("--to", t, true)).transpose(),
    ) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return super::fail("audit", lang, e),
    };
    let sel = Selection { organisation: a.organisation, plan: a.plan, unit: a.unit, role: a.role, from, to, organisations: vec![] };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return super::fail("audit", lang, Msg::new(format!("{e}"), format!("{e}"))),
    };
    let read = rt.block_on(async {
        let store = Store::open_command(&super::state::database_url()).await?;
        // Probe the named values; read the lists for suggestions only when one is unknown.
        let mut all_known = true;
        for (col, v) in [("organisation", &sel.organisation), ("plan", &sel.plan), ("unit", &sel.unit), ("owner_role", &sel.role)] {
            if let Some(v) = v {
                all_known &= store.audit_has(col, v).await?;
            }
        }
        let known = if all_known {
            crate::store::Known::from_selection(&sel.organisation, &sel.plan, &sel.unit, &sel.role)
        } else {
            store.audit_known().await?
        };
        if let Err(m) = check(&sel, &known) {
            return Ok(Err(m));
        }
        let promised = store.audit_rows(&sel.query()).await?;
        let people = match &sel.organisation {
            Some(o) => store.people_in(std::slice::from_ref(o)).await?,
            None => store.people().await?,
        };
        store.close().await;
        Ok::<_, crate::store::StoreError>(Ok((promised, people)))
    });
    let (promised, people) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(m)) => return super::fail("audit", lang, m),
        Err(e) => return super::fail("audit", lang, e),
    };
    let model = model_for(&a.dir.unwrap_or_else(super::default_dir), sel.organisation.as_deref(), lang);
    let rows = crate::audit::rows(&promised, &model, &people, clock.today(Stockholm));
    let summary = Summary::of(&rows, lang);
    let out = a.output.as_deref();
    match a.format {
        Format::Table => write_out("audit", out, render::table(&rows, &summary, lang).as_bytes(), Kind::Text, lang),
        Format::Json => write_out("audit", out, render::json(&rows, &summary).as_bytes(), Kind::Text, lang),
        Format::Csv => write_out("audit", out, render::csv(&rows, lang).as_bytes(), Kind::Raw, lang),
        Format::Xlsx => match crate::audit::xlsx(&rows, &summary, lang) {
            Ok(bytes) => write_out("audit", out, &bytes, Kind::Binary, lang),
            Err(_) => super::fail(
                "audit",
                lang,
                Msg::new("arbetsboken blev större än 4 GiB; begränsa urvalet.", "the workbook exceeds 4 GiB; narrow the selection."),
            ),
        },
    }
}
