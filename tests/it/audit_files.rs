//! The office files read back by independent readers (Python's openpyxl and python-docx, in
//! the venv `.ci/run` makes from tests/python-requirements.txt; `ARSHJUL_PYTHON` names its
//! interpreter): the annual report for Timrå 2019 built from recorded reports has seed 003's
//! activities in order with their outcomes, the plan's diarienummer and real headings; the
//! audit workbook has typed columns (dates as dates, numbers as numbers), a frozen header,
//! an autofilter, the summary sheet, and a formula typed into a report left harmless.

use crate::support::{TempDir, arshjul_env, sqlite_url};
use arshjul::calendar::DateRange;
use arshjul::definition::load_dir;
use arshjul::store::Store;
use arshjul::workflow::{Command, Outcome, Report, Today};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Seed 003's ten activities (in the report's order): id in the fixture, outcome,
/// Uppföljning, Analys.
const SEED_003: [(&str, Outcome, &str, &str); 10] = [
    (
        "barnskotare",
        Outcome::EjGenomford,
        "Denna utbildningsinsats är ej genomförd",
        "Denna utbildningsinsats finns ej ekonomiska förutsättningar att genomföra 2019.",
    ),
    (
        "vuxenutbildning",
        Outcome::PaborjadEjSlutford,
        "Rektor samt kvalitets- och verksamhetscontroller har påbörjat ett arbete för att förbättra strukturen.",
        "Denna aktivitet är påbörjad men ej slutförd.",
    ),
    (
        "krankande-behandling",
        Outcome::Genomford,
        "Huvudmannen har stöttat samtliga enheter i att utveckla sina arbetsprocesser.",
        "De förbättrade arbetsprocesserna har inneburit att antalet anmälningar har ökat.",
    ),
    (
        "extra-anpassningar",
        Outcome::PaborjadEjSlutford,
        "Arbetet med extra anpassningar och särskilt stöd har tydliggjorts i processbeskrivningar.",
        "Arbetet behöver följas och stödjas en längre tid.",
    ),
    (
        "processer-2c8",
        Outcome::PaborjadEjSlutford,
        "Arbetet är påbörjat och kommer att pågå ytterligare några år.",
        "Vi kan se nyttan av att processerna ritas in i systemet.",
    ),
    (
        "ledningsprocesser",
        Outcome::PaborjadEjSlutford,
        "Arbetet påbörjat av en utsedd grupp av rektorer.",
        "Arbetet påverkar skolledarnas förståelse för uppdraget positivt.",
    ),
    ("arbetsmiljo-nya-chefer", Outcome::EjPaborjad, "Ej påbörjat på grund av att vår HR-strateg har slutat.", "-"),
    (
        "ledningsstruktur",
        Outcome::Genomford,
        "Förvaltningsledningen har träffats för att hitta former för ett hållbart ledarskap.",
        "Vi förbättrar rektorernas möjligheter att lyckas i uppdraget.",
    ),
    (
        "plattform",
        Outcome::Genomford,
        "Samtliga skolledare erbjöds handledning i arbetet med att etablera sin plattform.",
        "Handledning behöver utgå från individuella behov.",
    ),
    (
        "it-projekt",
        Outcome::PaborjadEjSlutford,
        "Vi har under våren 2019 påbörjat ett projekt inom IT som vi kallar Modern IT i skolan, MITS.",
        "-",
    ),
];

const INJECTION: &str = "=cmd|' /C calc'!A0";

/// The venv's Python (ARSHJUL_PYTHON, else `target/pyenv` as `.ci/run` makes it).
pub fn python() -> PathBuf {
    let p = std::env::var_os("ARSHJUL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python"));
    assert!(p.exists(), "{} is missing: run `.ci/run deps` (it makes the venv from tests/python-requirements.txt)", p.display());
    p
}

fn run_python(script: &str, args: &[&Path]) -> Value {
    let out = std::process::Command::new(python()).arg("-c").arg(script).args(args).output().expect("run python");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("python prints JSON")
}

const READ_DOCX: &str = r#"
import json, sys, docx
d = docx.Document(sys.argv[1])
paras = [{"style": p.style.name, "text": p.text} for p in d.paragraphs]
tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
sect = d.sections[0]
print(json.dumps({"paras": paras, "tables": tables, "page_mm": [round(sect.page_width.mm), round(sect.page_height.mm)], "title": d.core_properties.title}))
"#;

const READ_XLSX: &str = r#"
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def cell(c):
    v = c.value
    if isinstance(v, datetime.datetime): return {"date": v.date().isoformat(), "fmt": c.number_format}
    return {"v": v, "type": c.data_type}
out = {"sheets": wb.sheetnames}
ws = wb.worksheets[0]
out["freeze"] = ws.freeze_panes
out["filter"] = ws.auto_filter.ref
out["header"] = [c.value for c in ws[1]]
out["rows"] = [[cell(c) for c in r] for r in ws.iter_rows(min_row=2)]
s = wb.worksheets[1]
out["summary"] = [[c.value for c in r] for r in s.iter_rows()]
print(json.dumps(out))
"#;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn timra_2019_report_and_audit_workbook_read_back_by_independent_readers() {
    let t = TempDir::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["organisation.yaml", "arshjul.yaml"] {
        t.write(&format!("defs/timra/{f}"), std::fs::read(root.join("workflows/timra").join(f)).unwrap());
    }
    t.write("defs/timra/plan-2019.yaml", std::fs::read(root.join("tests/it/fixtures/timra-2019/plan-2019.yaml")).unwrap());
    let defs = t.path().join("defs");
    let model = load_dir(&defs).unwrap();
    let url = sqlite_url(&t);
    let store = Store::open(&url).await.unwrap();
    let window = DateRange::new(d("2019-01-01"), d("2019-12-31")).unwrap();
    store.sync(&arshjul::schedule::expand(&model, window), window, Utc.with_ymd_and_hms(2019, 1, 2, 8, 0, 0).unwrap()).await.unwrap();
    // Each activity reported as in seed 003; the last one three days late, by a "person"
    // whose name is a formula.
    for (i, (id, outcome, uppfoljning, analys)) in SEED_003.iter().enumerate() {
        let cp = format!("timra/aktiviteter-2019/{id}/uppfoljning");
        let reason = outcome.needs_reason().then(|| "Ekonomiska förutsättningar saknas.".to_owned());
        let r = Report { outcome: *outcome, reason, uppfoljning: (*uppfoljning).into(), analys: (*analys).into(), links: vec![] };
        let (day, actor) = if i == 9 { (d("2019-06-19"), INJECTION) } else { (d("2019-06-10"), "karl.brunn@timra.se") };
        let now = Utc.from_utc_datetime(&day.and_hms_opt(8, 0, 0).unwrap());
        let today = Today { date: day, target_is_working_day: true, window: None };
        store.act(&cp, &Command::Report(r), actor, now, today).await.unwrap().unwrap();
    }
    store.close().await;

    let people = t.write("people.csv", "organisation,role,unit,name,email\n").display().to_string();
    let env = [("DATABASE_URL", url.as_str()), ("ARSHJUL_NOW", "2019-09-11T08:00:00Z"), ("ARSHJUL_PEOPLE", people.as_str())];
    let defs_s = defs.to_string_lossy().into_owned();
    let docx = t.path().join("uppfoljning.docx");
    let out = arshjul_env(
        &[
            "report-document",
            "--plan",
            "aktiviteter-2019",
            "--year",
            "2019",
            "--format",
            "docx",
            "--output",
            &docx.to_string_lossy(),
            "--dir",
            &defs_s,
        ],
        &env,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    let doc = run_python(READ_DOCX, &[&docx]);
    let paras = doc["paras"].as_array().unwrap();
    let style = |p: &Value| p["style"].as_str().unwrap_or("").to_owned();
    let text = |p: &Value| p["text"].as_str().unwrap_or("").to_owned();
    assert_eq!(style(&paras[0]), "Title");
    assert_eq!(text(&paras[0]), "Uppföljning av utvecklingsplan: Planerade aktiviteter 2019");
    assert_eq!(doc["title"], "Uppföljning av utvecklingsplan: Planerade aktiviteter 2019");
    assert!(paras.iter().any(|p| text(p) == "Diarienummer: BUN/2019:227"), "{paras:#?}");
    assert!(paras.iter().any(|p| text(p) == "Planens period: 2019"), "{paras:#?}");
    assert_eq!(doc["page_mm"], serde_json::json!([210, 297]), "A4");
    // The areas as Heading 1 (after the summary) and the activities as Heading 2, in order.
    let areas: Vec<String> = paras.iter().filter(|p| style(p) == "Heading 1").map(text).collect();
    let plan_areas: Vec<String> = model.organisations[0].plans[0].areas.iter().map(|a| a.name.clone()).collect();
    assert_eq!(areas[0], "Sammanfattning");
    assert_eq!(areas[1..], plan_areas[..]);
    let heads: Vec<usize> = (0..paras.len()).filter(|i| style(&paras[*i]) == "Heading 2").collect();
    assert_eq!(heads.len(), SEED_003.len(), "{paras:#?}");
    let plan = &model.organisations[0].plans[0];
    for (n, (at, (id, outcome, uppfoljning, analys))) in heads.iter().zip(SEED_003).enumerate() {
        let name = &plan.initiatives.iter().find(|i| &*i.id == id).unwrap().name;
        assert_eq!(text(&paras[*at]), format!("{}. Uppdrag/aktivitet: {name}", n + 1));
        // The activity's paragraphs up to the next heading 2: its outcome, Uppföljning and Analys.
        let end = heads.get(n + 1).copied().unwrap_or(paras.len());
        let body: Vec<String> = paras[*at..end].iter().map(text).collect();
        let sv = outcome.sv();
        let want = format!("Utfall: {}{}", sv[..1].to_uppercase(), &sv[1..]);
        assert!(body.iter().any(|b| b.starts_with(&want)), "{id}: {want} in {body:#?}");
        let i = body.iter().position(|b| b == "Uppföljning").unwrap_or_else(|| panic!("{id}: {body:#?}"));
        assert_eq!(body[i + 1], uppfoljning, "{id}");
        let i = body.iter().position(|b| b == "Analys").unwrap();
        assert_eq!(body[i + 1], analys, "{id}");
    }
    assert!(text(&paras[heads[9] + 2]).contains("rapporterad 3 arbetsdagar för sent"), "{:?}", text(&paras[heads[9] + 2]));
    // The summary table: a row per activity with its outcome.
    let summary = &doc["tables"][0];
    assert_eq!(summary[0][0], "Nr");
    for (n, (_, outcome, ..)) in SEED_003.iter().enumerate() {
        assert_eq!(summary[n + 1][2], outcome.sv(), "row {}", n + 1);
    }
    assert!(paras.iter().any(|p| text(p).starts_with("Historikens ankare: ")));

    // The audit workbook.
    let xlsx = t.path().join("revision.xlsx");
    let out = arshjul_env(
        &[
            "audit",
            "--organisation",
            "timra",
            "--plan",
            "aktiviteter-2019",
            "--format",
            "xlsx",
            "--output",
            &xlsx.to_string_lossy(),
            "--dir",
            &defs_s,
        ],
        &env,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let wb = run_python(READ_XLSX, &[&xlsx]);
    assert_eq!(wb["sheets"], serde_json::json!(["Uppföljningar", "Sammanfattning"]));
    assert_eq!(wb["freeze"], "A2");
    let header: Vec<&str> = wb["header"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert_eq!(wb["filter"], format!("A1:Y{}", SEED_003.len() + 1));
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let rows = wb["rows"].as_array().unwrap();
    assert_eq!(rows.len(), SEED_003.len());
    for r in rows {
        assert_eq!(r[col("Förfaller")]["date"], "2019-06-14", "{r:?}");
        assert_eq!(r[col("Förfaller")]["fmt"], "yyyy\\-mm\\-dd");
        let id = r[col("Id")]["v"].as_str().unwrap();
        let late = &r[col("Sen (arbetsdagar)")];
        if id.contains("it-projekt") {
            assert_eq!(r[col("Rapporterad")]["date"], "2019-06-19");
            assert_eq!((late["v"].as_f64(), late["type"].as_str()), (Some(3.0), Some("n")), "a number: Mon 17, Tue 18, Wed 19 June");
            assert_eq!(r[col("Rapporterad av")]["v"], format!("'{INJECTION}"), "the formula is defused");
            assert_eq!(r[col("Rapporterad av")]["type"], "s");
            assert_eq!(r[col("Bedömning")]["v"], "sen");
        } else {
            assert_eq!(r[col("Rapporterad")]["date"], "2019-06-10");
            assert_eq!(late["v"], Value::Null);
            assert_eq!(r[col("Bedömning")]["v"], "i tid");
        }
    }
    let summary = wb["summary"].as_array().unwrap();
    assert_eq!(summary[0][0], "Grupp");
    assert_eq!(summary[1].as_array().unwrap()[..5], serde_json::json!(["Totalt", "Alla", 10, 9, 1]).as_array().unwrap()[..]);
    assert_eq!(summary[1][8].as_f64(), Some(0.9), "the share on time is a number");
}
