//! From files to the checked [`Model`]: groups files by organisation directory, reads each
//! organisation first (its roles, units and calendar are what the others refer to), then
//! its wheel, then its plans, collecting every diagnostic on the way.

mod checkpoint;
mod common;
mod missed;
mod org;
mod plan;
mod refs;
mod wheel;

pub use common::{is_valid_id, slug};
pub use wheel::KINDS;

use crate::calendar::{Calendar, DateRange};
use crate::definition::diag::{Diagnostic, Pos};
use crate::definition::model::{Cadence, CadenceRule, Group, Model, Organisation};
use crate::definition::yaml::{self, Ctx, MapView, Node};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const TOP_KEYS: &[&str] = &["organisation", "wheel", "plan", "goals", "areas", "initiatives"];

/// Reads every `*.yaml`/`*.yml` file under `dir` (the directory itself and its
/// subdirectories, one organisation per directory) and checks them.
/// Returns the model (with its warnings in [`Model::warnings`]), or every diagnostic —
/// errors and warnings — when anything is wrong.
pub fn load_dir(dir: &Path) -> Result<Model, Vec<Diagnostic>> {
    let mut files = Vec::new();
    if let Err(d) = collect(dir, 0, &mut files) {
        return Err(vec![d]);
    }
    if files.is_empty() {
        return Err(vec![Diagnostic::new(
            dir,
            Pos { line: 1, col: 1 },
            "katalogen innehåller inga definitionsfiler (*.yaml). Ange katalogen med organisationernas filer, t.ex. `workflows/`.",
            "the directory holds no definition files (*.yaml). Give the directory with the organisations' files, e.g. `workflows/`.",
        )]);
    }
    let (model, diags) = load_sources(files);
    if diags.iter().any(Diagnostic::is_error) { Err(diags) } else { Ok(Model { warnings: diags, ..model }) }
}

fn collect(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, Vec<u8>)>) -> Result<(), Diagnostic> {
    let io_err = |e: std::io::Error| {
        Diagnostic::new(
            dir,
            Pos { line: 1, col: 1 },
            format!("kan inte läsa katalogen: {e}. Kontrollera att sökvägen finns och är läsbar."),
            format!("cannot read the directory: {e}. Check that the path exists and is readable."),
        )
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).map_err(io_err)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() && depth < 3 {
            collect(&p, depth + 1, out)?;
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            match std::fs::read(&p) {
                Ok(b) => out.push((p, b)),
                Err(e) => {
                    return Err(Diagnostic::new(
                        &p,
                        Pos { line: 1, col: 1 },
                        format!("kan inte läsa filen: {e}."),
                        format!("cannot read the file: {e}."),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks in-memory files (path, bytes). Files in the same directory belong to one
/// organisation. Pure: no IO. Never panics, whatever the bytes. Returns every diagnostic,
/// errors and warnings (the model's own `warnings` stay empty here); the model is usable
/// when none is an error.
pub fn load_sources(files: Vec<(PathBuf, Vec<u8>)>) -> (Model, Vec<Diagnostic>) {
    let mut by_dir: BTreeMap<PathBuf, Vec<(PathBuf, Node)>> = BTreeMap::new();
    let mut diags = Vec::new();
    for (path, bytes) in files {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        match yaml::parse(&path, &bytes) {
            Ok(node) => by_dir.entry(dir).or_default().push((path, node)),
            Err(d) => {
                diags.push(d);
                by_dir.entry(dir).or_default();
            }
        }
    }
    let mut model = Model::default();
    let mut org_files: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (dir, nodes) in by_dir {
        if let Some(org) = load_org(&dir, &nodes, &mut diags) {
            if let Some(first) = org_files.get(&*org.id) {
                diags.push(Diagnostic::new(
                    &org.file,
                    Pos { line: 1, col: 1 },
                    format!("organisationen `{}` finns redan i {}. Varje organisation ska ha ett eget id.", org.id, first.display()),
                    format!("organisation `{}` already exists in {}. Each organisation needs its own id.", org.id, first.display()),
                ));
                continue;
            }
            org_files.insert(org.id.to_string(), org.file.clone());
            model.organisations.push(org);
        }
    }
    diags.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    diags.dedup();
    (model, diags)
}

/// The top-level mapping of one file, with its unknown keys reported.
fn top<'a>(ctx: &mut Ctx, node: &'a Node) -> Option<MapView<'a>> {
    if matches!(node.value, yaml::Value::Null) {
        return None; // an empty file is allowed (e.g. a template)
    }
    ctx.map(node, "filen", "the file", TOP_KEYS)
}

fn load_org(dir: &Path, nodes: &[(PathBuf, Node)], diags: &mut Vec<Diagnostic>) -> Option<Organisation> {
    let mut ctxs: Vec<Ctx> = nodes.iter().map(|(p, _)| Ctx::new(p.clone())).collect();
    let tops: Vec<Option<MapView>> = nodes.iter().zip(ctxs.iter_mut()).map(|((_, n), c)| top(c, n)).collect();
    let result = load_org_tops(dir, &tops, &mut ctxs, diags);
    for c in ctxs {
        diags.extend(c.diags);
    }
    result
}

fn load_org_tops(dir: &Path, tops: &[Option<MapView>], ctxs: &mut [Ctx], diags: &mut Vec<Diagnostic>) -> Option<Organisation> {
    // 1. The organisation (exactly one per directory).
    let mut org = None;
    for (i, t) in tops.iter().enumerate() {
        let Some(n) = t.as_ref().and_then(|t| t.get("organisation")) else { continue };
        if let Some((first, _)) = &org {
            let first: &PathBuf = first;
            ctxs[i].error(
                n.pos,
                format!("katalogen har redan en organisation ({}). Lägg varje organisation i en egen katalog.", first.display()),
                format!("the directory already has an organisation ({}). Put each organisation in its own directory.", first.display()),
            );
            continue;
        }
        let o = org::read(&mut ctxs[i], n)?;
        org = Some((ctxs[i].file.clone(), o));
    }
    let has_content = tops.iter().any(|t| t.as_ref().is_some_and(|t| t.entries().next().is_some()));
    let Some((_, org)) = org else {
        if has_content && !ctxs.is_empty() {
            diags.push(Diagnostic::new(
                dir,
                Pos { line: 1, col: 1 },
                "katalogen har årshjul eller planer men ingen organisation. Lägg till en fil `organisation.yaml` med `organisation:` (id, name, roles, units).",
                "the directory has a wheel or plans but no organisation. Add an `organisation.yaml` with `organisation:`.",
            ));
        }
        return None;
    };
    let cal = Calendar::new(org.calendar.clone());
    let mut refs = refs::Refs {
        roles: org.roles.clone(),
        groups: org.groups.iter().map(|g| g.id.to_string()).collect(),
        units: org.units.iter().map(|u| u.id.to_string()).collect(),
        wheel: Vec::new(),
    };
    // 2. The wheel (at most one).
    let mut wheel: Option<crate::definition::model::Wheel> = None;
    for (i, t) in tops.iter().enumerate() {
        let Some(n) = t.as_ref().and_then(|t| t.get("wheel")) else { continue };
        if wheel.is_some() {
            ctxs[i].error(
                n.pos,
                "organisationen har redan ett årshjul. Samla alla kontrollpunkter i ett `wheel:`.",
                "the organisation already has a wheel. Keep all checkpoints in one `wheel:`.",
            );
            continue;
        }
        wheel = wheel::read(&mut ctxs[i], &cal, &refs, n);
    }
    refs.wheel = wheel.iter().flat_map(|w| w.checkpoints.iter().map(|c| c.id.to_string())).collect();
    let info =
        plan::WheelInfo { checkpoints: wheel.iter().flat_map(|w| w.checkpoints.iter().map(|c| (&*c.id, c.per_unit.clone()))).collect() };
    // 3. The plans.
    let mut plans: Vec<crate::definition::model::Plan> = Vec::new();
    for (i, t) in tops.iter().enumerate() {
        let Some(t) = t else { continue };
        if t.get("plan").is_none() {
            for k in ["goals", "areas", "initiatives"] {
                if let Some(pos) = t.key_pos(k) {
                    ctxs[i].error(
                        pos,
                        format!("`{k}` hör till en plan: lägg till `plan:` (id, name, period) överst i filen."),
                        format!("`{k}` belongs to a plan: add `plan:` (id, name, period) at the top of the file."),
                    );
                }
            }
            continue;
        }
        let Some(p) = plan::read(&mut ctxs[i], &cal, &refs, &info, t) else { continue };
        if let Some(first) = plans.iter().find(|x| x.id == p.id) {
            let pos = t.key_pos("plan").unwrap_or_default();
            ctxs[i].error(
                pos,
                format!("planen `{}` finns redan i {}. Ge planen ett eget id.", p.id, first.file.display()),
                format!("plan `{}` already exists in {}. Give the plan its own id.", p.id, first.file.display()),
            );
            continue;
        }
        plans.push(p);
    }
    // 4. Groups: a meeting cadence without `during` runs over the plans' span.
    let span = plans.iter().map(|p| p.period).reduce(|a, b| DateRange { start: a.start.min(b.start), end: a.end.max(b.end) });
    let org_ctx = ctxs.iter_mut().find(|c| c.file == org.file)?;
    let groups = org
        .groups
        .into_iter()
        .map(|g| {
            let meets = g.meets.and_then(|(recurrence, weekday)| {
                let during = g.during.or(span);
                if during.is_none() {
                    org_ctx.error(
                        g.pos,
                        format!(
                            "gruppen `{}` träffas regelbundet men det finns ingen period: ange `during:` (t.ex. `during: 2020–2021`).",
                            g.id
                        ),
                        format!("group `{}` meets regularly but has no period: add `during:`.", g.id),
                    );
                }
                Some(Cadence { rule: CadenceRule::Every { recurrence, weekday, anchor: None }, during: during?, skip_breaks: true })
            });
            Group {
                id: g.id,
                name: g.name,
                kind: g.kind,
                convenor: g.convenor,
                members: g.members,
                meets,
                steered_by: g.steered_by,
                description: g.description,
            }
        })
        .collect();
    Some(Organisation {
        id: org.id,
        name: org.name,
        board: org.board,
        file: org.file,
        calendar: org.calendar,
        units: org.units,
        roles: org.roles,
        groups,
        wheel,
        plans,
    })
}
