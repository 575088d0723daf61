//! Who may see and do what on the web pages, from the people directory and the
//! organisation's roles. Pure: no IO, no clock.
//!
//! - A holder of the owner role sees and reports its checkpoints — for a per-unit role
//!   (rektor) only at the units they hold it for.
//! - A role sees what is owned by roles that report to it, transitively via `reports_to`,
//!   across the units it covers (all units, unless it is itself held per unit), and may
//!   approve or return it, waive or reschedule it.
//! - A role without `reports_to` (förvaltningschef) sees its whole organisation.
//! - A read-only role (id `revisor`, or `read_only: ja`) sees its whole organisation and
//!   changes nothing.
//! - An administrator (role id `administrator` or `admin`) manages people, sees its
//!   organisation, and may waive or reschedule; it approves only what has no superior.
//! - A checkpoint owned by a group counts as owned by the group's convenor role.

use crate::definition::Model;
use crate::definition::model::Organisation;
use crate::store::Row;

/// One role a person holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub organisation: String,
    pub role: String,
    /// For a role held per unit: the unit.
    pub unit: Option<String>,
}

/// The signed-in person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// As written in the people directory.
    pub email: String,
    pub name: String,
    pub holds: Vec<Holder>,
    /// Holds an administrator role somewhere.
    pub admin: bool,
    /// Holds only read-only roles: can change nothing.
    pub read_only: bool,
    /// The session's CSRF token, for the forms a page renders (empty outside a session).
    pub csrf: String,
}

/// What someone asks to do with a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Report,
    Approve,
    Return,
    Waive,
    Reschedule,
}

fn is_admin_role(role: &str) -> bool {
    matches!(role, "administrator" | "admin")
}

fn is_read_only(org: &Organisation, role: &str) -> bool {
    role == "revisor" || org.role(role).is_some_and(|r| r.read_only)
}

impl Viewer {
    /// The person with `email` (case-insensitive) in `people`, with every role they hold;
    /// `None` when they hold none.
    pub fn build(email: &str, people: &[crate::remind::recipients::Holder], model: &Model) -> Option<Viewer> {
        let wanted = email.trim();
        let mine: Vec<_> = people.iter().filter(|h| h.person.email.eq_ignore_ascii_case(wanted)).collect();
        let first = mine.first()?;
        let holds: Vec<Holder> =
            mine.iter().map(|h| Holder { organisation: h.organisation.clone(), role: h.role.clone(), unit: h.unit.clone() }).collect();
        let org = |h: &Holder| model.organisations.iter().find(|o| *o.id == *h.organisation);
        let read_only = holds.iter().all(|h| org(h).is_some_and(|o| is_read_only(o, &h.role)));
        Some(Viewer {
            email: first.person.email.clone(),
            name: first.person.name.clone(),
            admin: holds.iter().any(|h| is_admin_role(&h.role)),
            read_only,
            holds,
            csrf: String::new(),
        })
    }

    /// The organisations where `self` holds an administrator role (whose people they manage).
    pub fn administers(&self) -> Vec<String> {
        let mut out: Vec<String> = self.holds.iter().filter(|h| is_admin_role(&h.role)).map(|h| h.organisation.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// Holds a role that sees more than its own checkpoints (a superior, the top of an
    /// organisation, a read-only role, an administrator): gets the overview.
    pub fn is_chief(&self, model: &Model) -> bool {
        self.holds.iter().any(|h| {
            let Some(org) = organisation(model, &h.organisation) else { return false };
            is_admin_role(&h.role)
                || is_read_only(org, &h.role)
                || org.role(&h.role).is_some_and(|r| r.reports_to.is_none() && !r.per_unit)
                || org.roles.iter().any(|r| r.reports_to.as_deref() == Some(h.role.as_str()))
        })
    }
}

fn organisation<'m>(model: &'m Model, id: &str) -> Option<&'m Organisation> {
    model.organisations.iter().find(|o| &*o.id == id)
}

/// The role that answers for `row`: its owner role, or the convenor of an owning group.
pub fn owner_role<'o>(org: &'o Organisation, row: &'o Row) -> Option<&'o str> {
    if org.role(&row.owner_role).is_some() {
        return Some(&row.owner_role);
    }
    org.group(&row.owner_role).and_then(|g| g.convenor.as_deref())
}

/// Whether `superior` is above `role` on the `reports_to` chain (not `role` itself).
fn is_above(org: &Organisation, superior: &str, role: &str) -> bool {
    let mut cur = org.role(role).and_then(|r| r.reports_to.clone());
    let mut steps = 0;
    while let Some(c) = cur {
        if &*c == superior {
            return true;
        }
        steps += 1;
        if steps > org.roles.len() {
            return false;
        }
        cur = org.role(&c).and_then(|r| r.reports_to.clone());
    }
    false
}

/// Whether holding `h` covers the row's unit: a role held per unit covers its own unit only.
fn covers_unit(org: &Organisation, h: &Holder, row: &Row) -> bool {
    match org.role(&h.role) {
        Some(r) if r.per_unit => h.unit.is_some() && h.unit == row.unit,
        _ => true,
    }
}

/// The holdings of `v` in the row's organisation, with it.
fn holdings<'a>(v: &'a Viewer, row: &'a Row, model: &'a Model) -> impl Iterator<Item = (&'a Organisation, &'a Holder)> {
    v.holds.iter().filter(|h| h.organisation == row.organisation).filter_map(|h| Some((organisation(model, &h.organisation)?, h)))
}

fn is_owner(org: &Organisation, h: &Holder, row: &Row) -> bool {
    owner_role(org, row) == Some(h.role.as_str()) && covers_unit(org, h, row)
}

fn is_superior(org: &Organisation, h: &Holder, row: &Row) -> bool {
    owner_role(org, row).is_some_and(|o| is_above(org, &h.role, o)) && covers_unit(org, h, row)
}

/// Whether `v` may see `row` at all (else it is answered as unknown).
pub fn can_see(v: &Viewer, row: &Row, model: &Model) -> bool {
    holdings(v, row, model).any(|(org, h)| {
        is_read_only(org, &h.role)
            || is_admin_role(&h.role)
            || org.role(&h.role).is_some_and(|r| r.reports_to.is_none() && !r.per_unit)
            || is_owner(org, h, row)
            || is_superior(org, h, row)
    })
}

/// Whether `v` owns `row` through a role they hold (a per-unit role at its unit only): what
/// their personal calendar feed holds.
pub fn owns(v: &Viewer, row: &Row, model: &Model) -> bool {
    holdings(v, row, model).any(|(org, h)| is_owner(org, h, row))
}

/// Whether `v` may do `action` on `row` (the state machine still judges the state).
pub fn can_act(v: &Viewer, row: &Row, model: &Model, action: Action) -> bool {
    holdings(v, row, model).filter(|(org, h)| !is_read_only(org, &h.role)).any(|(org, h)| {
        let no_superior = owner_role(org, row).and_then(|o| org.role(o)).is_none_or(|r| r.reports_to.is_none());
        match action {
            Action::Report => is_owner(org, h, row),
            Action::Approve | Action::Return => is_superior(org, h, row) || (is_admin_role(&h.role) && no_superior),
            Action::Waive | Action::Reschedule => is_superior(org, h, row) || is_admin_role(&h.role),
        }
    })
}

#[cfg(test)]
mod tests;
