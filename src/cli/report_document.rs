//! `arshjul report-document --plan ID [--organisation O] [--year ÅR | --from D --to D]
//! --format html|docx [--output FIL]`: the annual follow-up report ("Uppföljning av
//! utvecklingsplan", `crate::audit::document`) from what was recorded.

use super::audit::{Kind, bound, write_out};
use crate::audit::select::suggest;
use crate::audit::{Document, Scope};
use crate::clock::Clock;
use crate::definition::model::{Organisation, Plan};
use crate::definition::{Lang, Model, load_dir};
use crate::msg::Msg;
use crate::store::Store;
use crate::store::overview::OverviewQuery;
use chrono::NaiveDate;
use chrono_tz::Europe::Stockholm;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ReportDocumentArgs {
    /// Planen (id, eller `organisation/plan` när flera organisationer har samma id).
    #[arg(long)]
    pub plan: String,
    #[arg(long)]
    pub organisation: Option<String>,
    /// Uppföljningsåret (kalenderår): kontrollpunkter som förföll det året. Standard: planens hela period.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub year: Option<i32>,
    /// Förföll från och med: ett datum eller en period (`vt 2019`).
    #[arg(long)]
    pub from: Option<String>,
    /// Förföll till och med: ett datum eller en period.
    #[arg(long)]
    pub to: Option<String>,
    /// html (utskriftsklar, A4) eller docx (Word).
    #[arg(long, value_enum, default_value_t = DocFormat::Html)]
    pub format: DocFormat,
    /// Skriv till denna fil (krävs för docx i en terminal).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Definitionerna (standard: workflows/ eller ARSHJUL_WORKFLOWS).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Html,
    Docx,
}

/// The history's anchor to print in the report: the store-wide anchor over every
/// checkpoint's hash chain, as `arshjul audit anchor` prints it (`SEQ:HEX`), after walking
/// and checking the whole history. A history that does not verify gets no anchor but says so.
pub async fn history_anchor(store: &Store, _organisation: &str) -> Option<String> {
    match store.verify_chain(None).await {
        Ok(audit) if audit.intact() => Some(audit.anchor.to_string()),
        Ok(audit) => Some(format!("HISTORIKEN ÄR INTE INTAKT ({} avvikelser; se `arshjul audit verify`)", audit.findings.len())),
        Err(_) => None,
    }
}

/// The plan `wanted` (`plan` or `organisation/plan`), or a refusal with suggestions.
pub fn find_plan<'m>(model: &'m Model, organisation: Option<&str>, wanted: &str) -> Result<(&'m Organisation, &'m Plan), Msg> {
    let (org_want, plan_want) = match (organisation, wanted.split_once('/')) {
        (Some(o), _) => (Some(o), wanted),
        (None, Some((o, p))) => (Some(o), p),
        (None, None) => (None, wanted),
    };
    let found: Vec<(&Organisation, &Plan)> = model
        .organisations
        .iter()
        .filter(|o| org_want.is_none_or(|w| *o.id == *w))
        .flat_map(|o| o.plans.iter().map(move |p| (o, p)))
        .filter(|(_, p)| *p.id == *plan_want)
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let all: Vec<String> = model.organisations.iter().flat_map(|o| o.plans.iter().map(|p| p.id.to_string())).collect();
            let near = suggest(plan_want, all.iter().map(String::as_str));
            let hint = |sv: bool| match near.first() {
                Some(n) => {
                    if sv {
                        format!(" Menade du `{n}`?")
                    } else {
                        format!(" Did you mean `{n}`?")
                    }
                }
                None => String::new(),
            };
            let list = all.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
            Err(Msg::new(
                format!("okänd plan `{wanted}` (`--plan`).{} Planer i definitionerna: {list}. Inget har ändrats.", hint(true)),
                format!("unknown plan `{wanted}` (`--plan`).{} Plans in the definitions: {list}. Nothing was changed.", hint(false)),
            ))
        }
        many => {
            let list = many.iter().map(|(o, p)| format!("`{}/{}`", o.id, p.id)).collect::<Vec<_>>().join(", ");
            Err(Msg::new(
                format!("planen `{wanted}` finns i flera organisationer: skriv {list} eller ange `--organisation`."),
                format!("the plan `{wanted}` exists in several organisations: write {list} or give `--organisation`."),
            ))
        }
    }
}

/// The report's period: a calendar year, a date range, or the plan's period.
pub fn scope(plan: &Plan, year: Option<i32>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Scope, Msg> {
    if let Some(y) = year {
        let (Some(f), Some(t)) = (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31)) else {
            return Err(Msg::new(format!("okänt år {y} (`--year`)."), format!("unknown year {y} (`--year`).")));
        };
        return Ok(Scope { from: f, to: t, label: y.to_string() });
    }
    let f = from.unwrap_or(plan.period.start);
    let t = to.unwrap_or(plan.period.end);
    if t < f {
        return Err(Msg::new(
            format!("--to ({t}) ligger före --from ({f}); byt plats på dem. Inget har ändrats."),
            format!("--to ({t}) is before --from ({f}); swap them. Nothing was changed."),
        ));
    }
    let label = if from.is_none() && to.is_none() { plan.period_text.clone() } else { format!("{f} – {t}") };
    Ok(Scope { from: f, to: t, label })
}

pub fn run(a: ReportDocumentArgs, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let dir = a.dir.clone().unwrap_or_else(super::default_dir);
    let model = match load_dir(&dir) {
        Ok(m) => m,
        Err(diags) => {
            super::print_diagnostics(&diags, lang);
            return ExitCode::from(2);
        }
    };
    let (org, plan) = match find_plan(&model, a.organisation.as_deref(), &a.plan) {
        Ok(x) => x,
        Err(m) => return super::fail("report-document", lang, m),
    };
    let bounds =
        (a.from.as_deref().map(|t| bound("--from", t, false)).transpose(), a.to.as_deref().map(|t| bound("--to", t, true)).transpose());
    let scope = match bounds {
        (Ok(f), Ok(t)) => match scope(plan, a.year, f, t) {
            Ok(s) => s,
            Err(m) => return super::fail("report-document", lang, m),
        },
        (Err(e), _) | (_, Err(e)) => return super::fail("report-document", lang, e),
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return super::fail("report-document", lang, Msg::new(format!("{e}"), format!("{e}"))),
    };
    let q = OverviewQuery {
        organisation: Some(org.id.to_string()),
        plan: Some(plan.id.to_string()),
        from: Some(scope.from),
        to: Some(scope.to),
        ..Default::default()
    };
    let read = rt.block_on(async {
        let store = Store::open_command(&super::state::database_url()).await?;
        let promised = store.audit_rows(&q).await?;
        let people = store.people().await?;
        let anchor = history_anchor(&store, &org.id).await;
        store.close().await;
        Ok::<_, crate::store::StoreError>((promised, people, anchor))
    });
    let (promised, people, anchor) = match read {
        Ok(x) => x,
        Err(e) => return super::fail("report-document", lang, e),
    };
    let today = clock.today(Stockholm);
    let rows = crate::audit::rows(&promised, &model, &people, today);
    let doc = Document::build(org, plan, &rows, scope, today, anchor);
    let out = a.output.as_deref();
    match a.format {
        DocFormat::Html => write_out("report-document", out, doc.html().as_bytes(), Kind::Text, lang),
        DocFormat::Docx => match doc.docx() {
            Ok(bytes) => write_out("report-document", out, &bytes, Kind::Binary, lang),
            Err(_) => super::fail("report-document", lang, Msg::new("dokumentet blev större än 4 GiB.", "the document exceeds 4 GiB.")),
        },
    }
}
