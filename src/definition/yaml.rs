//! A YAML document as a tree of located nodes, and a reader that turns nodes into typed
//! values while collecting diagnostics (unknown keys with the valid ones listed, wrong
//! types, missing fields) instead of stopping at the first.
//!
//! serde-saphyr does the parsing (panic-free, with positions); we deserialize into our own
//! [`Node`] tree so that validation can report *all* problems at once.

use super::diag::{Diagnostic, Pos, did_you_mean};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;
use std::path::{Path, PathBuf};

/// A located YAML node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// The value of a node. Scalars keep their text so that `2020` and `"2020"` read alike.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number or string scalar, as text.
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// The Swedish name of the node's type, for messages.
    pub fn kind_sv(&self) -> &'static str {
        match self {
            Value::Null => "tomt värde",
            Value::Bool(_) => "sant/falskt-värde",
            Value::Scalar(_) => "text",
            Value::Seq(_) => "lista",
            Value::Map(_) => "tabell (nyckel: värde)",
        }
    }
    pub fn kind_en(&self) -> &'static str {
        match self {
            Value::Null => "empty value",
            Value::Bool(_) => "boolean",
            Value::Scalar(_) => "text",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }
}

struct Raw(Value);

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw(Value::Null))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw(Value::Scalar(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw(Value::Scalar(v.to_string())))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
                Ok(Raw(Value::Scalar(v.to_string())))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
                Ok(Raw(Value::Scalar(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw(Value::Scalar(v.to_string())))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw(Value::Scalar(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw, E> {
                Ok(Raw(Value::Scalar(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element::<Spanned<Raw>>()? {
                    v.push(node(x));
                }
                Ok(Raw(Value::Seq(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = a.next_key::<Spanned<Raw>>()? {
                    let val = a.next_value::<Spanned<Raw>>()?;
                    v.push((node(k), node(val)));
                }
                Ok(Raw(Value::Map(v)))
            }
        }
        d.deserialize_any(V)
    }
}

fn node(s: Spanned<Raw>) -> Node {
    let loc = s.referenced;
    Node { pos: Pos { line: loc.line() as u32, col: loc.column() as u32 }, value: s.value.0 }
}

/// Parses YAML text into a node tree, or one located diagnostic for a syntax error.
/// Never panics; bytes that are not UTF-8 are reported with the line they are on.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Node, Diagnostic> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let col = String::from_utf8_lossy(good.rsplit(|b| *b == b'\n').next().unwrap_or(&[])).chars().count() as u32 + 1;
            return Err(Diagnostic::new(
                file,
                Pos { line, col },
                "filen är inte UTF-8. Spara den som UTF-8 (i de flesta redigerare: \"Spara som\" → kodning UTF-8).",
                "the file is not UTF-8. Save it as UTF-8 (in most editors: \"Save as\" → encoding UTF-8).",
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // YAML 1.2 booleans only ("no", "y", "on" stay text: the Norway problem), and numbers
    // with leading zeros ("08") stay as written.
    let mut opts = serde_saphyr::Options::default();
    opts.strict_booleans = true;
    opts.leading_zero_numbers_as_strings = true;
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(text, opts) {
        Ok(s) => Ok(node(s)),
        Err(e) => {
            let pos = e.location().map(|l| Pos { line: l.line() as u32, col: l.column() as u32 }).unwrap_or(Pos { line: 1, col: 1 });
            let (sv, en) = match not_syntax(&e) {
                Some(said) => said,
                None => {
                    let detail = first_line(&e.to_string());
                    (
                        format!("YAML-syntaxfel: {detail}. Kontrollera indrag, kolon och citattecken på raden."),
                        format!("YAML syntax error: {detail}. Check indentation, colons and quotes on the line."),
                    )
                }
            };
            Err(Diagnostic::new(file, pos, sv, en))
        }
    }
}

/// What is really wrong when the parser stops for a reason other than syntax: a key written
/// twice, or a file beyond the parser's limits (written to keep a hostile file from using
/// up memory or stack). `None` for a syntax error.
fn not_syntax(e: &serde_saphyr::Error) -> Option<(String, String)> {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let mut e = e;
    while let E::WithSnippet { error, .. } | E::AliasError { error, .. } = e {
        e = error;
    }
    let limits = serde_saphyr::Budget::default();
    Some(match e {
        E::DuplicateMappingKey { key, .. } => {
            let k = key.as_deref().map(|k| format!("`{k}` ")).unwrap_or_default();
            (
                format!(
                    "nyckeln {k}står två gånger i samma avsnitt; ta bort den ena (eller rätta stavningen om en annan nyckel var menad)"
                ),
                format!(
                    "the key {k}is written twice in the same section; remove one of them (or fix the spelling if another key was meant)"
                ),
            )
        }
        E::Budget { breach: B::Nodes { .. }, .. } => (
            format!("filen är för stor: mer än {} noder (värden, listor och tabeller); dela upp den i flera filer", limits.max_nodes),
            format!(
                "the file is too large: more than {} nodes (values, lists and mappings); split it into several files",
                limits.max_nodes
            ),
        ),
        E::Budget { breach: B::Depth { .. }, .. } => (
            format!("filen är för djup: mer än {} nivåer av listor och tabeller i varandra; skriv strukturen plattare", limits.max_depth),
            format!(
                "the file is too deep: more than {} levels of lists and mappings inside each other; make the structure flatter",
                limits.max_depth
            ),
        ),
        E::Budget { breach: B::Aliases { .. } | B::Anchors { .. }, .. } => (
            "filen har för många ankare (&) eller alias (*); skriv värdena ut i stället".to_owned(),
            "the file has too many anchors (&) or aliases (*); write the values out instead".to_owned(),
        ),
        E::Budget { breach, .. } => (
            format!("filen är för stor eller för komplex för att läsas säkert ({breach:?}); dela upp den i flera filer"),
            format!("the file is too large or too complex to be read safely ({breach:?}); split it into several files"),
        ),
        _ => return None,
    })
}

/// The saphyr message without its "error: line X column Y:" prefix and snippet.
fn first_line(msg: &str) -> String {
    let line = msg.lines().next().unwrap_or(msg);
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.find(": ") {
        Some(i) if line[..i].starts_with("line ") => line[i + 2..].to_owned(),
        _ => line.to_owned(),
    }
}

/// Collects diagnostics for one file while its nodes are read.
pub struct Ctx {
    pub file: PathBuf,
    pub diags: Vec<Diagnostic>,
}

impl Ctx {
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self { file: file.into(), diags: Vec::new() }
    }

    pub fn error(&mut self, pos: Pos, sv: impl Into<String>, en: impl Into<String>) {
        self.diags.push(Diagnostic::new(self.file.clone(), pos, sv, en));
    }

    /// A warning: reported, but the definition still loads.
    pub fn warning(&mut self, pos: Pos, sv: impl Into<String>, en: impl Into<String>) {
        self.diags.push(Diagnostic::warning(self.file.clone(), pos, sv, en));
    }

    /// Reads `node` as a mapping with the given keys. Unknown keys are reported with the
    /// valid ones listed and the nearest one suggested. Returns `None` (after reporting)
    /// when the node is not a mapping.
    pub fn map<'a>(&mut self, node: &'a Node, what_sv: &str, what_en: &str, keys: &'static [&'static str]) -> Option<MapView<'a>> {
        let Value::Map(entries) = &node.value else {
            self.type_error(
                node,
                &format!("{what_sv} ska vara en tabell (nyckel: värde)"),
                &format!("{what_en} must be a mapping (key: value)"),
            );
            return None;
        };
        let mut found = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Value::Scalar(name) = &k.value else {
                self.error(k.pos, format!("nyckeln i {what_sv} måste vara text"), format!("the key in {what_en} must be text"));
                continue;
            };
            if keys.contains(&name.as_str()) {
                found.push((name.as_str(), k, v));
            } else {
                let (dsv, den) = did_you_mean(name, keys.iter().copied());
                let list = keys.join(", ");
                self.error(
                    k.pos,
                    format!("okänd nyckel `{name}` i {what_sv}.{dsv} Giltiga nycklar: {list}."),
                    format!("unknown key `{name}` in {what_en}.{den} Valid keys: {list}."),
                );
            }
        }
        Some(MapView { node, entries: found })
    }

    /// Reports that `node` has the wrong type.
    pub fn type_error(&mut self, node: &Node, expected_sv: &str, expected_en: &str) {
        self.error(
            node.pos,
            format!("{expected_sv}, men här står en {}.", node.value.kind_sv()),
            format!("{expected_en}, but found a {}.", node.value.kind_en()),
        );
    }

    /// Reads a text scalar (numbers are read as their text).
    pub fn text<'a>(&mut self, node: &'a Node, what_sv: &str, what_en: &str) -> Option<&'a str> {
        match &node.value {
            Value::Scalar(s) if !s.trim().is_empty() => Some(s.as_str()),
            Value::Scalar(_) | Value::Null => {
                self.error(node.pos, format!("{what_sv} får inte vara tomt."), format!("{what_en} must not be empty."));
                None
            }
            _ => {
                self.type_error(node, &format!("{what_sv} ska vara text"), &format!("{what_en} must be text"));
                None
            }
        }
    }

    /// Reads a boolean; also accepts ja/nej.
    pub fn boolean(&mut self, node: &Node, what_sv: &str, what_en: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Scalar(s) => match s.to_lowercase().as_str() {
                "ja" | "yes" | "true" => Some(true),
                "nej" | "no" | "false" => Some(false),
                _ => {
                    self.error(
                        node.pos,
                        format!("{what_sv} ska vara ja eller nej, inte `{s}`."),
                        format!("{what_en} must be yes or no, not `{s}`."),
                    );
                    None
                }
            },
            _ => {
                self.type_error(node, &format!("{what_sv} ska vara ja eller nej"), &format!("{what_en} must be yes or no"));
                None
            }
        }
    }

    /// Reads one text or a list of texts.
    pub fn texts<'a>(&mut self, node: &'a Node, what_sv: &str, what_en: &str) -> Vec<(&'a str, Pos)> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|n| self.text(n, what_sv, what_en).map(|s| (s, n.pos))).collect(),
            _ => self.text(node, what_sv, what_en).map(|s| vec![(s, node.pos)]).unwrap_or_default(),
        }
    }

    /// Reads a list (a single item is accepted as a list of one).
    pub fn seq<'a>(&mut self, node: &'a Node) -> Vec<&'a Node> {
        match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![node],
        }
    }
}

/// The recognised entries of one mapping.
pub struct MapView<'a> {
    pub node: &'a Node,
    entries: Vec<(&'a str, &'a Node, &'a Node)>,
}

impl<'a> MapView<'a> {
    /// The value under `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries.iter().find(|(k, _, _)| *k == key).map(|(_, _, v)| *v)
    }

    /// The value under `key`, reporting it as missing otherwise.
    pub fn require(&self, ctx: &mut Ctx, key: &str, what_sv: &str, what_en: &str) -> Option<&'a Node> {
        let v = self.get(key);
        if v.is_none() {
            ctx.error(
                self.node.pos,
                format!("{what_sv} saknar `{key}`. Lägg till `{key}: …`."),
                format!("{what_en} lacks `{key}`. Add `{key}: …`."),
            );
        }
        v
    }

    /// The position of `key` itself (for messages about the entry as a whole).
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries.iter().find(|(k, _, _)| *k == key).map(|(_, k, _)| k.pos)
    }

    /// Entries in file order.
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &'a Node, &'a Node)> + '_ {
        self.entries.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let n = parse(Path::new("a.yaml"), b"plan:\n  id: x\n  period: 2020\n").unwrap();
        let Value::Map(m) = &n.value else { panic!("not a map") };
        let Value::Map(inner) = &m[0].1.value else { panic!("not a map") };
        assert_eq!(inner[1].0.pos, Pos { line: 3, col: 3 });
        assert_eq!(inner[1].1.value, Value::Scalar("2020".into()));
    }

    #[test]
    fn syntax_error_is_located_and_swedish() {
        let e = parse(Path::new("a.yaml"), b"a: [1, 2\nb: c").unwrap_err();
        assert_eq!(e.pos.line, 2);
        assert!(e.sv.starts_with("YAML-syntaxfel"), "{}", e.sv);
    }

    #[test]
    fn non_utf8_is_reported_with_its_line() {
        let e = parse(Path::new("a.yaml"), b"a: 1\nb: \xff\xfe\n").unwrap_err();
        assert_eq!(e.pos, Pos { line: 2, col: 4 });
        assert!(e.sv.contains("UTF-8"));
    }

    #[test]
    fn unknown_keys_are_all_reported_with_suggestion_and_valid_list() {
        let n = parse(Path::new("a.yaml"), b"nam: x\nowner: y\nfoo: z\n").unwrap();
        let mut ctx = Ctx::new("a.yaml");
        let m = ctx.map(&n, "insatsen", "the initiative", &["name", "owner"]).unwrap();
        assert_eq!(m.get("owner").map(|n| &n.value), Some(&Value::Scalar("y".into())));
        assert_eq!(ctx.diags.len(), 2);
        assert!(ctx.diags[0].sv.contains("Menade du `name`?"), "{}", ctx.diags[0].sv);
        assert!(ctx.diags[1].sv.contains("Giltiga nycklar: name, owner"), "{}", ctx.diags[1].sv);
    }
}
