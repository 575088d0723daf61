//! What a file may refer to within its organisation (roles, groups, units, wheel
//! checkpoints), and the checks that report unknown references with suggestions.

use super::common::{OWNER, ROLE, UNIT, WHEEL, reference};
use crate::definition::diag::Pos;
use crate::definition::model::Role;
use crate::definition::yaml::{Ctx, Node};
use std::sync::Arc;

/// The names a plan or wheel can refer to.
pub struct Refs {
    pub roles: Vec<Role>,
    pub groups: Vec<String>,
    pub units: Vec<String>,
    pub wheel: Vec<String>,
}

impl Refs {
    fn owner_names(&self) -> Vec<&str> {
        self.roles.iter().map(|r| &*r.id).chain(self.groups.iter().map(String::as_str)).collect()
    }

    fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| &*r.id == id)
    }

    /// A role or group id.
    pub fn owner_at(&self, ctx: &mut Ctx, pos: Pos, s: &str) -> Option<Arc<str>> {
        let names = self.owner_names();
        reference(ctx, pos, s.trim(), &names, &OWNER)
    }

    pub fn owner(&self, ctx: &mut Ctx, node: &Node) -> Option<Arc<str>> {
        let s = ctx.text(node, "ansvarig", "the owner")?;
        self.owner_at(ctx, node.pos, s)
    }

    /// One owner or a list of owners.
    pub fn owners(&self, ctx: &mut Ctx, node: &Node) -> Vec<Arc<str>> {
        let items = ctx.texts(node, "ansvarig", "the owner");
        items.into_iter().filter_map(|(s, pos)| self.owner_at(ctx, pos, s)).collect()
    }

    /// A role that has one holder per unit (such as rektor).
    pub fn per_unit_role(&self, ctx: &mut Ctx, node: &Node) -> Option<Arc<str>> {
        let s = ctx.text(node, "rollen per enhet", "the per-unit role")?;
        let names: Vec<&str> = self.roles.iter().map(|r| &*r.id).collect();
        let id = reference(ctx, node.pos, s.trim(), &names, &ROLE)?;
        if self.role(&id).is_some_and(|r| !r.per_unit) {
            let example: Vec<&str> = self.roles.iter().filter(|r| r.per_unit).map(|r| &*r.id).collect();
            let ex = if example.is_empty() { "rektor".to_owned() } else { example.join(", ") };
            ctx.error(
                node.pos,
                format!("rollen `{id}` finns bara på huvudmannanivå och kan inte ansvara per enhet. Ge rollen `per_unit: ja` i organisationsfilen eller välj en roll per enhet ({ex})."),
                format!("role `{id}` exists only at organisation level and cannot be responsible per unit. Give it `per_unit: yes` or choose a per-unit role ({ex})."),
            );
            return None;
        }
        self.require_units(ctx, node.pos);
        Some(id)
    }

    /// Reports a per-unit checkpoint in an organisation without units.
    pub fn require_units(&self, ctx: &mut Ctx, pos: Pos) {
        if self.units.is_empty() {
            ctx.error(
                pos,
                "kontrollpunkten ska delas ut per enhet, men organisationen har inga enheter. Lägg till `units:` i organisationsfilen eller ta bort `per_unit`.",
                "the checkpoint fans out per unit, but the organisation has no units. Add `units:` to the organisation file or remove `per_unit`.",
            );
        }
    }

    pub fn unit(&self, ctx: &mut Ctx, pos: Pos, s: &str) -> Option<Arc<str>> {
        let names: Vec<&str> = self.units.iter().map(String::as_str).collect();
        reference(ctx, pos, s.trim(), &names, &UNIT)
    }

    pub fn wheel_checkpoint(&self, ctx: &mut Ctx, pos: Pos, s: &str) -> Option<Arc<str>> {
        let names: Vec<&str> = self.wheel.iter().map(String::as_str).collect();
        reference(ctx, pos, s.trim(), &names, &WHEEL)
    }

    /// An organisation-level owner that is a per-unit role (e.g. "Ansvar: Rektor") means
    /// every unit's holder; the organisation-level checkpoint then goes to the role's
    /// superior. Returns (organisation owner, per-unit role).
    pub fn split_owner(
        &self,
        ctx: &mut Ctx,
        pos: Pos,
        owner: Arc<str>,
        per_unit: Option<Arc<str>>,
    ) -> Option<(Arc<str>, Option<Arc<str>>)> {
        let Some(role) = self.role(&owner).filter(|r| r.per_unit) else {
            return Some((owner, per_unit));
        };
        if self.units.is_empty() {
            self.require_units(ctx, pos);
            return None;
        }
        match &role.reports_to {
            Some(sup) => Some((sup.clone(), Some(per_unit.unwrap_or(owner)))),
            None => {
                ctx.error(
                    pos,
                    format!("`{owner}` är en roll per enhet; för uppföljningen på huvudmannanivå behövs en ansvarig. Ge rollen `reports_to` eller ange `owner` för huvudmannanivån och `per_unit: {owner}`."),
                    format!("`{owner}` is a per-unit role; the organisation-level follow-up needs an owner. Give the role `reports_to`, or set `owner` for the organisation level and `per_unit: {owner}`."),
                );
                None
            }
        }
    }
}
