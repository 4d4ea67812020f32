//! What the protoc command line needs to know about compiled files, read
//! from the compiler's IR: the order protoc lists files in, the facts
//! plugins are checked against, and the numbers `--print_free_field_numbers`
//! reports.

use std::collections::BTreeSet;

use protoforge_compiler::ir::{FileId, MessageId, Pool};

use super::free_fields::MessageNumbers;
use crate::plugin::FileFacts;

/// protoc's `GetTransitiveDependencies` for each root in turn: every file
/// after the files it imports (plain imports in order, then option imports),
/// each file once. Files in `seen` are skipped, and so are their imports.
pub(crate) fn transitive(
    pool: &Pool,
    roots: &[FileId],
    seen: &mut BTreeSet<FileId>,
) -> Vec<FileId> {
    fn visit(pool: &Pool, file: FileId, seen: &mut BTreeSet<FileId>, out: &mut Vec<FileId>) {
        if !seen.insert(file) {
            return;
        }
        let f = &pool[file];
        for dependency in f.dependencies.iter().chain(&f.option_dependencies) {
            if let Some(imported) = dependency.file {
                visit(pool, imported, seen, out);
            }
        }
        out.push(file);
    }
    let mut out = Vec::new();
    for &root in roots {
        visit(pool, root, seen, &mut out);
    }
    out
}

/// Whether a message (or one nested in it) has a proto3 `optional` field.
fn has_proto3_optional(pool: &Pool, message: MessageId) -> bool {
    let m = &pool[message];
    m.oneofs.iter().any(|&oneof| pool[oneof].synthetic)
        || m.nested_messages
            .iter()
            .any(|&nested| has_proto3_optional(pool, nested))
}

/// What plugins are checked against for one file to generate.
pub(crate) fn facts(pool: &Pool, file: FileId) -> FileFacts {
    let f = &pool[file];
    FileFacts {
        name: f.name.clone(),
        edition: f.edition.0,
        has_proto3_optional: f.messages.iter().any(|&m| has_proto3_optional(pool, m)),
    }
}

/// The numbers of `message` and its nested messages.
pub(crate) fn message_numbers(pool: &Pool, message: MessageId) -> MessageNumbers {
    let m = &pool[message];
    MessageNumbers {
        full_name: m.full_name.as_str().to_string(),
        fields: m.fields.iter().map(|&f| pool[f].number).collect(),
        extension_ranges: m
            .extension_ranges
            .iter()
            .map(|r| (r.start, r.end))
            .collect(),
        reserved_ranges: m.reserved_ranges.clone(),
        nested: m
            .nested_messages
            .iter()
            .map(|&nested| message_numbers(pool, nested))
            .collect(),
    }
}
