//! `GET /audit`: "did the follow-up happen?" for the signed-in person — the same rows and
//! summary as `arshjul audit` (`crate::audit`), filtered by plan, unit, role and due dates,
//! over what the viewer may see (`access::can_see`: a rektor sees their units' rows only),
//! with CSV and XLSX downloads. `GET /plans/{plan}/report` (and `.docx`): the annual
//! follow-up report of a plan, for those who get the overview (chefs, the read-only revisor,
//! administrators); others are sent to their own page, an unknown plan is a 404.

use super::access::{Viewer, can_see};
use super::layout::page;
use super::session::MaybeSigned;
use super::{AppState, WebError, t};
use crate::audit::select::Selection;
use crate::audit::{AuditRow, Document, Scope, Summary, Verdict, render};
use crate::definition::Lang;
use crate::definition::model::{Organisation, Plan};
use axum::Router;
use axum::extract::{Path, Query, State as AxState};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use maud::{Markup, html};
use std::collections::HashMap;

/// How many rows the page shows at most (the downloads have all).
const PAGE_ROWS: usize = 300;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(show))
        .route("/audit.csv", get(csv))
        .route("/audit.xlsx", get(xlsx))
        .route("/plans/{plan}/report", get(report_html))
        .route("/plans/{plan}/report.docx", get(report_docx))
}

type Params = Query<HashMap<String, String>>;

/// The filters from the query, values the viewer's organisations do not have dropped (and
/// named in the notes).
fn selection(p: &HashMap<String, String>, orgs: &[&Organisation], lang: Lang) -> (Selection, Vec<String>) {
    let mut notes = Vec::new();
    let get = |k: &str| p.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut sel = Selection { organisations: orgs.iter().map(|o| o.id.to_string()).collect(), ..Default::default() };
    let mut pick = |key: &str, ok: bool, sv: &str, en: &str| -> bool {
        if !ok {
            notes.push(format!(
                "{} `{}` {}",
                if lang == Lang::Sv { sv } else { en },
                get(key).unwrap_or_default(),
                t(lang, "finns inte och ignorerades.", "does not exist and was ignored.")
            ));
        }
        ok
    };
    if let Some(o) = get("org")
        && pick("org", orgs.iter().any(|x| *x.id == *o), "Organisationen", "The organisation")
    {
        sel.organisation = Some(o);
    }
    if let Some(v) = get("plan")
        && pick("plan", orgs.iter().any(|o| o.plans.iter().any(|x| *x.id == *v)), "Planen", "The plan")
    {
        sel.plan = Some(v);
    }
    if let Some(v) = get("unit")
        && pick("unit", orgs.iter().any(|o| o.unit(&v).is_some()), "Enheten", "The unit")
    {
        sel.unit = Some(v);
    }
    if let Some(v) = get("role")
        && pick("role", orgs.iter().any(|o| o.role(&v).is_some() || o.group(&v).is_some()), "Rollen", "The role")
    {
        sel.role = Some(v);
    }
    for (key, into) in [("from", &mut sel.from), ("to", &mut sel.to)] {
        if let Some(v) = get(key) {
            match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                Ok(d) => *into = Some(d),
                Err(_) => notes.push(format!(
                    "{} `{v}` {}",
                    t(lang, "Datumet", "The date"),
                    t(lang, "är inget datum (ÅÅÅÅ-MM-DD) och ignorerades.", "is not a date (YYYY-MM-DD) and was ignored.")
                )),
            }
        }
    }
    if let (Some(f), Some(to)) = (sel.from, sel.to)
        && to < f
    {
        notes.push(
            t(
                lang,
                "Till-datumet ligger före från-datumet; datumen ignorerades.",
                "The to date is before the from date; the dates were ignored.",
            )
            .into(),
        );
        sel.from = None;
        sel.to = None;
    }
    (sel, notes)
}

fn query_string(sel: &Selection) -> String {
    let mut parts = Vec::new();
    let enc = super::overview::filter::encode;
    for (k, v) in [("org", &sel.organisation), ("plan", &sel.plan), ("unit", &sel.unit), ("role", &sel.role)] {
        if let Some(v) = v {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    for (k, v) in [("from", sel.from), ("to", sel.to)] {
        if let Some(d) = v {
            parts.push(format!("{k}={d}"));
        }
    }
    parts.join("&")
}

/// The viewer's organisations in the model.
fn organisations<'m>(v: &Viewer, model: &'m crate::definition::Model) -> Vec<&'m Organisation> {
    model.organisations.iter().filter(|o| v.holds.iter().any(|h| *h.organisation == *o.id)).collect()
}

struct Seen {
    viewer: Viewer,
    selection: Selection,
    notes: Vec<String>,
    rows: Vec<AuditRow>,
}

async fn seen(s: &AppState, signed: MaybeSigned, p: &HashMap<String, String>) -> Result<Result<Seen, Response>, WebError> {
    let Some(signed) = signed.0 else { return Ok(Err(Redirect::to("/login").into_response())) };
    let model = s.model();
    let orgs = organisations(&signed.viewer, &model);
    let (selection, notes) = selection(p, &orgs, s.lang);
    if orgs.is_empty() {
        // Holds roles only in organisations the definitions no longer have: nothing to see
        // (an empty list would read every organisation).
        return Ok(Ok(Seen { viewer: signed.viewer, selection, notes, rows: vec![] }));
    }
    let mut promised = s.store.audit_rows(&selection.query()).await.map_err(WebError::store(s.lang))?;
    promised.retain(|x| can_see(&signed.viewer, &x.row, &model));
    let people = s.store.people_in(&selection.organisations).await.map_err(WebError::store(s.lang))?;
    let rows = crate::audit::rows(&promised, &model, &people, s.today());
    Ok(Ok(Seen { viewer: signed.viewer, selection, notes, rows }))
}

fn options(label: &str, name: &str, chosen: Option<&str>, all_label: &str, items: Vec<(String, String)>) -> Markup {
    html! {
        div class="ov-field" {
            label for=(format!("a-{name}")) { (label) }
            select id=(format!("a-{name}")) name=(name) {
                option value="" { (all_label) }
                @for (id, text) in &items {
                    option value=(id) selected[chosen == Some(id.as_str())] { (text) }
                }
            }
        }
    }
}

fn form(sel: &Selection, orgs: &[&Organisation], lang: Lang) -> Markup {
    let mut plans: Vec<(String, String)> = orgs.iter().flat_map(|o| o.plans.iter().map(|p| (p.id.to_string(), p.name.clone()))).collect();
    plans.dedup();
    let units: Vec<(String, String)> = orgs.iter().flat_map(|o| o.units.iter().map(|u| (u.id.to_string(), u.name.clone()))).collect();
    let roles: Vec<(String, String)> = orgs.iter().flat_map(|o| o.roles.iter().map(|r| (r.id.to_string(), r.name.clone()))).collect();
    let all = t(lang, "Alla", "All");
    html! {
        form class="ov-filter" method="get" action="/audit" aria-label=(t(lang, "Filter", "Filters")) {
            (options(t(lang, "Plan", "Plan"), "plan", sel.plan.as_deref(), all, plans))
            (options(t(lang, "Enhet", "Unit"), "unit", sel.unit.as_deref(), all, units))
            (options(t(lang, "Ansvarig roll", "Owner role"), "role", sel.role.as_deref(), all, roles))
            div class="ov-field" {
                label for="a-from" { (t(lang, "Förfaller från", "Due from")) }
                input id="a-from" type="date" name="from" value=(sel.from.map(|d| d.to_string()).unwrap_or_default());
            }
            div class="ov-field" {
                label for="a-to" { (t(lang, "Förfaller till", "Due to")) }
                input id="a-to" type="date" name="to" value=(sel.to.map(|d| d.to_string()).unwrap_or_default());
            }
            div class="ov-actions" { button type="submit" { (t(lang, "Visa", "Show")) } }
        }
    }
}

fn pct(x: Option<f64>) -> String {
    x.map(|x| format!("{:.0} %", x * 100.0)).unwrap_or_else(|| "–".into())
}

fn body(seen: &Seen, orgs: &[&Organisation], lang: Lang, chief: bool) -> Markup {
    let summary = Summary::of(&seen.rows, lang);
    let q = query_string(&seen.selection);
    let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    html! {
        div class="ov" {
        h1 { (t(lang, "Uppföljning: blev det gjort?", "Follow-up: did it happen?")) }
        p class="muted" {
            (t(lang, "En rad per utlovad uppföljning. I tid: rapporterad senast förfallodagen. Sen: rapporterad efter den (arbetsdagar enligt kalendern). Andelarna räknas av de avgjorda (i tid, sena, avskrivna, missade); försenade och ej förfallna räknas för sig.",
                "One row per promised follow-up. On time: reported on or before the due date. Late: reported after it (working days by the calendar). Shares are of the settled ones (on time, late, waived, missed); overdue and not yet due are counted apart."))
        }
        (form(&seen.selection, orgs, lang))
        @for n in &seen.notes { p class="notice" { (n) } }
        section aria-labelledby="a-sum-h" {
            h2 id="a-sum-h" { (t(lang, "Sammanfattning", "Summary")) }
            div class="ov-scroll" tabindex="0" role="region" aria-labelledby="a-sum-h" {
                table class="ov-table" {
                    thead { tr {
                        th scope="col" { (t(lang, "Grupp", "Group")) } th scope="col" { (t(lang, "Namn", "Name")) }
                        th scope="col" { (t(lang, "Antal", "Count")) } th scope="col" { (t(lang, "I tid", "On time")) }
                        th scope="col" { (t(lang, "Sena", "Late")) } th scope="col" { (t(lang, "Avskrivna", "Waived")) }
                        th scope="col" { (t(lang, "Missade", "Missed")) } th scope="col" { (t(lang, "Försenade", "Overdue")) }
                        th scope="col" { (t(lang, "Ej förfallna", "Not yet due")) }
                    } }
                    tbody {
                        @for g in &summary.groups {
                            @let c = &g.counts;
                            tr {
                                td { (if lang == Lang::Sv { g.dimension.sv() } else { g.dimension.en() }) }
                                th scope="row" { (g.name) }
                                td { (c.total) }
                                td { (pct(c.share(c.on_time))) " (" (c.on_time) ")" }
                                td { (pct(c.share(c.late))) " (" (c.late) ")" }
                                td { (pct(c.share(c.waived))) " (" (c.waived) ")" }
                                td { (pct(c.share(c.missed))) " (" (c.missed) ")" }
                                td { (c.overdue) } td { (c.pending) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="a-rows-h" {
            h2 id="a-rows-h" { (t(lang, "Uppföljningarna", "The follow-ups")) " (" (seen.rows.len()) ")" }
            @if seen.rows.len() > PAGE_ROWS {
                p class="muted" { (t(lang, "Sidan visar de första 300; filerna nedan har alla.", "The page shows the first 300; the files below have all.")) }
            }
            div class="ov-scroll" tabindex="0" role="region" aria-labelledby="a-rows-h" {
                table class="ov-table a-rows" {
                    thead { tr {
                        th scope="col" { (t(lang, "Förfaller", "Due")) } th scope="col" { (t(lang, "Kontrollpunkt", "Checkpoint")) }
                        th scope="col" { (t(lang, "Enhet", "Unit")) } th scope="col" { (t(lang, "Ansvarig", "Owner")) }
                        th scope="col" { (t(lang, "Bedömning", "Verdict")) } th scope="col" { (t(lang, "Sen (arbetsdagar)", "Late (working days)")) }
                        th scope="col" { (t(lang, "Rapporterad", "Reported")) } th scope="col" { (t(lang, "Godkänd", "Approved")) }
                        th scope="col" { (t(lang, "Avskriven, skäl", "Waived, why")) }
                    } }
                    tbody {
                        @for r in seen.rows.iter().take(PAGE_ROWS) {
                            tr {
                                td class="a-date" { (d(r.due)) }
                                td { a href=(super::overview::checkpoint_href(&r.checkpoint)) { (r.title) } }
                                td { (r.unit_name.as_deref().unwrap_or("–")) }
                                td { (r.owner_role_name) @if !r.owner_people.is_empty() { " (" (r.owner_people) ")" } }
                                td { (r.verdict.get(lang)) @if r.missed && r.verdict != Verdict::Missed { " " (t(lang, "(efter missad)", "(after missed)")) } }
                                td { (r.late_working_days.map(|n| n.to_string()).unwrap_or_default()) }
                                td { (d(r.reported_on)) " " (r.reported_by.as_deref().unwrap_or("")) }
                                td { (d(r.approved_on)) " " (r.approved_by.as_deref().unwrap_or("")) }
                                td { (r.waived_reason.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="a-dl-h" {
            h2 id="a-dl-h" { (t(lang, "Ladda ner", "Download")) }
            ul {
                li { a href=(format!("/audit.xlsx?{q}")) download { (t(lang, "Uppföljningarna och sammanfattningen (Excel, XLSX)", "The follow-ups and the summary (Excel, XLSX)")) } }
                li { a href=(format!("/audit.csv?{q}")) download { (t(lang, "Uppföljningarna (CSV)", "The follow-ups (CSV)")) } }
            }
        }
        @if chief {
            section aria-labelledby="a-rep-h" {
                h2 id="a-rep-h" { (t(lang, "Årsrapporter", "Annual reports")) }
                ul {
                    @for o in orgs { @for p in &o.plans {
                        li {
                            a href=(report_href(o, p)) { (t(lang, "Uppföljning av utvecklingsplan: ", "Follow-up of the development plan: ")) (p.name) }
                            " · "
                            a href=(format!("/plans/{}/report.docx?org={}", super::encode_segment(&p.id), super::encode_segment(&o.id))) download { "DOCX" }
                        }
                    } }
                }
            }
        }
        }
    }
}

fn report_href(o: &Organisation, p: &Plan) -> String {
    format!("/plans/{}/report?org={}", super::encode_segment(&p.id), super::encode_segment(&o.id))
}

async fn show(AxState(s): AxState<AppState>, signed: MaybeSigned, Query(p): Params) -> Result<Response, WebError> {
    let seen = match seen(&s, signed, &p).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let model = s.model();
    let orgs = organisations(&seen.viewer, &model);
    let chief = seen.viewer.is_chief(&model);
    let title = t(s.lang, "Uppföljning", "Follow-up");
    Ok(page(title, Some(&seen.viewer), s.lang, body(&seen, &orgs, s.lang, chief)).into_response())
}

fn file(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn csv(AxState(s): AxState<AppState>, signed: MaybeSigned, Query(p): Params) -> Result<Response, WebError> {
    Ok(match seen(&s, signed, &p).await? {
        Ok(x) => file("text/csv; charset=utf-8", "uppfoljning.csv", render::csv(&x.rows, s.lang).into_bytes()),
        Err(r) => r,
    })
}

async fn xlsx(AxState(s): AxState<AppState>, signed: MaybeSigned, Query(p): Params) -> Result<Response, WebError> {
    let x = match seen(&s, signed, &p).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let summary = Summary::of(&x.rows, s.lang);
    match crate::audit::xlsx(&x.rows, &summary, s.lang) {
        Ok(bytes) => Ok(file(XLSX, "uppfoljning.xlsx", bytes)),
        Err(_) => Err(WebError::NotFound(s.lang)),
    }
}

/// The report of the plan the viewer may see, or where to send them.
async fn document(
    s: &AppState,
    signed: MaybeSigned,
    plan: &str,
    p: &HashMap<String, String>,
) -> Result<Result<(Viewer, Document), Response>, WebError> {
    let Some(signed) = signed.0 else { return Ok(Err(Redirect::to("/login").into_response())) };
    let model = s.model();
    if !signed.viewer.is_chief(&model) {
        return Ok(Err(Redirect::to("/").into_response()));
    }
    let orgs = organisations(&signed.viewer, &model);
    let wanted_org = p.get("org").map(String::as_str);
    let Some((org, plan)) = orgs
        .iter()
        .filter(|o| wanted_org.is_none_or(|w| *o.id == *w))
        .find_map(|o| o.plans.iter().find(|x| *x.id == *plan).map(|x| (*o, x)))
    else {
        return Err(WebError::NotFound(s.lang));
    };
    let year = p.get("year").and_then(|y| y.trim().parse::<i32>().ok()).filter(|y| (1900..=9999).contains(y));
    let scope = match year {
        Some(y) => Scope {
            from: NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(plan.period.start),
            to: NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(plan.period.end),
            label: y.to_string(),
        },
        None => Scope { from: plan.period.start, to: plan.period.end, label: plan.period_text.clone() },
    };
    let sel = Selection {
        organisation: Some(org.id.to_string()),
        plan: Some(plan.id.to_string()),
        from: Some(scope.from),
        to: Some(scope.to),
        ..Default::default()
    };
    let mut promised = s.store.audit_rows(&sel.query()).await.map_err(WebError::store(s.lang))?;
    promised.retain(|x| can_see(&signed.viewer, &x.row, &model));
    let people = s.store.people_in(&[org.id.to_string()]).await.map_err(WebError::store(s.lang))?;
    let rows = crate::audit::rows(&promised, &model, &people, s.today());
    let anchor = crate::cli::history_anchor(&s.store, &org.id).await;
    Ok(Ok((signed.viewer, Document::build(org, plan, &rows, scope, s.today(), anchor))))
}

async fn report_html(
    AxState(s): AxState<AppState>,
    signed: MaybeSigned,
    Path(plan): Path<String>,
    Query(p): Params,
) -> Result<Response, WebError> {
    let (viewer, doc) = match document(&s, signed, &plan, &p).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let mut q = format!("org={}", super::encode_segment(p.get("org").map(String::as_str).unwrap_or("")));
    if let Some(y) = p.get("year") {
        q.push_str(&format!("&year={}", super::encode_segment(y)));
    }
    let actions = html! {
        p {
            a href="/audit" { (t(s.lang, "← Uppföljning", "← Follow-up")) }
            " · "
            a href=(format!("/plans/{}/report.docx?{q}", super::encode_segment(&plan))) download { (t(s.lang, "Ladda ner som Word (DOCX)", "Download as Word (DOCX)")) }
        }
    };
    Ok(page(&doc.title, Some(&viewer), s.lang, doc.html_body(Some(actions))).into_response())
}

async fn report_docx(
    AxState(s): AxState<AppState>,
    signed: MaybeSigned,
    Path(plan): Path<String>,
    Query(p): Params,
) -> Result<Response, WebError> {
    let (_, doc) = match document(&s, signed, &plan, &p).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    match doc.docx() {
        Ok(bytes) => Ok(file(
            DOCX,
            &format!("uppfoljning-{}.docx", doc.plan_id.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")),
            bytes,
        )),
        Err(_) => Err(WebError::NotFound(s.lang)),
    }
}
