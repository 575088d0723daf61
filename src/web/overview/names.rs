//! Names for the ids a stored row carries (organisation, plan, insats, unit, role, wheel
//! checkpoint), looked up in the loaded model. An id the model no longer has is shown as is.

use crate::definition::Model;
use crate::definition::model::Organisation;
use crate::store::Row;

/// Look-ups into the model by the ids stored on rows.
pub struct Names<'a> {
    model: &'a Model,
}

impl<'a> Names<'a> {
    pub fn new(model: &'a Model) -> Self {
        Self { model }
    }

    pub fn org(&self, id: &str) -> Option<&'a Organisation> {
        self.model.organisations.iter().find(|o| &*o.id == id)
    }

    /// The organisation's position in the model (unknown ones last).
    pub fn org_index(&self, id: &str) -> usize {
        self.model.organisations.iter().position(|o| &*o.id == id).unwrap_or(usize::MAX)
    }

    /// More than one organisation is loaded: names get the organisation's id in front.
    pub fn multi_org(&self) -> bool {
        self.model.organisations.len() > 1
    }

    pub fn org_name(&self, id: &str) -> String {
        self.org(id).map_or_else(|| id.to_owned(), |o| o.name.clone())
    }

    pub fn plan(&self, org: &str, plan: Option<&str>) -> Option<String> {
        let plan = plan?;
        Some(self.org(org).and_then(|o| o.plans.iter().find(|p| &*p.id == plan)).map_or_else(|| plan.to_owned(), |p| p.name.clone()))
    }

    /// "1 Utveckla effektiva ledningsteam …" (the plan's number first when it has one).
    pub fn initiative(&self, org: &str, plan: Option<&str>, ini: Option<&str>) -> Option<String> {
        let ini = ini?;
        let found = self
            .org(org)
            .and_then(|o| o.plans.iter().find(|p| Some(&*p.id) == plan))
            .and_then(|p| p.initiatives.iter().find(|i| &*i.id == ini));
        Some(match found {
            Some(i) => match &i.number {
                Some(n) => format!("{n} {}", i.name),
                None => i.name.to_string(),
            },
            None => ini.to_owned(),
        })
    }

    pub fn unit(&self, org: &str, unit: &str) -> String {
        let name = self.org(org).and_then(|o| o.unit(unit)).map_or_else(|| unit.to_owned(), |u| u.name.clone());
        if self.multi_org() { format!("{name} ({org})") } else { name }
    }

    /// A role's or group's name.
    pub fn role(&self, org: &str, role: &str) -> String {
        let o = self.org(org);
        o.and_then(|o| o.role(role).map(|r| r.name.clone()).or_else(|| o.group(role).map(|g| g.name.clone())))
            .unwrap_or_else(|| role.to_owned())
    }

    /// The wheel checkpoint a row follows up (its id and position in the wheel), if any.
    ///
    /// Ids say it: `{org}/arshjul/{wheel}[/{unit}]/{year}` for the wheel's own checkpoints and
    /// `{org}/{plan}/{initiative}[/del-{n}]/{wheel}[/{unit}]/{label}` for plan follow-ups; the
    /// segment is a wheel checkpoint only when the organisation's wheel has that id.
    pub fn wheel_of(&self, row: &Row) -> Option<(usize, &'a str)> {
        let wheel = self.org(&row.organisation)?.wheel.as_ref()?;
        let segs: Vec<&str> = row.id.split('/').collect();
        let at = match (segs.get(1), &row.plan) {
            (Some(&"arshjul"), None) => 2,
            (_, Some(_)) if segs.get(3).is_some_and(|s| s.starts_with("del-")) => 4,
            (_, Some(_)) => 3,
            _ => return None,
        };
        let seg = segs.get(at)?;
        wheel.checkpoints.iter().enumerate().find(|(_, c)| &*c.id == *seg).map(|(i, c)| (i, &*c.id))
    }

    pub fn wheel_name(&self, org: &str, wheel_cp: &str) -> String {
        self.org(org)
            .and_then(|o| o.wheel.as_ref())
            .and_then(|w| w.checkpoints.iter().find(|c| &*c.id == wheel_cp))
            .map_or_else(|| wheel_cp.to_owned(), |c| c.name.clone())
    }
}
