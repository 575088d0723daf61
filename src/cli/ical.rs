//! `arshjul ical --person EMAIL | --role ROLE | --unit UNIT [--organisation ORG] [--output FILE]`:
//! a calendar feed (RFC 5545) of the stored checkpoints, to a file or standard output. The
//! same feed the web pages serve at a secret link (`web::feeds`), without the viewer's limits.
//! `arshjul ical-link create --for EMAIL [--role R | --unit U] | list | revoke ID`: those links,
//! for administrators (a link made here is read with the named person's rights, as on the web).

use crate::clock::Clock;
use crate::definition::{Lang, load_dir};
use crate::ical::feed::Scope;
use crate::msg::Msg;
use crate::store::Store;
use clap::{ArgGroup, Args};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("scope").required(true).args(["person", "role", "unit"])))]
pub struct IcalArgs {
    /// En persons kontrollpunkter: de som ägs av personens roller (per enhet) i personkatalogen.
    #[arg(long)]
    pub person: Option<String>,
    /// En rolls kontrollpunkter (t.ex. rektor), i alla organisationer som har rollen om inte --organisation anges.
    #[arg(long)]
    pub role: Option<String>,
    /// En enhets kontrollpunkter (t.ex. norrskolan).
    #[arg(long)]
    pub unit: Option<String>,
    /// Organisationen som rollen eller enheten hör till.
    #[arg(long)]
    pub organisation: Option<String>,
    /// Skriv till filen (annars standard ut).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Katalogen med definitioner (standard: workflows/ eller ARSHJUL_WORKFLOWS).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

fn fail(lang: Lang, msg: impl Into<Msg>) -> ExitCode {
    super::fail("ical", lang, msg)
}

pub fn run(args: IcalArgs, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return ExitCode::FAILURE };
    rt.block_on(run_async(args, lang, clock))
}

async fn run_async(args: IcalArgs, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let scope = match (args.person, args.role, args.unit) {
        (Some(email), None, None) if args.organisation.is_none() => Scope::Person { email },
        (Some(_), None, None) => {
            return fail(
                lang,
                Msg::new(
                    "--organisation gäller bara --role och --unit: en persons kalender omfattar alla organisationer där hen har en roll.",
                    "--organisation applies to --role and --unit only: a person's calendar covers every organisation they hold a role in.",
                ),
            );
        }
        (None, Some(role), None) => Scope::Role { organisation: args.organisation, role },
        (None, None, Some(unit)) => Scope::Unit { organisation: args.organisation, unit },
        _ => return fail(lang, Msg::new("ange en av --person, --role och --unit.", "give one of --person, --role and --unit.")),
    };
    let dir = args.dir.unwrap_or_else(super::default_dir);
    let model = match load_dir(&dir) {
        Ok(m) => m,
        Err(diags) => {
            super::print_diagnostics(&diags, lang);
            return ExitCode::from(2);
        }
    };
    let store = match Store::open_command(&super::state::database_url()).await {
        Ok(s) => s,
        Err(e) => return fail(lang, e),
    };
    let cfg = super::config();
    let text =
        match crate::web::feeds::render_feed(&store, &model, &scope, None, cfg.base_url.trim_end_matches('/'), lang, clock.now()).await {
            Ok(Ok(t)) => t,
            Ok(Err(msg)) => return fail(lang, msg),
            Err(e) => return fail(lang, e),
        };
    store.close().await;
    match args.output {
        None => {
            out!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => {
            // Written beside the target and renamed: a calendar program reading the file
            // never sees half of it.
            let tmp = path.with_extension("ics.tmp");
            match std::fs::write(&tmp, text.as_bytes()).and_then(|_| std::fs::rename(&tmp, &path)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    fail(
                        lang,
                        Msg::new(
                            format!("kan inte skriva {}: {e}. Kontrollera att katalogen finns och är skrivbar.", path.display()),
                            format!("cannot write {}: {e}. Check that the directory exists and is writable.", path.display()),
                        ),
                    )
                }
            }
        }
    }
}

/// `arshjul ical-link …`: the web's feed links from the command line, for administrators.
#[derive(clap::Subcommand, Debug)]
pub enum LinkCommand {
    /// Skapa en hemlig kalenderlänk åt en person (adressen skrivs ut en gång).
    Create {
        /// Personen som länken skapas åt: kalendern visar det hen får se.
        #[arg(long = "for")]
        email: String,
        /// Personens egna kontrollpunkter (standard), eller en roll eller enhet.
        #[arg(long, conflicts_with = "unit")]
        role: Option<String>,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        organisation: Option<String>,
        /// Katalogen med definitioner (standard: workflows/ eller ARSHJUL_WORKFLOWS).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Visa alla kalenderlänkar som inte är återkallade.
    List,
    /// Återkalla en kalenderlänk (id från `list`).
    Revoke { id: String },
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn run_link(cmd: LinkCommand, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return ExitCode::FAILURE };
    rt.block_on(run_link_async(cmd, lang, clock))
}

async fn run_link_async(cmd: LinkCommand, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let fail = |m: Msg| super::fail("ical-link", lang, m);
    let store = match Store::open_command(&super::state::database_url()).await {
        Ok(s) => s,
        Err(e) => return fail(e.into()),
    };
    let now = clock.now();
    match cmd {
        LinkCommand::List => match store.feed_links(None).await {
            Ok(links) => {
                for l in links {
                    let last = l.last_used_at.map_or_else(|| "-".to_owned(), stamp);
                    let scope = format!("{}:{}{}", l.kind, l.organisation.map(|o| format!("{o}:")).unwrap_or_default(), l.scope);
                    outln!("{}\t{}\t{scope}\t{}\t{last}", l.id, l.email, stamp(l.created_at));
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e.into()),
        },
        LinkCommand::Revoke { id } => match store.revoke_feed_link(&id, None, now).await {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => fail(Msg::new(
                format!("ingen giltig kalenderlänk har id `{id}` (redan återkallad?). Se `arshjul ical-link list`."),
                format!("no live calendar link has the id `{id}` (already revoked?). See `arshjul ical-link list`."),
            )),
            Err(e) => fail(e.into()),
        },
        LinkCommand::Create { email, role, unit, organisation, dir } => {
            let scope = match (role, unit) {
                (Some(role), _) => Scope::Role { organisation, role },
                (None, Some(unit)) => Scope::Unit { organisation, unit },
                (None, None) => Scope::Person { email: email.clone() },
            };
            let model = match load_dir(&dir.unwrap_or_else(super::default_dir)) {
                Ok(m) => m,
                Err(diags) => {
                    super::print_diagnostics(&diags, lang);
                    return ExitCode::from(2);
                }
            };
            let people = match store.person(&email).await {
                Ok(p) => p,
                Err(e) => return fail(e.into()),
            };
            // The person and the scope must both exist now.
            for s in [Scope::Person { email: email.clone() }, scope.clone()] {
                let dir = if matches!(s, Scope::Person { .. }) { people.clone() } else { Vec::new() };
                if let Err(m) = crate::ical::feed::resolve(&s, &model, &dir, lang) {
                    return fail(m);
                }
            }
            match crate::web::feeds::create_link(&store, &email, &scope, now).await {
                Ok(Some(secret)) => {
                    outln!("{}/ical/{secret}.ics", super::config().base_url.trim_end_matches('/'));
                    ExitCode::SUCCESS
                }
                Ok(None) => fail(Msg::new("systemet saknar slumpkälla.", "no random source.")),
                Err(e) => fail(e.into()),
            }
        }
    }
}
