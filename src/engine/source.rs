//! Reading what the engine runs on: the definitions and the people directory, checked
//! together. Either both are good or the caller gets every problem, located, and keeps
//! what it had. Used by the daemon, `arshjul sync` and `arshjul simulate`.

use crate::calendar::DateRange;
use crate::definition::{Diagnostic, Lang, Model, load_dir};
use crate::remind::people;
use crate::remind::recipients::Holder;
use crate::schedule;
use crate::store::{Store, StoreError, SyncReport};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::Path;

/// The checked definitions and, when the file exists, the people directory.
pub struct Loaded {
    pub model: Model,
    pub people: Option<Vec<Holder>>,
    /// SHA-256 over the files' paths and contents and this build of arshjul (hex): equal
    /// fingerprints give the same schedule and directory.
    pub fingerprint: String,
}

/// Why nothing was loaded.
pub enum LoadError {
    /// The definitions have errors (each located).
    Definitions(Vec<Diagnostic>),
    /// The people file has errors, one rendered line each (`file:line: …`).
    People(Vec<String>),
}

impl LoadError {
    /// Every problem, one line each.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        match self {
            LoadError::Definitions(d) => d.iter().map(|d| d.render(lang)).collect(),
            LoadError::People(l) => l.clone(),
        }
    }
}

/// Loads `dir` and the people file `people_file` (skipped when it does not exist).
pub fn load(dir: &Path, people_file: &Path, lang: Lang) -> Result<Loaded, LoadError> {
    let model = load_dir(dir).map_err(LoadError::Definitions)?;
    let fingerprint = fingerprint(dir, people_file);
    if !people_file.exists() {
        return Ok(Loaded { model, people: None, fingerprint });
    }
    let text = match std::fs::read(people_file).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            return Err(LoadError::People(vec![format!(
                "{}:1: {}",
                people_file.display(),
                match lang {
                    Lang::Sv => "filen är inte UTF-8. Spara den som UTF-8 (CSV UTF-8 i Excel).",
                    Lang::En => "the file is not UTF-8. Save it as UTF-8.",
                }
            )]));
        }
        Err(e) => return Err(LoadError::People(vec![format!("{}: {e}", people_file.display())])),
    };
    match people::parse(&text, &model) {
        Ok(h) => Ok(Loaded { model, people: Some(h), fingerprint }),
        Err(errs) => {
            Err(LoadError::People(errs.iter().map(|e| format!("{}:{}: {}", people_file.display(), e.line, e.msg.get(lang))).collect()))
        }
    }
}

/// SHA-256 over every file under `dir` (relative path and contents, in path order), the
/// people file (or that it is absent), and the running binary's size and modification time (a new arshjul may
/// expand the same files differently). A file that cannot be read makes it unique, so
/// nothing is skipped on its account.
fn fingerprint(dir: &Path, people_file: &Path) -> String {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => files.push(e.path()),
                Err(_) => {}
            }
        }
    }
    files.sort();
    files.push(people_file.to_path_buf());
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    for f in &files {
        let name = f.strip_prefix(dir).unwrap_or(f).to_string_lossy();
        h.update(&(name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        match std::fs::read(f) {
            Ok(bytes) => {
                h.update(&(bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => h.update(b"absent"),
            Err(_) => h.update(format!("unreadable {:?}", std::time::SystemTime::now()).as_bytes()),
        }
    }
    let exe = std::env::current_exe().and_then(std::fs::metadata).map(|m| (m.len(), m.modified().ok()));
    h.update(format!("{} {exe:?}", env!("CARGO_PKG_VERSION")).as_bytes());
    h.finish().as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The window a sync covers on `today`: [`schedule::sync_window`], reaching at least 120
/// days past `through` (a rehearsal's last day, so its last checkpoints' lead times fit).
pub fn window(model: &Model, today: NaiveDate, through: Option<NaiveDate>) -> DateRange {
    let mut w = schedule::sync_window(model, today);
    if let Some(t) = through {
        w.end = w.end.max(t + chrono::Duration::days(120));
    }
    w
}

/// Stores what was loaded, the one way `sync`, `simulate` and the daemon do it: the people
/// directory (when there is a file), then the schedule expanded over `window` and synced
/// at `now` (checkpoints already past on `now`'s day are created but not mailed).
pub async fn store(store: &Store, loaded: &Loaded, window: DateRange, now: DateTime<Utc>) -> Result<SyncReport, StoreError> {
    if let Some(h) = &loaded.people {
        store.replace_people(h).await?;
    }
    let report = store.sync(&schedule::expand(&loaded.model, window), window, now).await?;
    store.record_synced(&loaded.fingerprint, window).await?;
    Ok(report)
}

/// As [`store`], unless the store was last synced from the same files over a window that
/// holds `window` (a restart on unchanged files): then nothing is read or written and the
/// answer is `None`.
pub async fn store_if_changed(
    store: &Store,
    loaded: &Loaded,
    window: DateRange,
    now: DateTime<Utc>,
) -> Result<Option<SyncReport>, StoreError> {
    if store.synced_from(&loaded.fingerprint, window).await? {
        return Ok(None);
    }
    self::store(store, loaded, window, now).await.map(Some)
}
