//! What an audit covers (organisation, plan, unit, owner role, due dates) and the check that
//! every named value exists: an unknown one is refused in Swedish and English with the
//! nearest known values suggested, before anything is read.

use crate::msg::Msg;
use crate::store::Known;
use crate::store::overview::OverviewQuery;
use chrono::NaiveDate;

/// The audit's filters. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub organisation: Option<String>,
    /// Any of these organisations (the web viewer's). Empty: every organisation.
    pub organisations: Vec<String>,
    pub plan: Option<String>,
    pub unit: Option<String>,
    pub role: Option<String>,
    /// Due on or after.
    pub from: Option<NaiveDate>,
    /// Due on or before.
    pub to: Option<NaiveDate>,
}

impl Selection {
    /// The store query that reads exactly these follow-ups.
    pub fn query(&self) -> OverviewQuery {
        OverviewQuery {
            organisation: self.organisation.clone(),
            organisations: self.organisations.clone(),
            plan: self.plan.clone(),
            unit: self.unit.clone(),
            role: self.role.clone(),
            states: vec![],
            from: self.from,
            to: self.to,
        }
    }
}

/// Up to three known values close to `wanted`, best first.
pub fn suggest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let w = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> =
        known.into_iter().map(|k| (strsim::jaro_winkler(&w, &k.to_lowercase()), k)).filter(|(s, _)| *s >= 0.7).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

fn unknown(what_sv: &str, what_en: &str, flag: &str, value: &str, known: &[String]) -> Msg {
    let near = suggest(value, known.iter().map(String::as_str));
    let (hint_sv, hint_en) = match near.as_slice() {
        [] => (String::new(), String::new()),
        [one] => (format!(" Menade du `{one}`?"), format!(" Did you mean `{one}`?")),
        many => {
            let l = many.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ");
            (format!(" Menade du någon av {l}?"), format!(" Did you mean one of {l}?"))
        }
    };
    let listed: Vec<String> = known.iter().take(12).map(|k| format!("`{k}`")).collect();
    let more = if known.len() > 12 { " …" } else { "" };
    let (list_sv, list_en) = if known.is_empty() {
        ("Databasen har inga ännu; kör `arshjul sync` först.".to_owned(), "The database has none yet; run `arshjul sync` first.".to_owned())
    } else {
        (format!("Kända: {}{more}.", listed.join(", ")), format!("Known: {}{more}.", listed.join(", ")))
    };
    Msg::new(
        format!("okänd {what_sv} `{value}` (`{flag}`).{hint_sv} {list_sv} Inget har ändrats."),
        format!("unknown {what_en} `{value}` (`{flag}`).{hint_en} {list_en} Nothing was changed."),
    )
}

/// Refuses a selection that names a value the store does not hold.
pub fn check(sel: &Selection, known: &Known) -> Result<(), Msg> {
    /// (value, Swedish name, English name, flag, known values)
    type Check<'a> = (&'a Option<String>, &'a str, &'a str, &'a str, &'a Vec<String>);
    let checks: [Check; 4] = [
        (&sel.organisation, "organisation", "organisation", "--organisation", &known.organisations),
        (&sel.plan, "plan", "plan", "--plan", &known.plans),
        (&sel.unit, "enhet", "unit", "--unit", &known.units),
        (&sel.role, "roll", "role", "--role", &known.roles),
    ];
    for (value, sv, en, flag, list) in checks {
        if let Some(v) = value
            && !list.iter().any(|k| k == v)
        {
            return Err(unknown(sv, en, flag, v, list));
        }
    }
    if let (Some(f), Some(t)) = (sel.from, sel.to)
        && t < f
    {
        return Err(Msg::new(
            format!("--to ({t}) ligger före --from ({f}); byt plats på dem. Inget har ändrats."),
            format!("--to ({t}) is before --from ({f}); swap them. Nothing was changed."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_plan_is_refused_with_the_nearest_suggested() {
        let known = Known { plans: vec!["plan-2020-2021".into(), "likvardig-skola-2019-2020".into()], ..Default::default() };
        let sel = Selection { plan: Some("plan-2020-2012".into()), ..Default::default() };
        let e = check(&sel, &known).unwrap_err();
        assert!(e.sv.starts_with("okänd plan `plan-2020-2012` (`--plan`). Menade du `plan-2020-2021`?"), "{}", e.sv);
        assert!(e.en.contains("Did you mean `plan-2020-2021`?") && e.en.ends_with("Nothing was changed."), "{}", e.en);
        assert!(check(&Selection { plan: Some("plan-2020-2021".into()), ..Default::default() }, &known).is_ok());
        let empty = check(&Selection { unit: Some("x".into()), ..Default::default() }, &Known::default()).unwrap_err();
        assert!(empty.sv.contains("kör `arshjul sync` först"), "{}", empty.sv);
    }
}
