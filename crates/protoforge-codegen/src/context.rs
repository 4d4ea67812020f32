//! What the generator knows about the whole pool before writing a line:
//! where every message and enum lives in Rust (module path and name, or an
//! extern path), which fields need a `Box` (strongly connected components
//! of the "contains inline" graph), and which messages can hold a required
//! field (so only they get a `check_required`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use proc_macro2::TokenStream;
use protoforge_compiler::ir::{
    EnumId, FieldId, FieldType, FileId, Label, MessageId, OneofId, Pool, Presence,
};
use quote::quote;

use crate::config::{self, Config};
use crate::names;
use crate::{Error, ErrorKind};

/// A type's place in Rust.
#[derive(Clone, Debug)]
pub(crate) enum Place {
    /// Generated in this run: module segments from the root, and its name.
    Local { module: Vec<String>, name: String },
    /// An existing type: its absolute path.
    Extern(String),
}

pub(crate) struct Context<'a> {
    pub(crate) pool: &'a Pool,
    pub(crate) config: &'a Config,
    /// Files generated in this run.
    pub(crate) files: BTreeSet<FileId>,
    /// Extern rules, proto path (with leading dot) to Rust path.
    externs: Vec<(String, String)>,
    /// Strongly connected component of each message (by index).
    scc: Vec<usize>,
    /// Whether each message can hold a required field.
    needs_check: Vec<bool>,
    /// The Rust names of every message, enum and oneof of the pool.
    names: Names,
    /// Each message's and enum's place, computed on first use (a type is
    /// named by every field that holds it; files are made on several
    /// threads).
    message_places: Vec<OnceLock<Place>>,
    enum_places: Vec<OnceLock<Place>>,
}

/// The names [`names::scope`] gives each message (type and nested module),
/// enum and oneof enum of the pool, by index.
struct Names {
    message_type: Vec<String>,
    message_module: Vec<String>,
    enum_type: Vec<String>,
    oneof_type: Vec<String>,
    /// Extension constants, by field index (empty for other fields).
    extension_const: Vec<String>,
}

impl Names {
    /// Names every scope of the pool: each package module (with the
    /// modules of its sub-packages reserved) and each message's nested
    /// module. Every file of the pool counts, generated or not, so a
    /// package's names do not depend on which of its files are generated.
    fn new(pool: &Pool) -> Names {
        let mut names = Names {
            message_type: vec![String::new(); pool.messages().len()],
            message_module: vec![String::new(); pool.messages().len()],
            enum_type: vec![String::new(); pool.enums().len()],
            oneof_type: vec![String::new(); pool.oneofs().len()],
            extension_const: vec![String::new(); pool.fields().len()],
        };
        type Items = (Vec<MessageId>, Vec<EnumId>, Vec<FieldId>);
        let mut packages: BTreeMap<Vec<String>, Items> = BTreeMap::new();
        for (id, file) in pool.files() {
            let module = package_module(pool, id);
            for i in 0..module.len() {
                packages.entry(module[..i].to_vec()).or_default();
            }
            let entry = packages.entry(module).or_default();
            entry.0.extend(file.messages.iter().copied());
            entry.1.extend(file.enums.iter().copied());
            entry.2.extend(file.extensions.iter().copied());
        }
        let modules: Vec<Vec<String>> = packages.keys().cloned().collect();
        for (module, (messages, enums, extensions)) in &packages {
            let sub: Vec<String> = modules
                .iter()
                .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
                .filter_map(|m| m.last().cloned())
                .collect();
            names.scope(pool, &sub, messages, enums, &[], extensions);
        }
        names
    }

    /// Names one scope, then the nested module of each of its messages.
    fn scope(
        &mut self,
        pool: &Pool,
        sub_modules: &[String],
        messages: &[MessageId],
        enums: &[EnumId],
        oneofs: &[OneofId],
        extensions: &[FieldId],
    ) {
        let messages: Vec<MessageId> = messages
            .iter()
            .copied()
            .filter(|m| pool[*m].map_entry.is_none())
            .collect();
        let mut items = Vec::new();
        for &m in &messages {
            items.push(names::ScopeItem::Message {
                name: &pool[m].name,
                has_module: has_nested_module(pool, m),
            });
        }
        for &e in enums {
            items.push(names::ScopeItem::Enum(&pool[e].name));
        }
        for &o in oneofs {
            items.push(names::ScopeItem::Oneof(&pool[o].name));
        }
        for &x in extensions {
            items.push(names::ScopeItem::Extension(&pool[x].name));
        }
        let named = names::scope(sub_modules, &items);
        let mut named = named.into_iter();
        for &m in &messages {
            if let Some(n) = named.next() {
                self.message_type[m.index()] = n.ty;
                self.message_module[m.index()] = n.module.unwrap_or_default();
            }
        }
        for &e in enums {
            if let Some(n) = named.next() {
                self.enum_type[e.index()] = n.ty;
            }
        }
        for &o in oneofs {
            if let Some(n) = named.next() {
                self.oneof_type[o.index()] = n.ty;
            }
        }
        for &x in extensions {
            if let Some(n) = named.next() {
                self.extension_const[x.index()] = n.ty;
            }
        }
        for m in messages {
            let message = &pool[m];
            let oneofs: Vec<OneofId> = real_oneofs(pool, m);
            self.scope(
                pool,
                &[],
                &message.nested_messages,
                &message.nested_enums,
                &oneofs,
                &message.extensions,
            );
        }
    }
}

/// A message's real (not synthetic) oneofs, in the order their first
/// members are declared.
fn real_oneofs(pool: &Pool, id: MessageId) -> Vec<OneofId> {
    let mut out = Vec::new();
    for &f in &pool[id].fields {
        if let Some(o) = pool[f].oneof {
            if !pool[o].synthetic && !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// Whether the generated code of a message has a nested module: nested
/// messages (other than map entries), enums, real oneofs or extensions.
fn has_nested_module(pool: &Pool, id: MessageId) -> bool {
    let m = &pool[id];
    m.nested_messages
        .iter()
        .any(|n| pool[*n].map_entry.is_none())
        || !m.nested_enums.is_empty()
        || !m.extensions.is_empty()
        || m.oneofs.iter().any(|o| !pool[*o].synthetic)
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        pool: &'a Pool,
        files: &[FileId],
        config: &'a Config,
    ) -> Result<Context<'a>, Error> {
        for (proto, rust) in &config.extern_paths {
            if syn::parse_str::<syn::Path>(rust).is_err() {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    format!("extern path `{rust}` for `{proto}` is not a Rust path"),
                ));
            }
        }
        let mut externs: Vec<(String, String)> = config
            .extern_paths
            .iter()
            .map(|(p, r)| (config::normalize(p), r.clone()))
            .collect();
        for (proto, rust) in config::DEFAULT_EXTERN_PATHS {
            if !externs.iter().any(|(p, _)| p == proto) {
                externs.push((proto.to_string(), rust.to_string()));
            }
        }
        for ty in config::DESCRIPTOR_TYPES {
            let proto = format!(".google.protobuf.{ty}");
            if !externs
                .iter()
                .any(|(p, _)| config::matches(p, &proto) && p != ".google.protobuf")
            {
                externs.push((proto, format!("::protoforge::descriptor::{ty}")));
            }
        }
        Ok(Context {
            pool,
            config,
            files: files.iter().copied().collect(),
            externs,
            scc: strongly_connected(pool),
            needs_check: needs_check(pool),
            names: Names::new(pool),
            message_places: pool.messages().map(|_| OnceLock::new()).collect(),
            enum_places: pool.enums().map(|_| OnceLock::new()).collect(),
        })
    }

    /// The Rust place of a message or enum with this full name, declared in
    /// `file`, whose enclosing messages are `parents` (outermost first) and
    /// whose Rust name is `name`.
    fn place(&self, file: FileId, full_name: &str, name: &str, parents: &[MessageId]) -> Place {
        let dotted = format!(".{full_name}");
        if !self.files.contains(&file) {
            let best = self
                .externs
                .iter()
                .filter(|(p, _)| config::matches(p, &dotted))
                .max_by_key(|(p, _)| p.len());
            if let Some((proto, rust)) = best {
                return Place::Extern(self.extern_path(proto, rust, &dotted));
            }
        }
        let mut module = package_module(self.pool, file);
        for parent in parents {
            module.push(self.module_name(*parent).to_string());
        }
        Place::Local {
            module,
            name: name.to_string(),
        }
    }

    fn extern_path(&self, proto: &str, rust: &str, dotted: &str) -> String {
        let rest: Vec<&str> = dotted
            .get(proto.len()..)
            .unwrap_or("")
            .split('.')
            .filter(|s| !s.is_empty())
            .collect();
        let Some((last, middle)) = rest.split_last() else {
            return rust.to_string();
        };
        let mut path = rust.to_string();
        let rule_is_type = proto != "."
            && self.pool.lookup(proto).is_some_and(|s| {
                matches!(
                    s,
                    protoforge_compiler::ir::Symbol::Message(_)
                        | protoforge_compiler::ir::Symbol::Enum(_)
                )
            });
        if rule_is_type {
            // The rule names a type: its nested types are in the module
            // named after it, beside it.
            if let Some((parent, ty)) = rust.rsplit_once("::") {
                path = format!("{parent}::{}", names::snake(ty));
            }
        }
        for segment in middle {
            path.push_str("::");
            path.push_str(&names::snake(segment));
        }
        path.push_str("::");
        path.push_str(&names::type_name(last));
        path
    }

    pub(crate) fn message_place(&self, id: MessageId) -> &Place {
        self.message_places[id.index()].get_or_init(|| {
            let m = &self.pool[id];
            let parents = self.ancestors(m.parent);
            self.place(m.file, m.full_name.as_str(), self.type_name(id), &parents)
        })
    }

    pub(crate) fn enum_place(&self, id: EnumId) -> &Place {
        self.enum_places[id.index()].get_or_init(|| {
            let e = &self.pool[id];
            let parents = self.ancestors(e.parent);
            self.place(e.file, e.full_name.as_str(), self.enum_name(id), &parents)
        })
    }

    /// The struct name of a message.
    pub(crate) fn type_name(&self, id: MessageId) -> &str {
        &self.names.message_type[id.index()]
    }

    /// The name of a message's nested module.
    pub(crate) fn module_name(&self, id: MessageId) -> &str {
        &self.names.message_module[id.index()]
    }

    /// The name of an enum.
    pub(crate) fn enum_name(&self, id: EnumId) -> &str {
        &self.names.enum_type[id.index()]
    }

    /// The constant of an extension.
    pub(crate) fn extension_name(&self, id: FieldId) -> &str {
        &self.names.extension_const[id.index()]
    }

    /// The name of a (real) oneof's enum.
    pub(crate) fn oneof_name(&self, id: OneofId) -> &str {
        &self.names.oneof_type[id.index()]
    }

    /// The enclosing messages, outermost first.
    pub(crate) fn ancestors(&self, mut parent: Option<MessageId>) -> Vec<MessageId> {
        let mut out = Vec::new();
        while let Some(p) = parent {
            out.push(p);
            parent = self.pool[p].parent;
        }
        out.reverse();
        out
    }

    /// The module holding the nested types of message `id` (local only).
    pub(crate) fn nested_module(&self, id: MessageId) -> Vec<String> {
        let m = &self.pool[id];
        let mut module = package_module(self.pool, m.file);
        for parent in self.ancestors(m.parent) {
            module.push(self.module_name(parent).to_string());
        }
        module.push(self.module_name(id).to_string());
        module
    }

    /// The path to `place` written in module `from`.
    pub(crate) fn path_to(&self, from: &[String], place: &Place) -> Result<TokenStream, Error> {
        match place {
            Place::Extern(path) => parse_path(path),
            Place::Local { module, name } => {
                let common = from.iter().zip(module).take_while(|(a, b)| a == b).count();
                let mut segments: Vec<TokenStream> = Vec::new();
                for _ in common..from.len() {
                    segments.push(quote!(super));
                }
                for segment in &module[common..] {
                    let ident = names::ident(segment);
                    segments.push(quote!(#ident));
                }
                let ident = names::ident(name);
                segments.push(quote!(#ident));
                Ok(quote!(#(#segments)::*))
            }
        }
    }

    pub(crate) fn message_path(
        &self,
        from: &[String],
        id: MessageId,
    ) -> Result<TokenStream, Error> {
        self.path_to(from, self.message_place(id))
    }

    pub(crate) fn enum_path(&self, from: &[String], id: EnumId) -> Result<TokenStream, Error> {
        self.path_to(from, self.enum_place(id))
    }

    /// Whether a field of message `owner` holding message `target` inline
    /// must be boxed: the two are in one cycle of inline containment.
    pub(crate) fn needs_box(&self, owner: MessageId, target: MessageId) -> bool {
        self.scc[owner.index()] == self.scc[target.index()]
    }

    pub(crate) fn needs_check(&self, id: MessageId) -> bool {
        self.needs_check[id.index()]
    }
}

/// The module segments of a file's package.
pub(crate) fn package_module(pool: &Pool, file: FileId) -> Vec<String> {
    match &pool[file].package {
        Some(p) => p.as_str().split('.').map(names::snake).collect(),
        None => Vec::new(),
    }
}

pub(crate) fn parse_path(path: &str) -> Result<TokenStream, Error> {
    let parsed: syn::Path = syn::parse_str(path).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOption,
            format!("extern path `{path}`: {e}"),
        )
    })?;
    Ok(quote!(#parsed))
}

/// The messages a message holds inline (singular message and group fields,
/// oneof members included; repeated fields and maps hold theirs on the heap).
fn inline_targets(pool: &Pool, id: MessageId) -> impl Iterator<Item = MessageId> + '_ {
    pool[id].fields.iter().filter_map(move |f| {
        let field = &pool[*f];
        if field.label == Label::Repeated {
            return None;
        }
        field.ty.message()
    })
}

/// Tarjan's algorithm, iteratively (schemas can nest deeper than a thread's
/// stack allows recursion): the component number of each message.
fn strongly_connected(pool: &Pool) -> Vec<usize> {
    let n = pool.messages().len();
    let edges: Vec<Vec<usize>> = pool
        .messages()
        .map(|(id, _)| inline_targets(pool, id).map(|t| t.index()).collect())
        .collect();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![usize::MAX; n];
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to visit)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component[w] = next_component;
                        if w == v {
                            break;
                        }
                    }
                    next_component += 1;
                }
            }
        }
    }
    component
}

/// For each message, whether it or anything it holds (transitively) has a
/// required field.
fn needs_check(pool: &Pool) -> Vec<bool> {
    let n = pool.messages().len();
    let mut needs = vec![false; n];
    for (id, m) in pool.messages() {
        needs[id.index()] = m
            .fields
            .iter()
            .any(|f| pool[*f].presence == Presence::Required);
    }
    // Propagate to holders until nothing changes (at most the depth of the
    // containment graph rounds).
    let holds: Vec<Vec<usize>> = pool
        .messages()
        .map(|(_, m)| {
            m.fields
                .iter()
                .filter_map(|f| held_message(pool, *f))
                .map(MessageId::index)
                .collect()
        })
        .collect();
    loop {
        let mut changed = false;
        for i in 0..n {
            if !needs[i] && holds[i].iter().any(|&t| needs[t]) {
                needs[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    needs
}

/// The message a field holds: its type, or a map's value type.
pub(crate) fn held_message(pool: &Pool, field: FieldId) -> Option<MessageId> {
    let f = &pool[field];
    match f.ty {
        FieldType::Message(m) | FieldType::Group(m) => match pool[m].map_entry {
            Some(entry) => pool[entry.value].ty.message(),
            None => Some(m),
        },
        _ => None,
    }
}

/// Groups the files by package, in a deterministic order.
pub(crate) fn files_by_package(
    pool: &Pool,
    files: &[FileId],
) -> BTreeMap<Vec<String>, Vec<FileId>> {
    let mut out: BTreeMap<Vec<String>, Vec<FileId>> = BTreeMap::new();
    for &file in files {
        let entry = out.entry(package_module(pool, file)).or_default();
        if !entry.contains(&file) {
            entry.push(file);
        }
    }
    out
}
