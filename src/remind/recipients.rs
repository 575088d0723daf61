//! Who receives a checkpoint's reminders: the people holding its owner role (for its unit
//! when the role is held per unit). A vacant role's reminders go up the `reports_to` chain,
//! with the vacancy stated; escalations go to the owner's superior.

use super::Person;
use crate::definition::model::Organisation;
use serde::Serialize;

/// One line of the people directory: who holds which role (for which unit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Holder {
    pub organisation: String,
    pub role: String,
    /// For a role held per unit: the unit.
    pub unit: Option<String>,
    pub person: Person,
}

/// A role that nobody holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Vacancy {
    pub organisation: String,
    pub role: String,
    pub unit: Option<String>,
}

/// The recipients for one role, and the vacancy that led to them, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub people: Vec<Person>,
    /// The vacant role the people stand in for (the first vacancy on the chain).
    pub vacancy: Option<Vacancy>,
}

fn holders<'a>(dir: &'a [Holder], org: &str, role: &str, unit: Option<&str>) -> Vec<&'a Person> {
    dir.iter().filter(|h| h.organisation == org && h.role == role && h.unit.as_deref() == unit).map(|h| &h.person).collect()
}

/// The people who get reminders for `role` (at `unit`, if the role is per unit).
pub fn resolve(dir: &[Holder], org: &Organisation, role: &str, unit: Option<&str>) -> Resolved {
    let mut vacancy = None;
    let mut current = role.to_owned();
    for _ in 0..16 {
        let r = org.role(&current);
        let per_unit = r.is_some_and(|r| r.per_unit);
        let at = if per_unit { unit } else { None };
        let people = holders(dir, &org.id, &current, at);
        if !people.is_empty() {
            return Resolved { people: people.into_iter().cloned().collect(), vacancy };
        }
        vacancy.get_or_insert(Vacancy { organisation: org.id.to_string(), role: current.clone(), unit: at.map(str::to_owned) });
        match r.and_then(|r| r.reports_to.as_deref()) {
            Some(up) if up != current => current = up.to_owned(),
            _ => break,
        }
    }
    Resolved { people: Vec::new(), vacancy }
}

/// The superior who receives escalations for `role`: the holder of its `reports_to`.
pub fn superior(dir: &[Holder], org: &Organisation, role: &str, unit: Option<&str>) -> Resolved {
    match org.role(role).and_then(|r| r.reports_to.as_deref()) {
        Some(up) => resolve(dir, org, up, unit),
        None => Resolved { people: Vec::new(), vacancy: None },
    }
}

/// Every role (per unit where held per unit) that nobody holds, in definition order.
pub fn vacancies(dir: &[Holder], org: &Organisation) -> Vec<Vacancy> {
    let mut out = Vec::new();
    for r in &org.roles {
        let units: Vec<Option<&str>> = if r.per_unit { org.units.iter().map(|u| Some(&*u.id)).collect() } else { vec![None] };
        for u in units {
            if holders(dir, &org.id, &r.id, u).is_empty() {
                out.push(Vacancy { organisation: org.id.to_string(), role: r.id.to_string(), unit: u.map(str::to_owned) });
            }
        }
    }
    out
}
