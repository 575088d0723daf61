//! Test support: a throw-away workflows directory and a way to run the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("arshjul-it-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        Self(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `content` to `rel` (creating directories).
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("create dirs");
        }
        std::fs::write(&p, content).expect("write file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run of the binary gave.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `arshjul` with `args` from the crate root.
pub fn arshjul(args: &[&str]) -> Output {
    arshjul_env(args, &[])
}

/// Runs `arshjul` with `args` and extra environment variables.
pub fn arshjul_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_arshjul"))
        .env("ARSHJUL_WEB_LISTEN", "127.0.0.1:0")
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("ARSHJUL_NOW")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ARSHJUL_LANG")
        .env_remove("ARSHJUL_WORKFLOWS")
        .env_remove("ARSHJUL_CONFIG")
        .env_remove("ARSHJUL_PEOPLE")
        .env_remove("ARSHJUL_SMTP_URL")
        .env_remove("ARSHJUL_SEND_TIME")
        .env_remove("ARSHJUL_INSTANCE")
        .envs(env.iter().copied())
        .output()
        .expect("run arshjul");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub const ORG: &str = "organisation:
  id: testkommun
  name: Testkommunens barn- och utbildningsförvaltning
  units:
    - { id: norrskolan, name: Norrskolan, kind: grundskola }
    - { id: soderskolan, name: Söderskolan, kind: grundskola }
  roles:
    forvaltningschef: { name: Förvaltningschef }
    rektor: { name: Rektor, per_unit: ja, reports_to: forvaltningschef }
";

pub const WHEEL: &str = "wheel:
  name: Årshjul
  checkpoints:
    - { id: dialogmote-vt, name: Dialogmöte vt, kind: dialogmöte, due: vecka 12, owner: forvaltningschef, per_unit: rektor }
    - { id: delarsrapport-1, name: Delårsrapport 1, kind: delårsrapport, due: 15 maj, owner: forvaltningschef }
";

pub const PLAN: &str = "plan:
  id: plan-2021
  name: Plan 2021
  period: 2021
  follow_up: { wheel: all }
initiatives:
  - id: matematik
    name: Matematiklyftet
    owner: forvaltningschef
    checkpoints:
      - { id: utvardering, name: Utvärdering, when: maj 2021 }
";

/// A valid organisation in `dir/testkommun` with the given plan text.
pub fn workflow(plan: &str) -> TempDir {
    let t = TempDir::new();
    t.write("testkommun/organisation.yaml", ORG);
    t.write("testkommun/arshjul.yaml", WHEEL);
    t.write("testkommun/plan.yaml", plan);
    t
}

/// `arshjul plan DIR --format json` parsed.
pub fn plan_json(dir: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let d = dir.to_string_lossy().into_owned();
    let mut args = vec!["plan", d.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = arshjul(&args);
    assert_eq!(out.code, 0, "plan failed: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("plan --format json prints one JSON array")
}

/// A SQLite database file in `t`.
pub fn sqlite_url(t: &TempDir) -> String {
    format!("sqlite://{}", t.path().join("arshjul.db").display())
}

/// Runs each named `async fn(url: &str)` of the calling module as two tests: on a SQLite
/// file and on a fresh PostgreSQL database — the same suite on both engines.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let t = crate::support::TempDir::new();
                    super::$name(&crate::support::sqlite_url(&t)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&crate::store::fresh_postgres().await).await;
                }
            )*
        }
    };
}
pub(crate) use on_both_engines;

/// How long an event wait (polling for what a daemon or another process is doing) may take
/// before the test gives up: generous, because CI machines are sometimes very slow, and a
/// wait that succeeds returns as soon as the event happens.
pub const EVENT_WAIT: std::time::Duration = std::time::Duration::from_secs(180);

/// Polls of `every_ms` milliseconds that fit in [`EVENT_WAIT`].
pub fn polls(every_ms: u64) -> u64 {
    EVENT_WAIT.as_millis() as u64 / every_ms
}

/// A one-item digest for Monday 24 May 2021 (sent at 07:30 Stockholm) to `name <email>`,
/// the item a follow-up `checkpoint` of plan-2021 due a week later.
pub fn digest(name: &str, email: &str, checkpoint: &str) -> arshjul::remind::Digest {
    use arshjul::remind::{Digest, Item, Person, Step};
    use chrono::{NaiveDate, TimeZone, Utc};
    Digest {
        to: Person { name: name.into(), email: email.into() },
        day: NaiveDate::from_ymd_opt(2021, 5, 24).unwrap(),
        send_at: Utc.with_ymd_and_hms(2021, 5, 24, 5, 30, 0).unwrap(),
        items: vec![Item {
            checkpoint: checkpoint.into(),
            title: "Uppföljning".into(),
            organisation: "testkommun".into(),
            plan: Some("plan-2021".into()),
            initiative: None,
            unit: None,
            owner_role: "Rektor".into(),
            due: NaiveDate::from_ymd_opt(2021, 5, 31).unwrap(),
            step: Step::Before { days: 7 },
            state: arshjul::workflow::State::Open,
            school_break: None,
            on_behalf_of: None,
        }],
        login: None,
    }
}
