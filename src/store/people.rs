//! The people directory in the store: replaced as a whole per organisation on import.

use super::{Op, Store, StoreError};
use crate::remind::Person;
use crate::remind::recipients::Holder;
use sqlx::Row;
use std::collections::BTreeMap;

impl Store {
    /// Replaces the directory of every organisation that appears in `holders`. An
    /// organisation whose directory is unchanged since it was last written (a fingerprint of
    /// its sorted rows is kept beside it) is not read or written at all — a daemon's start-up
    /// or reload with an unchanged people file; the others are replaced with multi-row
    /// inserts. Returns the number of rows in `holders`.
    pub async fn replace_people(&self, holders: &[Holder]) -> Result<usize, StoreError> {
        let err = |e| StoreError::db(Op::ImportPeople, e);
        let mut by_org: BTreeMap<&str, Vec<&Holder>> = BTreeMap::new();
        for h in holders {
            by_org.entry(h.organisation.as_str()).or_default().push(h);
        }
        let mut tx = self.begin().await.map_err(err)?;
        // Several daemons reloading at once: one replaces the directory at a time.
        self.engine().exclusive(&mut tx, super::dialect::Exclusive::People).await.map_err(err)?;
        for (org, mut rows) in by_org {
            rows.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
            let meta_key = format!("people:{org}");
            let fingerprint = fingerprint(&rows);
            let stored: Option<String> = sqlx::query("SELECT value FROM arshjul_meta WHERE key = $1")
                .bind(meta_key.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(err)?
                .and_then(|r| r.try_get(0).ok());
            if stored.as_deref() == Some(fingerprint.as_str()) {
                continue;
            }
            sqlx::query("DELETE FROM people WHERE organisation = $1").bind(org).execute(&mut *tx).await.map_err(err)?;
            const COLS: usize = 5;
            // 1 000 rows = 5 000 parameters: under both engines' limits.
            for chunk in rows.chunks(1000) {
                let sql = format!(
                    "INSERT INTO people (organisation, role, unit, name, email) VALUES {}",
                    super::value_rows(self.engine(), chunk.len(), COLS, 0)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for h in chunk {
                    q = q
                        .bind(h.organisation.as_str())
                        .bind(h.role.as_str())
                        .bind(h.unit.as_deref().unwrap_or_default())
                        .bind(h.person.name.as_str())
                        .bind(h.person.email.as_str());
                }
                q.execute(&mut *tx).await.map_err(err)?;
            }
            sqlx::query("INSERT INTO arshjul_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(meta_key.as_str())
                .bind(fingerprint.as_str())
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

/// SHA-256 over an organisation's rows, sorted by [`key`] (hex).
fn fingerprint(rows: &[&Holder]) -> String {
    let mut d = ring::digest::Context::new(&ring::digest::SHA256);
    for h in rows {
        for f in [h.role.as_str(), h.unit.as_deref().unwrap_or_default(), h.person.name.as_str(), h.person.email.as_str()] {
            d.update(&(f.len() as u64).to_le_bytes());
            d.update(f.as_bytes());
        }
    }
    d.finish().as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn key(h: &Holder) -> (&str, Option<&str>, &str) {
    (&h.role, h.unit.as_deref(), &h.person.email)
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

    #[tokio::test]
    async fn replace_writes_many_rows_in_chunks_and_changes_only_what_changed() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        let mut many: Vec<Holder> = (0..2500).map(|i| h("a", "rektor", &format!("p{i}@x.se"))).collect();
        many.push(h("b", "chef", "b@x.se"));
        assert_eq!(store.replace_people(&many).await.unwrap(), 2501);
        assert_eq!(store.people_in(&["a".into()]).await.unwrap().len(), 2500);
        // The same directory again is not rewritten: a row taken out behind the store's back
        // (only to see it) stays out. Then one name changed and one row gone.
        sqlx::query("DELETE FROM people WHERE email = 'p9@x.se'").execute(store.pool()).await.unwrap();
        store.replace_people(&many).await.unwrap();
        assert_eq!(store.people().await.unwrap().len(), 2500, "an unchanged organisation is skipped");
        many[7].person.name = "Ny Namnsson".into();
        many.remove(3);
        store.replace_people(&many[..many.len() - 1]).await.unwrap();
        let a = store.people_in(&["a".into()]).await.unwrap();
        assert_eq!(a.len(), 2499);
        assert!(a.iter().any(|x| x.person.name == "Ny Namnsson" && x.person.email == "p7@x.se"));
        assert!(!a.iter().any(|x| x.person.email == "p3@x.se"));
        assert!(a.iter().any(|x| x.person.email == "p9@x.se"), "a changed organisation is written whole");
        assert_eq!(store.people_in(&["b".into()]).await.unwrap().len(), 1, "an organisation not given is kept");
    }
}
