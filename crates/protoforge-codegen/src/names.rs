//! Every Rust identifier the generator writes comes from here: the case
//! conversions (through `heck`), the escapes a Rust keyword needs, the fixes
//! for names that cannot be identifiers at all, enum-prefix stripping, and
//! the collision fallbacks. Keeping them in one place keeps them consistent
//! (a type named in one file is referred to by the same identifier from any
//! other) and lets one table test cover them.
//!
//! Rules:
//! - a Rust keyword becomes a raw identifier (`type` → `r#type`), except
//!   `self`, `Self`, `super` and `crate`, which cannot be raw and get a `_`
//!   suffix (`self_`);
//! - a name that would start with a digit gets a `_` prefix, an empty one
//!   becomes `__`;
//! - enum values lose the enum's name as a prefix (`COLOR_RED` in `Color` →
//!   `Red`) only when every value has it and no two stripped names collide
//!   or start with a digit; otherwise every value keeps its full name;
//! - names that collide after conversion are made unique by appending the
//!   field or value number ([`unique`]);
//! - the items of one Rust module share one namespace (types and modules
//!   alike) and are named together by [`scope`]: sub-package modules keep
//!   their names, then messages and enums claim theirs in order, then
//!   oneof enums (`Oneof` appended when taken), then the nested-type
//!   modules of messages; a later item whose name is taken gets `_`
//!   appended until it is free (message `Foo` in package `a` beside package
//!   `a.foo` puts its nested types in `a::foo_`); extension constants, which
//!   are values, are made unique among themselves the same way.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Words Rust reserves in the 2024 edition (strict, reserved and weak words
/// that cannot name an item).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: suffixed with `_` instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// Makes `name` a valid identifier, in the text form the generator prints
/// (`r#type`, `self_`, `_1st`).
pub fn escape(name: &str) -> String {
    if name.is_empty() {
        return "__".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{name}");
    }
    if NOT_RAW.contains(&name) {
        return format!("{name}_");
    }
    if KEYWORDS.contains(&name) {
        return format!("r#{name}");
    }
    name.to_string()
}

/// The identifier for an escaped name (raw when it has the `r#` prefix).
pub fn ident(escaped: &str) -> Ident {
    match escaped.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(escaped, Span::call_site()),
    }
}

/// A message, enum or oneof type name: `UpperCamelCase`.
pub fn type_name(proto: &str) -> String {
    escape(&proto.to_upper_camel_case())
}

/// A field, module or package-segment name: `snake_case`.
pub fn snake(proto: &str) -> String {
    escape(&proto.to_snake_case())
}

/// The names of a service's generated items: the server trait
/// (`UpperCamelCase`, as a type), the server type (`…Server`) and the
/// client type (`…Client`).
pub fn service_types(proto: &str) -> [String; 3] {
    let camel = proto.to_upper_camel_case();
    [
        escape(&camel),
        escape(&format!("{camel}Server")),
        escape(&format!("{camel}Client")),
    ]
}

/// The methods of a service, in order: `snake_case`, made unique (the
/// client's constructor `new` is taken first, then later duplicates get
/// their position, counting from 1).
pub fn service_methods(methods: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = methods.iter().map(|m| snake(m)).collect();
    let positions: Vec<i64> = (1..=out.len() as i64).collect();
    unique(&mut out, &positions, &["new"]);
    out
}

/// A constant (extension) name: `SHOUTY_SNAKE_CASE`.
pub fn constant(proto: &str) -> String {
    escape(&proto.to_shouty_snake_case())
}

/// The variant names of an enum named `enum_name` whose values are
/// `values` (name and number; aliases included, in order), with the
/// enum-prefix stripping and collision rules of the module docs.
pub fn enum_variants(enum_name: &str, values: &[(&str, i32)]) -> Vec<String> {
    let prefix = format!("{}_", enum_name.to_shouty_snake_case());
    let numbers: Vec<i64> = values.iter().map(|(_, n)| i64::from(*n)).collect();
    let stripped: Option<Vec<String>> = values
        .iter()
        .map(|(v, _)| {
            let rest = strip_prefix_ignore_case(v, &prefix)?;
            let camel = rest.to_upper_camel_case();
            if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
                None
            } else {
                Some(camel)
            }
        })
        .collect();
    if let Some(stripped) = stripped {
        if !has_duplicates(&stripped) {
            return stripped.iter().map(|s| escape(s)).collect();
        }
    }
    let mut names: Vec<String> = values.iter().map(|(v, _)| type_name(v)).collect();
    unique(&mut names, &numbers, &[]);
    names
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        value.get(prefix.len()..)
    } else {
        None
    }
}

fn has_duplicates(names: &[String]) -> bool {
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// Makes `names` unique: the first occurrence of a name keeps it, each later
/// one gets `_` and its `numbers` entry appended (then more `_` until it is
/// free). `reserved` names are taken from the start (the generator's own
/// fields, such as `unknown_fields`).
pub fn unique(names: &mut [String], numbers: &[i64], reserved: &[&str]) {
    let mut taken: Vec<String> = reserved.iter().map(|s| s.to_string()).collect();
    for (name, number) in names.iter_mut().zip(numbers) {
        if taken.contains(name) {
            let base = name.strip_prefix("r#").unwrap_or(name).to_string();
            let mut candidate = format!("{base}_{number}").replace('-', "neg");
            while taken.contains(&candidate) {
                candidate.push('_');
            }
            *name = candidate;
        }
        taken.push(name.clone());
    }
}

/// `name`, or when `taken` says it is in use, `name` + `suffix` (then more
/// `_` until free): a oneof enum named like a nested type becomes
/// `KindOneof`.
pub fn avoiding(name: &str, suffix: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(name) {
        return name.to_string();
    }
    // A raw identifier with a suffix is no longer a keyword.
    let base = name.strip_prefix("r#").unwrap_or(name);
    let mut candidate = format!("{base}{suffix}");
    while taken(&candidate) {
        candidate.push('_');
    }
    candidate
}

/// One item named in a Rust module by [`scope`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeItem<'a> {
    /// A message (its proto name): a struct, and a module of its nested
    /// items when `has_module`.
    Message {
        /// The message's name as written in the `.proto`.
        name: &'a str,
        /// Whether the message has a nested module (nested types, oneofs
        /// or extensions).
        has_module: bool,
    },
    /// An enum (its proto name).
    Enum(&'a str),
    /// A oneof's enum, in its message's nested module (the oneof's name).
    Oneof(&'a str),
    /// An extension's constant (the extension's name); constants are
    /// values, a namespace of their own.
    Extension(&'a str),
}

/// The names [`scope`] gives one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeNames {
    /// The type's name (struct or enum), or an extension's constant,
    /// escaped.
    pub ty: String,
    /// For a message, the name of its nested module (claimed only when it
    /// has one).
    pub module: Option<String>,
}

/// Names the items of one Rust module (a package's module, or a message's
/// nested module) so that no two collide. `sub_modules` are the modules of
/// sub-packages declared in it (already converted); they keep their names
/// and are taken first. Then, in order: each message's and enum's type
/// name (`_` appended while taken), each oneof's enum name (`Oneof`
/// appended when taken, then `_`), and each message's nested-module name
/// (`_` appended while taken). Rust puts modules and types in one
/// namespace, so all share one set of taken names; extension constants
/// (`SHOUTY_SNAKE_CASE`) are values and only avoid each other.
pub fn scope(sub_modules: &[String], items: &[ScopeItem<'_>]) -> Vec<ScopeNames> {
    let mut taken: Vec<String> = sub_modules.to_vec();
    let claim = |name: String, suffix: &str, taken: &mut Vec<String>| {
        let name = avoiding(&name, suffix, |n| taken.iter().any(|t| t == n));
        taken.push(name.clone());
        name
    };
    let mut out: Vec<ScopeNames> = items
        .iter()
        .map(|item| {
            let (name, module) = match item {
                ScopeItem::Message { name, .. } => (*name, Some(snake(name))),
                ScopeItem::Enum(name) | ScopeItem::Oneof(name) => (*name, None),
                ScopeItem::Extension(name) => {
                    return ScopeNames {
                        ty: constant(name),
                        module: None,
                    };
                }
            };
            ScopeNames {
                ty: type_name(name),
                module,
            }
        })
        .collect();
    for (item, names) in items.iter().zip(&mut out) {
        if matches!(item, ScopeItem::Message { .. } | ScopeItem::Enum(_)) {
            names.ty = claim(names.ty.clone(), "_", &mut taken);
        }
    }
    for (item, names) in items.iter().zip(&mut out) {
        if matches!(item, ScopeItem::Oneof(_)) {
            names.ty = claim(names.ty.clone(), "Oneof", &mut taken);
        }
    }
    for (item, names) in items.iter().zip(&mut out) {
        if let (
            ScopeItem::Message {
                has_module: true, ..
            },
            Some(module),
        ) = (item, &names.module)
        {
            names.module = Some(claim(module.clone(), "_", &mut taken));
        }
    }
    let mut constants = Vec::new();
    for (item, names) in items.iter().zip(&mut out) {
        if matches!(item, ScopeItem::Extension(_)) {
            names.ty = claim(names.ty.clone(), "_", &mut constants);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A conversion, its input and the expected identifier.
    type Case = (fn(&str) -> String, &'static str, &'static str);

    #[test]
    fn conversions() {
        let table: &[Case] = &[
            (type_name, "foo_bar", "FooBar"),
            (type_name, "HTTPRequest", "HttpRequest"),
            (type_name, "self", "Self_"),
            (type_name, "Self", "Self_"),
            (type_name, "_1st", "_1st"),
            (snake, "FooBar", "foo_bar"),
            (snake, "type", "r#type"),
            (snake, "self", "self_"),
            (snake, "super", "super_"),
            (snake, "crate", "crate_"),
            (snake, "async", "r#async"),
            (snake, "gen", "r#gen"),
            (snake, "fieldName7", "field_name7"),
            (snake, "__field_name13", "field_name13"),
            (snake, "_", "__"),
            (snake, "_1", "_1"),
            (snake, "i32", "i32"),
            (constant, "ext_i32", "EXT_I32"),
            (constant, "self", "SELF"),
        ];
        for (f, input, want) in table {
            assert_eq!(f(input), *want, "{input}");
        }
    }

    #[test]
    fn idents() {
        assert_eq!(ident("r#type").to_string(), "r#type");
        assert_eq!(ident("self_").to_string(), "self_");
    }

    #[test]
    fn enum_prefix_stripping() {
        let table: &[(&str, &[&str], &[&str])] = &[
            (
                "Kind",
                &["KIND_UNSPECIFIED", "KIND_A"],
                &["Unspecified", "A"],
            ),
            ("Color", &["BLACK", "RED"], &["Black", "Red"]),
            // Not every value has the prefix: none is stripped.
            ("Color", &["COLOR_RED", "BLUE"], &["ColorRed", "Blue"]),
            // Stripping would leave a leading digit.
            ("Level", &["LEVEL_1", "LEVEL_2"], &["Level1", "Level2"]),
            // Stripping would make two names collide; so would the full
            // names, so the second gets its number.
            ("Foo", &["FOO_BAR", "FOO_Bar_"], &["FooBar", "FooBar_1"]),
            // The prefix matches case-insensitively, as the enum's name is camel.
            ("NestedEnum", &["NESTED_ENUM_FOO"], &["Foo"]),
            // A stripped keyword.
            ("Kw", &["KW_SELF", "KW_TYPE"], &["Self_", "Type"]),
            (
                "ForeignEnum",
                &["FOREIGN_FOO", "FOREIGN_BAR"],
                &["ForeignFoo", "ForeignBar"],
            ),
        ];
        for (name, values, want) in table {
            let numbered: Vec<(&str, i32)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (*v, i as i32))
                .collect();
            assert_eq!(enum_variants(name, &numbered), *want, "{name}");
        }
    }

    #[test]
    fn services() {
        assert_eq!(
            service_types("route_guide"),
            ["RouteGuide", "RouteGuideServer", "RouteGuideClient"]
        );
        assert_eq!(service_types("self"), ["Self_", "SelfServer", "SelfClient"]);
        assert_eq!(
            service_methods(&["GetFeature", "get_feature", "New", "Type", "Self", "new_3"]),
            [
                "get_feature",
                "get_feature_2",
                "new_3",
                "r#type",
                "self_",
                "new_3_6"
            ]
        );
    }

    #[test]
    fn avoiding_takes_a_suffix_when_taken() {
        assert_eq!(avoiding("Kind", "Oneof", |n| n == "Kind"), "KindOneof");
        assert_eq!(
            avoiding("Kind", "Oneof", |n| n == "Kind" || n == "KindOneof"),
            "KindOneof_"
        );
        assert_eq!(avoiding("Kind", "Oneof", |_| false), "Kind");
    }

    #[test]
    fn scopes_name_types_and_modules_without_collisions() {
        use ScopeItem::{Enum, Extension, Message, Oneof};
        let msg = |name| Message {
            name,
            has_module: true,
        };
        let flat = |name| Message {
            name,
            has_module: false,
        };
        let names = |sub: &[&str], items: &[ScopeItem<'_>]| -> Vec<(String, Option<String>)> {
            let sub: Vec<String> = sub.iter().map(|s| s.to_string()).collect();
            scope(&sub, items)
                .into_iter()
                .map(|n| (n.ty, n.module))
                .collect()
        };
        let n = |ty: &str, module: Option<&str>| (ty.to_string(), module.map(str::to_string));
        /// Sub-package modules, items, and the names each item gets.
        type Case<'a> = (
            &'a [&'a str],
            &'a [ScopeItem<'a>],
            &'a [(String, Option<String>)],
        );
        let table: &[Case<'_>] = &[
            // Nothing collides.
            (
                &[],
                &[msg("Foo"), Enum("Color"), flat("Bar")],
                &[
                    n("Foo", Some("foo")),
                    n("Color", None),
                    n("Bar", Some("bar")),
                ],
            ),
            // Package `a.foo` beside message `a.Foo`: the package keeps `foo`.
            (&["foo"], &[msg("Foo")], &[n("Foo", Some("foo_"))]),
            // ... unless `Foo` has no module to put there.
            (&["foo"], &[flat("Foo")], &[n("Foo", Some("foo"))]),
            // Two messages whose names convert alike: types and modules.
            (
                &[],
                &[msg("FooBar"), msg("Foo_Bar")],
                &[n("FooBar", Some("foo_bar")), n("FooBar_", Some("foo_bar_"))],
            ),
            // A message and an enum that convert alike.
            (
                &[],
                &[msg("Foo"), Enum("FOO")],
                &[n("Foo", Some("foo")), n("Foo_", None)],
            ),
            // Oneof enums yield to nested types, then to each other.
            (
                &[],
                &[msg("Kind"), Oneof("kind"), Oneof("Kind_")],
                &[
                    n("Kind", Some("kind")),
                    n("KindOneof", None),
                    n("KindOneof_", None),
                ],
            ),
            // A type and a module with the same spelling (`_1`).
            (&[], &[msg("_1")], &[n("_1", Some("_1_"))]),
            // Extension constants avoid each other, not types.
            (
                &[],
                &[Extension("foo_bar"), msg("FOO_BAR"), Extension("fooBar")],
                &[
                    n("FOO_BAR", None),
                    n("FooBar", Some("foo_bar")),
                    n("FOO_BAR_", None),
                ],
            ),
            // Keywords stay escaped.
            (&["r#type"], &[msg("Type")], &[n("Type", Some("type_"))]),
        ];
        for (sub, items, want) in table {
            assert_eq!(names(sub, items), *want, "{items:?}");
        }
    }

    #[test]
    fn unique_appends_numbers() {
        let mut names = vec![
            "field_name".to_string(),
            "field_name".to_string(),
            "unknown_fields".to_string(),
        ];
        unique(&mut names, &[1, 2, 3], &["unknown_fields"]);
        assert_eq!(names, ["field_name", "field_name_2", "unknown_fields_3"]);
    }
}
