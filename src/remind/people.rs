//! The people directory as a CSV file (`organisation,role,unit,name,email`), checked against
//! the definitions: every problem is reported with its line, and nothing is imported unless
//! the whole file is right.

use super::Person;
use super::recipients::Holder;
use crate::definition::Model;
use crate::definition::diag::did_you_mean;
use crate::mail::header;
use crate::msg::Msg;
use std::borrow::Cow;
use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// A problem on one line of the CSV file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub msg: Msg,
}

/// Splits one CSV record (RFC 4180 quoting; `,` or `;` as separator). A line without
/// quotes (nearly all of them) is split without copying.
fn fields(line: &str, sep: char) -> Result<Vec<Cow<'_, str>>, &'static str> {
    if !line.contains('"') {
        return Ok(line.split(sep).map(|f| Cow::Borrowed(f.trim())).collect());
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            (c, false) if c == sep => out.push(Cow::Owned(std::mem::take(&mut cur).trim().to_owned())),
            (c, _) => cur.push(c),
        }
    }
    if quoted {
        return Err("citattecknet stängs aldrig");
    }
    out.push(Cow::Owned(cur.trim().to_owned()));
    Ok(out)
}

const HEADER_SV: [&str; 5] = ["organisation", "roll", "enhet", "namn", "e-post"];
const HEADER_EN: [&str; 5] = ["organisation", "role", "unit", "name", "email"];

fn plausible_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// Parses and checks the directory. All errors at once; `Ok` only when every line is right.
pub fn parse(text: &str, model: &Model) -> Result<Vec<Holder>, Vec<CsvError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut out: Vec<Holder> = Vec::new();
    // (organisation, role, unit, email) of the rows so far, by hash → the first row with it.
    let mut seen: HashMap<u64, usize> = HashMap::new();
    // Looked up per line: a national directory has 1 M lines and organisations of 1 000 units.
    let orgs: HashMap<&str, &crate::definition::model::Organisation> = model.organisations.iter().map(|o| (&*o.id, o)).collect();
    let units: HashSet<(&str, &str)> = model.organisations.iter().flat_map(|o| o.units.iter().map(move |u| (&*o.id, &*u.id))).collect();
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((hn, header)) = lines.next() else {
        return Err(vec![CsvError {
            line: 1,
            msg: Msg::new(
                format!("filen är tom: första raden ska vara `{}`.", HEADER_EN.join(",")),
                format!("the file is empty: the first line must be `{}`.", HEADER_EN.join(",")),
            ),
        }]);
    };
    let sep = if header.contains(';') && !header.contains(',') { ';' } else { ',' };
    let head: Vec<String> = fields(header, sep).unwrap_or_default().iter().map(|h| h.to_lowercase()).collect();
    if head != HEADER_EN && head != HEADER_SV {
        let shown = header::shown(header.trim());
        return Err(vec![CsvError {
            line: hn + 1,
            msg: Msg::new(
                format!("rubrikraden ska vara `{}` (eller `{}`), inte `{shown}`.", HEADER_EN.join(","), HEADER_SV.join(",")),
                format!("the header must be `{}` (or `{}`), not `{shown}`.", HEADER_EN.join(","), HEADER_SV.join(",")),
            ),
        }]);
    }
    for (n, line) in lines {
        let line_no = n + 1;
        let mut err = |sv: String, en: String| errors.push(CsvError { line: line_no, msg: Msg::new(sv, en) });
        let f = match fields(line, sep) {
            Ok(f) => f,
            Err(why) => {
                err(format!("{why}."), "unterminated quote.".into());
                continue;
            }
        };
        if f.len() != 5 {
            err(
                format!(
                    "raden har {} fält men ska ha 5: organisation,roll,enhet,namn,e-post (lämna enhet tom för roller på huvudmannanivå).",
                    f.len()
                ),
                format!("the line has {} fields, not 5: organisation,role,unit,name,email.", f.len()),
            );
            continue;
        }
        let (org_id, role_id, unit_id, name, email) = (&f[0], &f[1], &f[2], &f[3], &f[4]);
        let Some(&org) = orgs.get(&**org_id) else {
            let (dsv, den) = did_you_mean(org_id, model.organisations.iter().map(|o| &*o.id));
            err(format!("okänd organisation `{org_id}`.{dsv}"), format!("unknown organisation `{org_id}`.{den}"));
            continue;
        };
        let Some(role) = org.role(role_id) else {
            let (dsv, den) = did_you_mean(role_id, org.roles.iter().map(|r| &*r.id));
            let known: Vec<&str> = org.roles.iter().map(|r| &*r.id).collect();
            err(
                format!("okänd roll `{role_id}` i {org_id}.{dsv} Roller: {}.", known.join(", ")),
                format!("unknown role `{role_id}` in {org_id}.{den} Roles: {}.", known.join(", ")),
            );
            continue;
        };
        let unit = if role.per_unit {
            if unit_id.is_empty() {
                err(
                    format!(
                        "rollen `{role_id}` innehas per enhet: ange enheten (t.ex. `{}`).",
                        org.units.first().map_or("skolans-id", |u| &*u.id)
                    ),
                    format!("the role `{role_id}` is held per unit: give the unit."),
                );
                continue;
            }
            if !units.contains(&(&**org_id, &**unit_id)) {
                let (dsv, den) = did_you_mean(unit_id, org.units.iter().map(|u| &*u.id));
                err(format!("okänd enhet `{unit_id}` i {org_id}.{dsv}"), format!("unknown unit `{unit_id}` in {org_id}.{den}"));
                continue;
            }
            Some(unit_id.to_string())
        } else {
            if !unit_id.is_empty() {
                err(
                    format!("rollen `{role_id}` gäller hela organisationen: lämna enhet tom (inte `{unit_id}`)."),
                    format!("the role `{role_id}` is organisation-wide: leave the unit empty (not `{unit_id}`)."),
                );
                continue;
            }
            None
        };
        if name.is_empty() {
            err("namnet saknas.".into(), "the name is missing.".into());
            continue;
        }
        // Both go into mail headers: nothing lettre cannot write there (a line break in a
        // name would inject a header).
        if let Some(m) = header::name_problem(name) {
            err(format!("{}.", m.sv), format!("{}.", m.en));
            continue;
        }
        if let Err(m) = header::address(email) {
            err(format!("{}.", m.sv), format!("{}.", m.en));
            continue;
        }
        if !plausible_email(email) {
            err(
                format!("`{}` är ingen e-postadress: domänen saknar punkt (skriv t.ex. `anna.andersson@kommun.se`).", header::shown(email)),
                format!(
                    "`{}` is not an email address: the domain has no dot (write e.g. `anna.andersson@example.org`).",
                    header::shown(email)
                ),
            );
            continue;
        }
        let person = Person { name: name.to_string(), email: email.to_lowercase() };
        let holder = Holder { organisation: org_id.to_string(), role: role_id.to_string(), unit, person };
        // A hash, not a scan of the rows read so far (that took 28 s of CPU for 100 k people).
        let same = |h: &Holder| {
            h.organisation == holder.organisation && h.role == holder.role && h.unit == holder.unit && h.person.email == holder.person.email
        };
        let duplicate = match seen.entry(directory_key(&holder)) {
            Entry::Vacant(v) => {
                v.insert(out.len());
                false
            }
            // Another row with the same hash: the same row, or (all but never) a collision.
            Entry::Occupied(o) => same(&out[*o.get()]) || out.iter().any(same),
        };
        if duplicate {
            err(format!("{email} står redan som {role_id} här."), format!("{email} is already listed as {role_id} here."));
            continue;
        }
        out.push(holder);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn directory_key(h: &Holder) -> u64 {
    let mut k = DefaultHasher::new();
    (&h.organisation, &h.role, &h.unit, &h.person.email).hash(&mut k);
    k.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::load_sources;

    const ORG: &str = "organisation:
  id: k
  name: K
  units:
    - { id: norr, name: Norrskolan, kind: grundskola }
  roles:
    chef: { name: Förvaltningschef }
    rektor: { name: Rektor, per_unit: ja, reports_to: chef }
";

    fn model() -> Model {
        load_sources(vec![("w/k/organisation.yaml".into(), ORG.as_bytes().to_vec())]).0
    }

    #[test]
    fn a_good_file_in_either_language_and_separator() {
        let ok = parse(
            "organisation,role,unit,name,email\nk,chef,,Cecilia Chef,Cecilia@K.se\nk,rektor,norr,\"Rita, rektor\",rita@k.se\n",
            &model(),
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].person.email, "cecilia@k.se");
        assert_eq!(ok[1].person.name, "Rita, rektor");
        assert_eq!(ok[1].unit.as_deref(), Some("norr"));
        let sv = parse("\u{feff}organisation;roll;enhet;namn;e-post\nk;chef;;Cecilia;c@k.se\n", &model()).unwrap();
        assert_eq!(sv.len(), 1);
    }

    #[test]
    fn every_bad_line_is_named() {
        let text = "organisation,role,unit,name,email\nk,rektr,norr,R,r@k.se\nk,rektor,,R,r@k.se\nk,rektor,sodra,R,r@k.se\nk,chef,norr,C,c@k.se\nk,chef,,C,inte-en-adress\nx,chef,,C,c@k.se\nk,chef,,C\n";
        let errs = parse(text, &model()).unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8]);
        assert!(errs[0].msg.sv.contains("Menade du `rektor`?"), "{}", errs[0].msg.sv);
        assert!(errs[1].msg.sv.contains("innehas per enhet"));
        assert!(errs[2].msg.sv.contains("okänd enhet `sodra`"));
        assert!(errs[3].msg.sv.contains("lämna enhet tom"));
        assert!(errs[4].msg.sv.contains("ingen e-postadress: @ eller delen"), "{}", errs[4].msg.sv);
        assert!(errs[6].msg.sv.contains("5"));
        assert!(parse("namn,epost\n", &model()).unwrap_err()[0].msg.sv.contains("rubrikraden"));
    }

    #[test]
    fn header_unsafe_names_and_addresses_are_refused_and_nothing_is_imported() {
        let text = "organisation,role,unit,name,email\n\
                    k,chef,,Cecilia Chef,c@k.se\n\
                    k,rektor,norr,Anna\rBcc: x@evil.example,anna@k.se\n\
                    k,rektor,norr,Bo\u{0},bo@k.se\n\
                    k,rektor,norr,Rita,\"rita@k.se\rBcc: x@evil.example\"\n\
                    k,rektor,norr,Rita,ri(ta@k.se\n\
                    k,rektor,norr,Rita,\"rita @k.se\"\n\
                    k,rektor,norr,Rita,rita@localhost\n";
        let errs = parse(text, &model()).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4, 5, 6, 7, 8]);
        assert!(errs[0].msg.sv.contains(r"namnet `Anna\rBcc: x@evil.example` innehåller ett styrtecken"), "{}", errs[0].msg.sv);
        assert!(errs[0].msg.sv.contains("skriv namnet på en rad"), "{}", errs[0].msg.sv);
        assert!(errs[0].msg.en.contains("cannot stand in a mail header"), "{}", errs[0].msg.en);
        assert!(errs[1].msg.sv.contains("U+0000"), "{}", errs[1].msg.sv);
        assert!(errs[2].msg.sv.contains("mellanslag eller styrtecken"), "{}", errs[2].msg.sv);
        assert!(errs[3].msg.sv.contains("ingen e-postadress: delen före @"), "{}", errs[3].msg.sv);
        assert!(errs[4].msg.sv.contains("mellanslag"), "{}", errs[4].msg.sv);
        assert!(errs[5].msg.sv.contains("domänen saknar punkt"), "{}", errs[5].msg.sv);
        assert_eq!(errs[0].msg.get(crate::definition::Lang::En), errs[0].msg.en);
    }

    #[test]
    fn a_person_listed_twice_for_the_same_role_and_unit_is_named_on_the_second_line() {
        // Ignoring the case of the address; the same person in another unit or role is fine.
        let mut text = String::from("organisation,role,unit,name,email\nk,chef,,Cecilia,c@k.se\nk,rektor,norr,Rita,rita@k.se\n");
        text.push_str("k,rektor,norr,Rita R,RITA@k.se\nk,chef,,Rita,rita@k.se\n");
        let errs = parse(&text, &model()).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), [4]);
        assert!(errs[0].msg.sv.contains("står redan som rektor"), "{}", errs[0].msg.sv);
    }
}
