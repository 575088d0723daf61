//! Who receives a checkpoint's reminders: the people holding its owner role (for its unit
//! when the role is held per unit). A vacant role's reminders go up the `reports_to` chain,
//! with the vacancy stated; escalations go to the owner's superior.

use super::Person;
use crate::definition::model::Organisation;
use serde::Serialize;
use std::collections::HashMap;

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

/// The people directory indexed by (organisation, role, unit): a look-up per reminder costs
/// the same with ten people or a hundred thousand.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    index: HashMap<(String, String, Option<String>), Vec<Person>>,
}

impl Directory {
    pub fn new(holders: &[Holder]) -> Directory {
        let mut index: HashMap<_, Vec<Person>> = HashMap::with_capacity(holders.len());
        for h in holders {
            index.entry((h.organisation.clone(), h.role.clone(), h.unit.clone())).or_default().push(h.person.clone());
        }
        Directory { index }
    }

    fn holders(&self, org: &str, role: &str, unit: Option<&str>) -> &[Person] {
        // The key is owned; building it is cheaper than a second map level per look-up.
        self.index.get(&(org.to_owned(), role.to_owned(), unit.map(str::to_owned))).map_or(&[], Vec::as_slice)
    }
}

/// The people who get reminders for `role` (at `unit`, if the role is per unit).
pub fn resolve(dir: &Directory, org: &Organisation, role: &str, unit: Option<&str>) -> Resolved {
    let mut vacancy = None;
    let mut current = role.to_owned();
    for _ in 0..16 {
        let r = org.role(&current);
        let per_unit = r.is_some_and(|r| r.per_unit);
        let at = if per_unit { unit } else { None };
        let people = dir.holders(&org.id, &current, at);
        if !people.is_empty() {
            return Resolved { people: people.to_vec(), vacancy };
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
pub fn superior(dir: &Directory, org: &Organisation, role: &str, unit: Option<&str>) -> Resolved {
    match org.role(role).and_then(|r| r.reports_to.as_deref()) {
        Some(up) => resolve(dir, org, up, unit),
        None => Resolved { people: Vec::new(), vacancy: None },
    }
}

/// Every role (per unit where held per unit) that nobody holds, in definition order.
pub fn vacancies(dir: &Directory, org: &Organisation) -> Vec<Vacancy> {
    let mut out = Vec::new();
    for r in &org.roles {
        let units: Vec<Option<&str>> = if r.per_unit { org.units.iter().map(|u| Some(&*u.id)).collect() } else { vec![None] };
        for u in units {
            if dir.holders(&org.id, &r.id, u).is_empty() {
                out.push(Vacancy { organisation: org.id.to_string(), role: r.id.to_string(), unit: u.map(str::to_owned) });
            }
        }
    }
    out
}
