//! The checks protoc makes while it indexes a descriptor set given with
//! `--descriptor_set_in`, before it builds any file of it.
//!
//! protoc 35.1 puts each set in a `SimpleDescriptorDatabase` of its own,
//! file by file in the set's order (a file whose name came earlier in the
//! same set is skipped). The database indexes each file's top-level
//! symbols (package-qualified messages, enums, extensions and services)
//! and every extension whose extendee is fully qualified, and it refuses
//! the whole set, and protoc the whole run, when:
//!
//! - a symbol has a character other than ASCII letters, digits, `_` and `.`;
//! - a symbol is one already indexed, or lies under one (`p.A.B` under
//!   `p.A`, which a package `p.A` next to a message `A` in package `p`
//!   gives), or one already indexed lies under it;
//! - an extension has the extendee and number of one already indexed.
//!
//! The last check of the second kind only looks at the symbol that follows
//! the new one in sorted order, and when no indexed symbol sorts before the
//! new one it looks at the one after that: protoc's index skips the first
//! symbol there, and so does this one, so that the same sets pass and fail.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Bound;

use crate::decode::{DecodeError, fields};
use crate::wire::FieldValue;

/// Why protoc refuses a descriptor set while indexing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetConflict {
    /// A symbol with a character protoc's index does not allow.
    InvalidSymbol {
        /// The package-qualified symbol.
        name: String,
    },
    /// `name` is a symbol already indexed, or lies under it.
    UnderExisting {
        /// The new symbol.
        name: String,
        /// The symbol indexed before.
        existing: String,
    },
    /// A symbol already indexed lies under `name`.
    OverExisting {
        /// The new symbol.
        name: String,
        /// The symbol indexed before.
        existing: String,
    },
    /// An extension whose extendee and number another one has.
    Extension {
        /// The extendee as written, with its leading `.`.
        extendee: String,
        /// The extension's name.
        name: String,
        /// Its number.
        number: i32,
        /// The file that declares it.
        file: String,
    },
}

impl fmt::Display for SetConflict {
    /// protoc's log message, word for word.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetConflict::InvalidSymbol { name } => write!(f, "Invalid symbol name: {name}"),
            SetConflict::UnderExisting { name, existing }
            | SetConflict::OverExisting { name, existing } => write!(
                f,
                "Symbol name \"{name}\" conflicts with the existing symbol \"{existing}\"."
            ),
            SetConflict::Extension {
                extendee,
                name,
                number,
                file,
            } => write!(
                f,
                "Extension conflicts with extension already in database: extend {extendee} \
                 {{ {name} = {number} }} from:{file}"
            ),
        }
    }
}

/// What a file gives the index: its name, its top-level symbols and its
/// extensions, each in protoc's order.
struct Entries {
    file: String,
    items: Vec<Item>,
}

enum Item {
    Symbol(String),
    Extension {
        extendee: String,
        name: String,
        number: i32,
    },
}

/// Indexes the files of one set (`(name, encoded FileDescriptorProto)`, in
/// the set's order) as protoc does. `Err(Err(_))` when a file does not
/// decode (protoc's "Unable to parse.", which comes before any conflict:
/// protoc parses the whole set first), `Err(Ok(conflict))` for the first
/// conflict.
pub(crate) fn check(files: &[(String, &[u8])]) -> Result<(), Result<SetConflict, DecodeError>> {
    let mut entries = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        entries.push(file_entries(name, bytes).map_err(Err)?);
    }
    let mut seen = BTreeSet::new();
    let mut symbols = BTreeMap::new();
    let mut extensions = BTreeSet::new();
    for file in entries {
        if !seen.insert(file.file.clone()) {
            continue;
        }
        for item in file.items {
            match item {
                Item::Symbol(name) => add_symbol(&mut symbols, name).map_err(Ok)?,
                Item::Extension {
                    extendee,
                    name,
                    number,
                } => {
                    let Some(qualified) = extendee.strip_prefix('.') else {
                        // protoc cannot index a relative extendee, and does
                        // not count it against the set.
                        continue;
                    };
                    if !extensions.insert((qualified.to_string(), number)) {
                        return Err(Ok(SetConflict::Extension {
                            extendee,
                            name,
                            number,
                            file: file.file,
                        }));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Adds `name` to the sorted index, or says why protoc would not.
fn add_symbol(symbols: &mut BTreeMap<String, ()>, name: String) -> Result<(), SetConflict> {
    if !name
        .bytes()
        .all(|b| b == b'.' || b == b'_' || b.is_ascii_alphanumeric())
    {
        return Err(SetConflict::InvalidSymbol { name });
    }
    let before = symbols
        .range::<str, _>((Bound::Unbounded, Bound::Included(name.as_str())))
        .next_back();
    if let Some((existing, ())) = before
        && is_sub_symbol(existing, &name)
    {
        return Err(SetConflict::UnderExisting {
            existing: existing.clone(),
            name,
        });
    }
    // protoc steps from the last symbol at or before `name`, or, when there
    // is none, from the first symbol of all (which it never checks).
    let after = match before {
        Some((key, ())) => symbols
            .range::<str, _>((Bound::Excluded(key.as_str()), Bound::Unbounded))
            .next(),
        None => symbols.iter().nth(1),
    };
    if let Some((existing, ())) = after
        && is_sub_symbol(&name, existing)
    {
        return Err(SetConflict::OverExisting {
            existing: existing.clone(),
            name,
        });
    }
    symbols.insert(name, ());
    Ok(())
}

/// Whether `sub` is `sup` or a symbol under it (`a.b` is under `a`, but
/// `ab` is not).
fn is_sub_symbol(sup: &str, sub: &str) -> bool {
    sub == sup || (sub.starts_with(sup) && sub.as_bytes().get(sup.len()) == Some(&b'.'))
}

/// The length-delimited values of field `number`, in order. A value of
/// another wire type is an unknown field to protobuf's parser, not an
/// error, and is passed over here too.
fn bodies<'a, 'p>(
    parts: &'p [(u32, FieldValue<'a>)],
    number: u32,
) -> impl Iterator<Item = &'a [u8]> + 'p {
    parts.iter().filter_map(move |(n, value)| match value {
        FieldValue::Bytes(body) if *n == number => Some(*body),
        _ => None,
    })
}

/// The text of field `number`; the last one wins, as when protobuf parses
/// it.
fn last_text(parts: &[(u32, FieldValue<'_>)], number: u32) -> Option<String> {
    bodies(parts, number)
        .last()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// The name (field 1) of an encoded descriptor.
fn name_of(bytes: &[u8], what: &str) -> Result<String, DecodeError> {
    Ok(last_text(&fields(bytes, what)?, 1).unwrap_or_default())
}

/// What one encoded `FileDescriptorProto` adds to the index, in protoc's
/// order: each message and then the extensions nested in it, the enums,
/// each extension (symbol, then extension), the services.
fn file_entries(file: &str, bytes: &[u8]) -> Result<Entries, DecodeError> {
    let parts = fields(bytes, "FileDescriptorProto")?;
    let prefix = match last_text(&parts, 2) {
        Some(package) if !package.is_empty() => format!("{package}."),
        _ => String::new(),
    };
    let mut items = Vec::new();
    for body in bodies(&parts, 4) {
        let name = name_of(body, "DescriptorProto")?;
        items.push(Item::Symbol(format!("{prefix}{name}")));
        nested_extensions(body, &mut items)?;
    }
    for body in bodies(&parts, 5) {
        let name = name_of(body, "EnumDescriptorProto")?;
        items.push(Item::Symbol(format!("{prefix}{name}")));
    }
    for body in bodies(&parts, 7) {
        let extension = extension(body)?;
        if let Item::Extension { name, .. } = &extension {
            items.push(Item::Symbol(format!("{prefix}{name}")));
        }
        items.push(extension);
    }
    for body in bodies(&parts, 6) {
        let name = name_of(body, "ServiceDescriptorProto")?;
        items.push(Item::Symbol(format!("{prefix}{name}")));
    }
    Ok(Entries {
        file: file.to_string(),
        items,
    })
}

/// The extensions declared in a message and the messages nested in it:
/// those of the nested messages first, as protoc walks them.
fn nested_extensions(bytes: &[u8], items: &mut Vec<Item>) -> Result<(), DecodeError> {
    let parts = fields(bytes, "DescriptorProto")?;
    for body in bodies(&parts, 3) {
        nested_extensions(body, items)?;
    }
    for body in bodies(&parts, 6) {
        items.push(extension(body)?);
    }
    Ok(())
}

/// An extension's name, extendee and number.
fn extension(bytes: &[u8]) -> Result<Item, DecodeError> {
    let parts = fields(bytes, "FieldDescriptorProto")?;
    let mut number = 0;
    for (n, value) in &parts {
        if let (3, FieldValue::Varint(v)) = (n, value) {
            number = *v as i64 as i32;
        }
    }
    Ok(Item::Extension {
        extendee: last_text(&parts, 2).unwrap_or_default(),
        name: last_text(&parts, 1).unwrap_or_default(),
        number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add_all(names: &[&str]) -> Result<(), SetConflict> {
        let mut symbols = BTreeMap::new();
        for name in names {
            add_symbol(&mut symbols, (*name).to_string())?;
        }
        Ok(())
    }

    #[test]
    fn symbols_conflict_as_in_protocs_index() {
        assert_eq!(add_all(&["p.A", "p.B", "q.A", "p.AB"]), Ok(()));
        assert_eq!(
            add_all(&["p.A", "p.A"]),
            Err(SetConflict::UnderExisting {
                name: "p.A".into(),
                existing: "p.A".into()
            })
        );
        assert_eq!(
            add_all(&["p.A", "p.A.B"]),
            Err(SetConflict::UnderExisting {
                name: "p.A.B".into(),
                existing: "p.A".into()
            })
        );
        assert_eq!(
            add_all(&["a.Z", "p.A.B", "p.A"]),
            Err(SetConflict::OverExisting {
                name: "p.A".into(),
                existing: "p.A.B".into()
            })
        );
        // Nothing before `p.A`: protoc's index never looks at `p.A.B`.
        assert_eq!(add_all(&["p.A.B", "p.A"]), Ok(()));
        assert_eq!(
            add_all(&["p-q.A"]),
            Err(SetConflict::InvalidSymbol {
                name: "p-q.A".into()
            })
        );
    }

    #[test]
    fn messages_read_like_protocs() {
        let conflict = SetConflict::Extension {
            extendee: ".p.M".into(),
            name: "y".into(),
            number: 100,
            file: "e2.proto".into(),
        };
        assert_eq!(
            conflict.to_string(),
            "Extension conflicts with extension already in database: extend .p.M { y = 100 } \
             from:e2.proto"
        );
        let conflict = SetConflict::OverExisting {
            name: "p.A".into(),
            existing: "p.A.B".into(),
        };
        assert_eq!(
            conflict.to_string(),
            "Symbol name \"p.A\" conflicts with the existing symbol \"p.A.B\"."
        );
    }
}
