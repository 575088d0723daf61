//! Turning the store's due checkpoints into the day's digests: current step, recipients
//! (vacancies passed up, escalations to the superior), the one notice to the superior of
//! each missed checkpoint, and the ledger of what was sent.

use crate::definition::Model;
use crate::definition::model::Organisation;
use crate::remind::recipients::{Directory, resolve, superior};
use crate::remind::{Digest, Item, Person, Step, current_step, digests as group};
use crate::store::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

fn role_name(o: Option<&Organisation>, role: &str, unit: Option<&str>) -> String {
    let name = o.and_then(|o| o.role(role)).map_or(role.to_owned(), |r| r.name.clone());
    match unit.and_then(|u| o.and_then(|o| o.unit(u))) {
        Some(u) => format!("{name} ({})", u.name),
        None => name,
    }
}

/// The digests for `day`, without what has been reminded already.
///
/// The people directory is read and indexed by a task of its own while the candidates are
/// read here: on another connection and, in the daemon, on another thread.
pub async fn digests(store: &Store, model: &Model, day: NaiveDate, send_at: DateTime<Utc>) -> Result<Vec<Digest>, StoreError> {
    let directory = {
        let store = store.clone();
        tokio::spawn(async move { store.people().await.map(|p| Directory::new(&p)) })
    };
    let reminders = store.reminder_candidates(day).await?;
    let missed = store.missed_unnotified().await?;
    if reminders.is_empty() && missed.is_empty() {
        directory.abort();
        return Ok(Vec::new());
    }
    let dir = match directory.await {
        Ok(d) => d?,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => return Err(StoreError::new("läsningen av personkatalogen avbröts", "reading the people directory was cut off")),
    };
    let ids: Vec<String> = reminders.iter().chain(&missed).map(|c| c.id.clone()).collect();
    let reminded = store.reminded(&ids).await?;
    // By checkpoint, so that each item is looked up without building a key.
    let mut done: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (checkpoint, step, to) in &reminded {
        done.entry(checkpoint.as_str()).or_default().push((step.as_str(), to.as_str()));
    }
    let orgs: HashMap<&str, &Organisation> = model.organisations.iter().map(|o| (&*o.id, o)).collect();
    let mut items: Vec<(Person, Item)> = Vec::new();
    let steps = reminders.into_iter().filter_map(|c| Some((current_step(&c.policy, Some(c.due), c.state, day)?, c)));
    for (step, c) in steps.chain(missed.into_iter().map(|c| (Step::Missed, c))) {
        let Some(&org) = orgs.get(c.organisation.as_str()) else { continue };
        let owner = resolve(&dir, org, &c.owner_role, c.unit.as_deref());
        let base = Item {
            checkpoint: c.id.clone(),
            title: c.title.clone(),
            organisation: c.organisation.clone(),
            plan: c.plan.clone(),
            initiative: c.initiative.clone(),
            unit: c.unit.clone(),
            owner_role: role_name(Some(org), &c.owner_role, None),
            due: c.due,
            step,
            state: c.state,
            school_break: c.school_break.clone(),
            on_behalf_of: owner.vacancy.as_ref().map(|v| role_name(orgs.get(v.organisation.as_str()).copied(), &v.role, v.unit.as_deref())),
        };
        // A missed notice goes to the superior only: the owner's reminders have stopped.
        let mut to: Vec<(Person, Item)> =
            if step == Step::Missed { Vec::new() } else { owner.people.into_iter().map(|p| (p, base.clone())).collect() };
        if step.to_superior() {
            let up = superior(&dir, org, &c.owner_role, c.unit.as_deref());
            let behalf = role_name(Some(org), &c.owner_role, c.unit.as_deref());
            to.extend(up.people.into_iter().map(|p| (p, Item { on_behalf_of: Some(behalf.clone()), ..base.clone() })));
        }
        let before = done.get(c.id.as_str());
        for (p, i) in to {
            let key = i.step.key();
            if !before.is_some_and(|b| b.iter().any(|(s, e)| *s == key && *e == p.email)) {
                items.push((p, i));
            }
        }
    }
    Ok(group(day, send_at, items))
}
