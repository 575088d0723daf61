//! A synthetic, national-scale set of definitions for benchmarks: `orgs` organisations with
//! `units` units each and a plan of `initiatives` initiatives, written in the same YAML a
//! municipality would write (so parsing and validation are measured too).

use std::fmt::Write;
use std::path::PathBuf;

/// Sizes of the synthetic set.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub orgs: usize,
    pub units: usize,
    pub initiatives: usize,
}

impl Size {
    /// Sweden: 290 municipalities × 30 units × 20 initiatives.
    pub const NATIONAL: Size = Size { orgs: 290, units: 30, initiatives: 20 };
}

/// The files of the synthetic set, as (path, bytes) under `root`.
pub fn files(root: &str, size: Size) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::with_capacity(size.orgs * 3);
    for o in 0..size.orgs {
        let dir = PathBuf::from(root).join(format!("kommun-{o:03}"));
        out.push((dir.join("organisation.yaml"), organisation(o, size.units).into_bytes()));
        out.push((dir.join("arshjul.yaml"), WHEEL.as_bytes().to_vec()));
        out.push((dir.join("plan.yaml"), plan(size.initiatives).into_bytes()));
    }
    out
}

fn organisation(o: usize, units: usize) -> String {
    let mut s = format!("organisation:\n  id: kommun-{o:03}\n  name: Kommun {o} barn- och utbildningsförvaltning\n  units:\n");
    for u in 0..units {
        let kind = if u % 3 == 0 { "förskola" } else { "grundskola" };
        let _ = writeln!(s, "    - {{ id: enhet-{u:02}, name: Enhet {u}, kind: {kind} }}");
    }
    s.push_str(
        "  roles:\n    forvaltningschef: { name: Förvaltningschef }\n    kvalitetschef: { name: Kvalitetschef, reports_to: forvaltningschef }\n    skolomradeschef: { name: Skolområdeschef, reports_to: forvaltningschef }\n    rektor: { name: Rektor, per_unit: ja, reports_to: skolomradeschef }\n",
    );
    s
}

const WHEEL: &str = "wheel:
  name: Årshjul
  checkpoints:
    - { id: dialogmote-vt, name: Dialogmöte vt, kind: dialogmöte, due: vecka 12, owner: skolomradeschef, per_unit: rektor }
    - { id: dialogmote-ht, name: Dialogmöte ht, kind: dialogmöte, due: vecka 45, owner: skolomradeschef, per_unit: rektor }
    - { id: delarsrapport-1, name: Delårsrapport 1, kind: delårsrapport, due: 15 maj, owner: kvalitetschef }
    - { id: verksamhetsberattelse, name: Verksamhetsberättelse, kind: verksamhetsberättelse, due: sista februari, owner: forvaltningschef }
";

fn plan(initiatives: usize) -> String {
    let mut s = String::from(
        "plan:\n  id: utvecklingsplan-2021-2022\n  name: Utvecklingsplan 2021–2022\n  period: 2021–2022\n  follow_up: { wheel: all }\ninitiatives:\n",
    );
    for i in 0..initiatives {
        let _ = write!(
            s,
            "  - id: insats-{i:02}\n    name: Insats {i}\n    owner: kvalitetschef\n    checkpoints:\n      - {{ id: utvardering, name: Utvärdering, kind: utvärdering, when: maj 2022 }}\n      - {{ id: traffar, name: Träffar, kind: möte, every: var 6:e vecka, during: ht 2021 – vt 2022 }}\n"
        );
    }
    s
}
