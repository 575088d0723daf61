//! The people directory in the store: replaced as a whole per organisation on import.

use super::{Op, Store, StoreError};
use crate::remind::Person;
use crate::remind::recipients::Holder;
use sqlx::Row;

impl Store {
    /// Replaces the directory of every organisation that appears in `holders`.
    pub async fn replace_people(&self, holders: &[Holder]) -> Result<usize, StoreError> {
        let err = |e| StoreError::db(Op::ImportPeople, e);
        let mut tx = self.begin().await.map_err(err)?;
        if self.engine() == super::Engine::Postgres {
            // Several daemons reloading at once: one replaces the directory at a time.
            sqlx::query("SELECT pg_advisory_xact_lock(7262053)").execute(&mut *tx).await.map_err(err)?;
        }
        let mut orgs: Vec<&str> = holders.iter().map(|h| h.organisation.as_str()).collect();
        orgs.sort_unstable();
        orgs.dedup();
        for o in orgs {
            sqlx::query("DELETE FROM people WHERE organisation = $1").bind(o.to_owned()).execute(&mut *tx).await.map_err(err)?;
        }
        for h in holders {
            sqlx::query("INSERT INTO people (organisation, role, unit, name, email) VALUES ($1, $2, $3, $4, $5)")
                .bind(h.organisation.clone())
                .bind(h.role.clone())
                .bind(h.unit.clone().unwrap_or_default())
                .bind(h.person.name.clone())
                .bind(h.person.email.clone())
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        Ok(holders.len())
    }

    /// The roles held by the person with `email` (case-insensitive).
    pub async fn person(&self, email: &str) -> Result<Vec<Holder>, StoreError> {
        let rows = sqlx::query(
            "SELECT organisation, role, unit, name, email FROM people WHERE lower(email) = lower($1) ORDER BY organisation, role, unit",
        )
        .bind(email.trim().to_owned())
        .fetch_all(self.pool())
        .await
        .map_err(|e| StoreError::db(Op::ReadPeople, e))?;
        Ok(rows.iter().map(holder).collect())
    }

    /// The whole directory.
    pub async fn people(&self) -> Result<Vec<Holder>, StoreError> {
        let rows = sqlx::query("SELECT organisation, role, unit, name, email FROM people ORDER BY organisation, role, unit, email")
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::ReadPeople, e))?;
        Ok(rows.iter().map(holder).collect())
    }
}

impl Store {
    /// The directory of `organisations` only (the overview's vacancies; the primary key
    /// starts with the organisation, so the rest of a shared store is not read).
    pub async fn people_in(&self, organisations: &[String]) -> Result<Vec<Holder>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=organisations.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT organisation, role, unit, name, email FROM people WHERE organisation IN ({}) ORDER BY organisation, role, unit, email",
            marks.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for o in organisations {
            q = q.bind(o.clone());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(|e| StoreError::db(Op::ReadPeople, e))?;
        Ok(rows.iter().map(holder).collect())
    }
}

pub(super) fn holder(r: &sqlx::any::AnyRow) -> Holder {
    let g = |i: usize| r.try_get::<String, _>(i).unwrap_or_default();
    let unit = g(2);
    Holder { organisation: g(0), role: g(1), unit: (!unit.is_empty()).then_some(unit), person: Person { name: g(3), email: g(4) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(org: &str, role: &str, email: &str) -> Holder {
        Holder { organisation: org.into(), role: role.into(), unit: None, person: Person { name: email.into(), email: email.into() } }
    }

    #[tokio::test]
    async fn people_in_reads_the_given_organisations_only_and_person_ignores_case() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.replace_people(&[h("a", "chef", "a@x.se"), h("b", "chef", "B@x.se"), h("c", "chef", "c@x.se")]).await.unwrap();
        let got = store.people_in(&["a".into(), "b".into()]).await.unwrap();
        assert_eq!(got.iter().map(|p| p.organisation.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(store.people_in(&[]).await.unwrap().is_empty());
        assert_eq!(store.person("b@X.se").await.unwrap().len(), 1);
    }
}
