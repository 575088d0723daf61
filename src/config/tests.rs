use super::*;

fn load(vars: &[(&str, &str)]) -> Result<Config, Msg> {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::load(move |k| vars.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
}

/// A throw-away configuration file.
struct TmpFile(PathBuf);

impl TmpFile {
    fn s(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TmpFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn file(text: &str) -> TmpFile {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let p = std::env::temp_dir().join(format!("arshjul-config-{}-{n}.toml", std::process::id()));
    std::fs::write(&p, text).unwrap();
    TmpFile(p)
}

#[test]
fn the_shipped_file_parses_and_env_wins() {
    let shipped = format!("{}/config/arshjul.toml", env!("CARGO_MANIFEST_DIR"));
    let c = load(&[("ARSHJUL_CONFIG", &shipped), ("DATABASE_URL", "postgres://db/arshjul")]).unwrap();
    assert_eq!(c.database_url, "postgres://db/arshjul");
    assert_eq!(c.workflows, PathBuf::from("workflows"));
    assert_eq!((c.lang, c.send_time, c.lease_secs, c.concurrency), (Lang::Sv, NaiveTime::from_hms_opt(7, 30, 0).unwrap(), 120, 8));
    assert_eq!(c.mail_domain(), "localhost");
    assert_eq!(c.smtp, None);
}

#[test]
fn every_value_is_typed_once() {
    let c = load(&[
        ("ARSHJUL_CONFIG", "/nonexistent/but/unset"),
        ("ARSHJUL_SEND_TIME", "06:15"),
        ("ARSHJUL_MAIL_FROM", "Årshjulet <arshjul@kommun.se>"),
        ("ARSHJUL_SMTP_URL", "smtp://u:p@smtp.kommun.se:587"),
        ("ARSHJUL_LANG", "en_GB.UTF-8"),
        ("ARSHJUL_LEASE_SECS", " 30 "),
        ("ARSHJUL_CONCURRENCY", "2"),
    ]);
    // An explicit ARSHJUL_CONFIG that does not exist is an error...
    assert!(c.unwrap_err().sv.contains("kan inte läsa konfigurationen"));
    // ...a missing default file is not.
    let f = file("");
    let c = load(&[
        ("ARSHJUL_CONFIG", &f.s()),
        ("ARSHJUL_SEND_TIME", "06:15"),
        ("ARSHJUL_MAIL_FROM", "Årshjulet <arshjul@kommun.se>"),
        ("ARSHJUL_SMTP_URL", "smtp://u:p@smtp.kommun.se:587"),
        ("ARSHJUL_LANG", "en_GB.UTF-8"),
        ("ARSHJUL_LEASE_SECS", " 30 "),
        ("ARSHJUL_CONCURRENCY", "2"),
    ])
    .unwrap();
    assert_eq!(c.send_time, NaiveTime::from_hms_opt(6, 15, 0).unwrap());
    assert_eq!((c.mail_domain(), c.mail_from.name.as_deref()), ("kommun.se", Some("Årshjulet")));
    assert_eq!(c.smtp.as_ref().map(|s| s.host.as_str()), Some("smtp.kommun.se"));
    assert_eq!((c.lang, c.lease_secs, c.concurrency), (Lang::En, 30, 2));
}

#[test]
fn a_bad_value_names_its_variable_or_its_place_in_the_file() {
    let f = file("[reminders]\nsend_time = \"7.30\"\n\n[daemon]\nconcurrency = 500\n");
    let e = load(&[("ARSHJUL_CONFIG", &f.s())]).unwrap_err();
    assert_eq!(
        e.sv,
        format!("{}:2:13: reminders.send_time: utskickstiden `7.30` är inget klockslag; skriv timmar och minuter, t.ex. `07:30`.", f.s())
    );
    assert!(
        e.en.ends_with("reminders.send_time: the send time `7.30` is not a time of day; write hours and minutes, e.g. `07:30`."),
        "{}",
        e.en
    );
    let e = load(&[("ARSHJUL_CONFIG", &f.s()), ("ARSHJUL_SEND_TIME", "07:00")]).unwrap_err();
    assert!(e.sv.ends_with(":5:15: daemon.concurrency: `500` ska vara ett heltal mellan 1 och 64."), "{}", e.sv);
    let bad = |k: &str, v: &str| load(&[("ARSHJUL_CONFIG", &f.s()), ("ARSHJUL_SEND_TIME", "07:00"), ("ARSHJUL_CONCURRENCY", "4"), (k, v)]);
    let e = bad("ARSHJUL_SEND_TIME", "25:00").unwrap_err();
    assert_eq!(e.sv, "ARSHJUL_SEND_TIME: utskickstiden `25:00` är inget klockslag; skriv timmar och minuter, t.ex. `07:30`.");
    let e = bad("ARSHJUL_LEASE_SECS", "0").unwrap_err();
    assert_eq!(e.en, "ARSHJUL_LEASE_SECS: `0` must be a whole number from 1 to 86400.");
    let e = bad("ARSHJUL_LANG", "de").unwrap_err();
    assert!(e.sv.starts_with("ARSHJUL_LANG: okänt språk `de`; välj `sv`"), "{}", e.sv);
    let e = bad("ARSHJUL_MAIL_FROM", "arshjul").unwrap_err();
    assert!(e.sv.starts_with("ARSHJUL_MAIL_FROM: avsändaren `arshjul` är ingen e-postadress"), "{}", e.sv);
    let e = bad("ARSHJUL_MAIL_FROM", "\"a\rBcc: x@evil.example\" <a@k.se>").unwrap_err();
    assert!(e.sv.contains("styrtecken"), "{}", e.sv);
    let e = bad("ARSHJUL_SMTP_URL", "smtp://u:hemligt@smtp.kommun.se").unwrap_err();
    assert!(e.sv.starts_with("ARSHJUL_SMTP_URL: ogiltig SMTP-URL: porten saknas") && !e.sv.contains("hemligt"), "{}", e.sv);
    assert!(e.en.contains("the port is missing"), "{}", e.en);
}

#[test]
fn a_bad_key_is_located() {
    let e = parse(Path::new("a.toml"), "[database]\nurll = \"x\"\n").err().unwrap();
    assert!(e.sv.starts_with("a.toml:2:1: fel i konfigurationen"), "{e}");
    assert!(e.sv.contains("url"), "lists the valid key: {e}");
    assert!(e.en.starts_with("a.toml:2:1: error in the configuration"), "{}", e.en);
}

#[test]
fn the_web_keys_are_typed_and_located() {
    let c = load(&[("ARSHJUL_CONFIG", "/nonexistent"), ("ARSHJUL_WEB_LISTEN", "x")]);
    assert!(c.is_err());
    let f = file("[web]\nlisten = \"0.0.0.0:9000\"\nbase_url = \"https://arshjul.kommun.se/\"\n");
    let c = load(&[("ARSHJUL_CONFIG", &f.s())]).unwrap();
    assert_eq!(c.web_listen.to_string(), "0.0.0.0:9000");
    assert_eq!(c.base_url, "https://arshjul.kommun.se");
    let c = load(&[("ARSHJUL_CONFIG", &f.s()), ("ARSHJUL_BASE_URL", "http://localhost:8080")]).unwrap();
    assert_eq!(c.base_url, "http://localhost:8080");
    let e = load(&[("ARSHJUL_CONFIG", &f.s()), ("ARSHJUL_WEB_LISTEN", "localhost")]).unwrap_err();
    assert!(e.sv.starts_with("ARSHJUL_WEB_LISTEN: `localhost` är ingen adress"), "{}", e.sv);
    let bad = file("[web]\nbase_url = \"arshjul.kommun.se\"\n");
    let e = load(&[("ARSHJUL_CONFIG", &bad.s())]).unwrap_err();
    assert!(e.sv.contains(":2:12: web.base_url: `arshjul.kommun.se` är ingen webbadress"), "{}", e.sv);
    let d = load(&[("ARSHJUL_CONFIG", &file("").s())]).unwrap();
    assert_eq!((d.web_listen.to_string(), d.base_url.as_str()), ("127.0.0.1:8080".into(), "http://127.0.0.1:8080"));
}

#[test]
fn the_oidc_keys_are_typed_located_and_go_together() {
    let none = load(&[("ARSHJUL_CONFIG", &file("").s())]).unwrap();
    assert_eq!(none.oidc, None);
    let f = file("[oidc]\nissuer = \"https://login.microsoftonline.com/abc/v2.0/\"\nclient_id = \"id-1\"\n");
    let c = load(&[("ARSHJUL_CONFIG", &f.s())]).unwrap().oidc.unwrap();
    assert_eq!((c.issuer.as_str(), c.client_id.as_str(), c.client_secret), ("https://login.microsoftonline.com/abc/v2.0", "id-1", None));
    let c = load(&[("ARSHJUL_CONFIG", &f.s()), ("ARSHJUL_OIDC_CLIENT_SECRET", "hemligt")]).unwrap().oidc.unwrap();
    assert_eq!(c.client_secret.as_deref(), Some("hemligt"));
    assert!(!format!("{c:?}").contains("hemligt"), "the secret is never shown");
    // http only on loopback (the test provider).
    let c = load(&[("ARSHJUL_CONFIG", &f.s()), ("ARSHJUL_OIDC_ISSUER", "http://127.0.0.1:4000")]).unwrap().oidc.unwrap();
    assert_eq!(c.issuer, "http://127.0.0.1:4000");
    let e = load(&[("ARSHJUL_CONFIG", &f.s()), ("ARSHJUL_OIDC_ISSUER", "http://login.example.org")]).unwrap_err();
    assert!(e.sv.starts_with("ARSHJUL_OIDC_ISSUER: `http://login.example.org` är ingen utfärdare"), "{}", e.sv);
    let bad = file("[oidc]\nclient_id = \"id-1\"\nissuer = \"login.microsoftonline.com\"\n");
    let e = load(&[("ARSHJUL_CONFIG", &bad.s())]).unwrap_err();
    assert!(e.sv.contains(":3:10: oidc.issuer: `login.microsoftonline.com` är ingen utfärdare"), "{}", e.sv);
    let e = load(&[("ARSHJUL_CONFIG", &file("").s()), ("ARSHJUL_OIDC_ISSUER", "https://idp.example.org")]).unwrap_err();
    assert!(e.sv.contains("ARSHJUL_OIDC_CLIENT_ID"), "{}", e.sv);
    let e = load(&[("ARSHJUL_CONFIG", &file("").s()), ("ARSHJUL_OIDC_CLIENT_ID", "x")]).unwrap_err();
    assert!(e.sv.contains("ARSHJUL_OIDC_ISSUER"), "{}", e.sv);
}
