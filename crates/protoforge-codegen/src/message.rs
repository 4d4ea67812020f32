//! One message: its struct, its `impl Message` (size, write and merge
//! passes over the `__private` field helpers, required-field checks), its
//! default-value getters, and the items of its nested module (nested types,
//! oneof enums, extensions declared inside it).
//!
//! The shape is the one `docs/generated-code.md` describes and the runtime's
//! hand-written tests demonstrate: every field is one call of a generic
//! helper named after its shape (`opt_len::<Codec>`, `write_packed::<Codec>`,
//! `merge_map::<K, V, _>`, …), so the emitted code is short and the runtime
//! holds the wire logic once.

use proc_macro2::{Literal, TokenStream};
use protoforge_compiler::ir::{
    Field, FieldId, FieldType, MessageId, Presence, Scalar, Utf8Validation, Value,
};
use quote::{format_ident, quote};

use crate::context::Context;
use crate::enumeration;
use crate::names;
use crate::{Error, attributes, config, doc};

/// The wire types, as numbers in tags.
const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;
const START_GROUP: u32 = 3;
const FIXED32: u32 = 5;

/// How one value of a field is held and coded.
struct ValueKind {
    /// The Rust type of one value.
    ty: TokenStream,
    /// The `__private` codec.
    codec: TokenStream,
    /// The wire type of one value.
    wire: u32,
    /// For a closed enum: the enum's path.
    closed_enum: Option<TokenStream>,
    /// For a message or group: the message (and whether it is boxed).
    message: Option<(MessageId, bool)>,
    /// Scalars and enums other than strings and bytes.
    packable: bool,
}

/// A struct member: a field or a (real) oneof.
enum Member {
    Field(FieldId),
    Oneof(protoforge_compiler::ir::OneofId),
}

pub(crate) struct MessageGen<'c, 'a> {
    cx: &'c Context<'a>,
    id: MessageId,
    /// The module the struct is in.
    module: Vec<String>,
    /// The message's nested module.
    nested: Vec<String>,
}

impl<'c, 'a> MessageGen<'c, 'a> {
    pub(crate) fn new(cx: &'c Context<'a>, id: MessageId, module: Vec<String>) -> Self {
        let nested = cx.nested_module(id);
        MessageGen {
            cx,
            id,
            module,
            nested,
        }
    }

    fn field(&self, id: FieldId) -> &'a Field {
        &self.cx.pool[id]
    }

    /// The struct, its impls, and its nested module.
    pub(crate) fn generate(&self) -> Result<TokenStream, Error> {
        let pool = self.cx.pool;
        let m = &pool[self.id];
        let name = names::ident(self.cx.type_name(self.id));
        let full_name = m.full_name.as_str();
        let dotted = format!(".{full_name}");

        let members = self.members();
        let idents = self.member_idents(&members);
        let has_extensions = !m.extension_ranges.is_empty();

        // The struct.
        let mut fields = Vec::new();
        for (member, ident) in members.iter().zip(&idents) {
            let ident = names::ident(ident);
            fields.push(self.struct_field(member, &ident)?);
        }
        let extensions_field = has_extensions.then(|| {
            quote! {
                /// Extension fields (numbers in the extension ranges), kept as read.
                pub extensions: __pf::ExtensionSet,
            }
        });
        let docs = doc::for_comments(
            m.comments.leading.as_deref(),
            m.comments.trailing.as_deref(),
            || format!("`{full_name}`."),
        );
        let type_attrs = attributes(&self.cx.config.type_attributes, &dotted)?;

        // The passes, in field-number order.
        let mut order: Vec<(i64, usize)> = Vec::new();
        for (i, member) in members.iter().enumerate() {
            order.push((self.member_number(member), i));
        }
        order.sort();
        let mut sizes = Vec::new();
        let mut writes = Vec::new();
        let mut ranges: Vec<(i64, TokenStream, TokenStream)> = Vec::new();
        for range in &m.extension_ranges {
            let (start, end) = (lit(range.start), lit(range.end));
            ranges.push((
                i64::from(range.start),
                quote!(n += self.extensions.encoded_len_range(#start, #end);),
                quote!(self.extensions.write_range(w, #start, #end);),
            ));
        }
        ranges.sort_by_key(|r| r.0);
        let mut ranges = ranges.into_iter().peekable();
        for (number, i) in order {
            while let Some((_, size, write)) = ranges.next_if(|r| r.0 < number) {
                sizes.push(size);
                writes.push(write);
            }
            let ident = names::ident(&idents[i]);
            let (size, write) = self.passes(&members[i], &ident)?;
            sizes.push(size);
            writes.push(write);
        }
        for (_, size, write) in ranges {
            sizes.push(size);
            writes.push(write);
        }

        let compute_size = if sizes.is_empty() {
            quote! {
                #[inline]
                fn compute_size(&self, _sizes: &mut __pf::SizeCache) -> usize {
                    self.unknown_fields.encoded_len()
                }
            }
        } else if members.is_empty() {
            // Only extension ranges: nothing records a length.
            quote! {
                #[inline]
                fn compute_size(&self, _sizes: &mut __pf::SizeCache) -> usize {
                    let mut n = 0;
                    #(#sizes)*
                    n + self.unknown_fields.encoded_len()
                }
            }
        } else {
            quote! {
                #[inline]
                fn compute_size(&self, sizes: &mut __pf::SizeCache) -> usize {
                    let mut n = 0;
                    #(#sizes)*
                    n + self.unknown_fields.encoded_len()
                }
            }
        };

        let mut arms = Vec::new();
        for (member, ident) in members.iter().zip(&idents) {
            let ident = names::ident(ident);
            arms.extend(self.merge_arms(member, &ident)?);
        }
        arms.extend(self.closed_enum_extension_arms()?);
        if has_extensions {
            let tests = m.extension_ranges.iter().map(|r| {
                let (start, end) = (lit(r.start), lit(r.end));
                quote!((#start..#end).contains(&(tag >> 3)))
            });
            arms.push(quote! {
                _ if #(#tests)||* => self.extensions.merge_field(tag, d),
            });
        }

        let field_names = m.fields.iter().map(|f| {
            let f = self.field(*f);
            let number = lit(f.number);
            let name = f.name.as_str();
            quote!((#number, #name))
        });

        let check = if self.cx.needs_check(self.id) {
            let checks = self.required_checks(&members, &idents)?;
            Some(quote! {
                fn check_required(&self, check: &mut __pf::RequiredCheck) {
                    #(#checks)*
                }
            })
        } else {
            None
        };

        let extendable = has_extensions.then(|| {
            quote! {
                impl __pf::Extendable for #name {
                    fn extensions(&self) -> &__pf::ExtensionSet {
                        &self.extensions
                    }

                    fn extensions_mut(&mut self) -> &mut __pf::ExtensionSet {
                        &mut self.extensions
                    }
                }
            }
        });

        let getters = self.getters(&members, &idents)?;
        let getters = (!getters.is_empty()).then(|| {
            quote! {
                impl #name {
                    #(#getters)*
                }
            }
        });

        let nested = self.nested_items(&members, &idents)?;
        let nested_module = if nested.is_empty() {
            None
        } else {
            let module = names::ident(self.cx.module_name(self.id));
            let doc = format!(" Nested types of [`{}`].", self.cx.type_name(self.id));
            Some(quote! {
                #[doc = #doc]
                pub mod #module {
                    #[allow(unused_imports)]
                    use ::protoforge::__private as __pf;

                    #(#nested)*
                }
            })
        };

        Ok(quote! {
            #docs
            #type_attrs
            #[derive(Clone, PartialEq, Default, Debug)]
            pub struct #name {
                #(#fields)*
                /// Fields this message's schema does not know, kept as read.
                pub unknown_fields: __pf::UnknownFields,
                #extensions_field
            }

            impl __pf::Message for #name {
                const NAME: &'static str = #full_name;
                const FIELD_NAMES: &'static [(u32, &'static str)] = &[#(#field_names),*];

                #compute_size

                fn write(&self, w: &mut __pf::Writer<'_>) {
                    #(#writes)*
                    self.unknown_fields.write(w);
                }

                #[inline]
                fn merge_field(
                    &mut self,
                    tag: u32,
                    d: &mut __pf::Decoder<'_>,
                ) -> ::core::result::Result<(), __pf::DecodeError> {
                    match tag {
                        #(#arms)*
                        _ => __pf::merge_unknown(tag, d, &mut self.unknown_fields),
                    }
                }

                #check

                fn unknown_fields(&self) -> &__pf::UnknownFields {
                    &self.unknown_fields
                }

                fn unknown_fields_mut(&mut self) -> &mut __pf::UnknownFields {
                    &mut self.unknown_fields
                }
            }

            #extendable
            #getters
            #nested_module
        })
    }

    /// Fields and real oneofs in declaration order (a oneof where its first
    /// member is).
    fn members(&self) -> Vec<Member> {
        let m = &self.cx.pool[self.id];
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for &f in &m.fields {
            match self.real_oneof(f) {
                Some(o) => {
                    if !seen.contains(&o) {
                        seen.push(o);
                        out.push(Member::Oneof(o));
                    }
                }
                None => out.push(Member::Field(f)),
            }
        }
        out
    }

    fn real_oneof(&self, f: FieldId) -> Option<protoforge_compiler::ir::OneofId> {
        let o = self.field(f).oneof?;
        (!self.cx.pool[o].synthetic).then_some(o)
    }

    fn member_number(&self, member: &Member) -> i64 {
        match member {
            Member::Field(f) => i64::from(self.field(*f).number),
            Member::Oneof(o) => self.cx.pool[*o]
                .fields
                .iter()
                .map(|f| i64::from(self.field(*f).number))
                .min()
                .unwrap_or(0),
        }
    }

    fn member_idents(&self, members: &[Member]) -> Vec<String> {
        let mut idents: Vec<String> = members
            .iter()
            .map(|m| match m {
                Member::Field(f) => names::snake(&self.field(*f).name),
                Member::Oneof(o) => names::snake(&self.cx.pool[*o].name),
            })
            .collect();
        let numbers: Vec<i64> = members.iter().map(|m| self.member_number(m)).collect();
        names::unique(&mut idents, &numbers, &["unknown_fields", "extensions"]);
        idents
    }

    /// The name of oneof `o`'s enum (chosen with the other names of the
    /// message's nested module, [`names::scope`]).
    fn oneof_enum_name(&self, o: protoforge_compiler::ir::OneofId) -> String {
        self.cx.oneof_name(o).to_string()
    }

    fn oneof_enum_path(&self, o: protoforge_compiler::ir::OneofId) -> TokenStream {
        let module = names::ident(self.cx.module_name(self.id));
        let name = names::ident(&self.oneof_enum_name(o));
        quote!(#module::#name)
    }

    fn variant_names(&self, o: protoforge_compiler::ir::OneofId) -> Vec<String> {
        let oneof = &self.cx.pool[o];
        let mut out: Vec<String> = oneof
            .fields
            .iter()
            .map(|f| names::type_name(&self.field(*f).name))
            .collect();
        let numbers: Vec<i64> = oneof
            .fields
            .iter()
            .map(|f| i64::from(self.field(*f).number))
            .collect();
        names::unique(&mut out, &numbers, &[]);
        out
    }

    /// How one value of field `f` is held, written in module `from`.
    fn value_kind(&self, f: FieldId, from: &[String]) -> Result<ValueKind, Error> {
        let field = self.field(f);
        let pool = self.cx.pool;
        let scalar = |ty: TokenStream, codec: &str, wire: u32| {
            let codec = format_ident!("{codec}");
            ValueKind {
                ty,
                codec: quote!(__pf::#codec),
                wire,
                closed_enum: None,
                message: None,
                packable: true,
            }
        };
        Ok(match field.ty {
            FieldType::Scalar(s) => match s {
                Scalar::Double => scalar(quote!(f64), "Double", FIXED64),
                Scalar::Float => scalar(quote!(f32), "Float", FIXED32),
                Scalar::Int64 => scalar(quote!(i64), "Int64", VARINT),
                Scalar::Uint64 => scalar(quote!(u64), "Uint64", VARINT),
                Scalar::Int32 => scalar(quote!(i32), "Int32", VARINT),
                Scalar::Fixed64 => scalar(quote!(u64), "Fixed64", FIXED64),
                Scalar::Fixed32 => scalar(quote!(u32), "Fixed32", FIXED32),
                Scalar::Bool => scalar(quote!(bool), "Bool", VARINT),
                Scalar::Uint32 => scalar(quote!(u32), "Uint32", VARINT),
                Scalar::Sfixed32 => scalar(quote!(i32), "Sfixed32", FIXED32),
                Scalar::Sfixed64 => scalar(quote!(i64), "Sfixed64", FIXED64),
                Scalar::Sint32 => scalar(quote!(i32), "Sint32", VARINT),
                Scalar::Sint64 => scalar(quote!(i64), "Sint64", VARINT),
                Scalar::String => {
                    let mut v = if unverified_utf8(self.cx, field) {
                        scalar(quote!(__pf::ProtoString), "StrUnverified", LEN)
                    } else {
                        scalar(quote!(::std::string::String), "Str", LEN)
                    };
                    v.packable = false;
                    v
                }
                Scalar::Bytes => {
                    let mut v = if option_applies(self.cx, &self.cx.config.bytes, field) {
                        scalar(quote!(__pf::bytes::Bytes), "BytesBuf", LEN)
                    } else {
                        scalar(quote!(::std::vec::Vec<u8>), "BytesVec", LEN)
                    };
                    v.packable = false;
                    v
                }
            },
            FieldType::Enum(e) => {
                let path = self.cx.enum_path(from, e)?;
                if pool[e].is_closed() {
                    ValueKind {
                        ty: path.clone(),
                        codec: quote!(__pf::ClosedEnum<#path>),
                        wire: VARINT,
                        closed_enum: Some(path),
                        message: None,
                        packable: true,
                    }
                } else {
                    ValueKind {
                        ty: quote!(__pf::EnumValue<#path>),
                        codec: quote!(__pf::OpenEnum<#path>),
                        wire: VARINT,
                        closed_enum: None,
                        message: None,
                        packable: true,
                    }
                }
            }
            FieldType::Message(target) | FieldType::Group(target) => {
                let group = matches!(field.ty, FieldType::Group(_));
                let path = self.cx.message_path(from, target)?;
                // Map values and repeated elements are on the heap already.
                let in_map = field.message().is_some_and(|m| pool[m].map_entry.is_some());
                let boxed = !field.is_repeated()
                    && !field.is_extension()
                    && !in_map
                    && self.cx.needs_box(self.id, target);
                let (ty, codec) = match (group, boxed) {
                    (false, false) => (path.clone(), quote!(__pf::Msg<#path>)),
                    (false, true) => (
                        quote!(::std::boxed::Box<#path>),
                        quote!(__pf::BoxMsg<#path>),
                    ),
                    (true, false) => (path.clone(), quote!(__pf::Group<#path>)),
                    (true, true) => (
                        quote!(::std::boxed::Box<#path>),
                        quote!(__pf::BoxGroup<#path>),
                    ),
                };
                ValueKind {
                    ty,
                    codec,
                    wire: if group { START_GROUP } else { LEN },
                    closed_enum: None,
                    message: Some((target, boxed)),
                    packable: false,
                }
            }
        })
    }

    /// For a map field, its entry's key and value fields.
    fn map_entry(&self, f: FieldId) -> Option<(FieldId, FieldId)> {
        let target = self.field(f).ty.message()?;
        let entry = self.cx.pool[target].map_entry?;
        self.field(f)
            .is_repeated()
            .then_some((entry.key, entry.value))
    }

    fn is_btree(&self, f: FieldId) -> bool {
        let dotted = format!(".{}", self.field(f).full_name.as_str());
        config::any_matches(&self.cx.config.btree_map, &dotted)
    }

    fn struct_field(
        &self,
        member: &Member,
        ident: &proc_macro2::Ident,
    ) -> Result<TokenStream, Error> {
        match member {
            Member::Field(f) => {
                let field = self.field(*f);
                let dotted = format!(".{}", field.full_name.as_str());
                let attrs = attributes(&self.cx.config.field_attributes, &dotted)?;
                let name = &field.name;
                let number = field.number;
                let docs = doc::for_comments(
                    field.comments.leading.as_deref(),
                    field.comments.trailing.as_deref(),
                    || format!("Field `{name}` = {number}."),
                );
                let ty = self.field_type(*f, &self.module)?;
                Ok(quote! {
                    #docs
                    #attrs
                    pub #ident: #ty,
                })
            }
            Member::Oneof(o) => {
                let oneof = &self.cx.pool[*o];
                let dotted = format!(".{}", oneof.full_name.as_str());
                let attrs = attributes(&self.cx.config.field_attributes, &dotted)?;
                let name = &oneof.name;
                let docs = doc::for_comments(
                    oneof.comments.leading.as_deref(),
                    oneof.comments.trailing.as_deref(),
                    || format!("Oneof `{name}`."),
                );
                let path = self.oneof_enum_path(*o);
                Ok(quote! {
                    #docs
                    #attrs
                    pub #ident: ::core::option::Option<#path>,
                })
            }
        }
    }

    /// The struct field's type for a field (not a real oneof member).
    fn field_type(&self, f: FieldId, from: &[String]) -> Result<TokenStream, Error> {
        let field = self.field(f);
        if let Some((key, value)) = self.map_entry(f) {
            let k = self.value_kind(key, from)?.ty;
            let v = self.value_kind(value, from)?.ty;
            return Ok(if self.is_btree(f) {
                quote!(::std::collections::BTreeMap<#k, #v>)
            } else {
                quote!(__pf::HashMap<#k, #v>)
            });
        }
        let kind = self.value_kind(f, from)?;
        let ty = kind.ty;
        Ok(match field.presence {
            Presence::Repeated => quote!(::std::vec::Vec<#ty>),
            Presence::Implicit => ty,
            Presence::Explicit | Presence::Required => quote!(::core::option::Option<#ty>),
        })
    }

    fn tag(number: i32, wire: u32) -> Literal {
        Literal::u32_unsuffixed(((number as u32) << 3) | wire)
    }

    /// The size and write statements of one member.
    fn passes(
        &self,
        member: &Member,
        ident: &proc_macro2::Ident,
    ) -> Result<(TokenStream, TokenStream), Error> {
        match member {
            Member::Field(f) => {
                let field = self.field(*f);
                if let Some((key, value)) = self.map_entry(*f) {
                    let k = self.value_kind(key, &self.module)?.codec;
                    let v = self.value_kind(value, &self.module)?.codec;
                    let tag = Self::tag(field.number, LEN);
                    return Ok((
                        quote!(n += __pf::map_len::<#k, #v, _>(#tag, &self.#ident, sizes);),
                        quote!(__pf::write_map::<#k, #v, _>(w, #tag, &self.#ident);),
                    ));
                }
                let kind = self.value_kind(*f, &self.module)?;
                let codec = &kind.codec;
                Ok(match field.presence {
                    Presence::Repeated if field.is_packed() => {
                        let tag = Self::tag(field.number, LEN);
                        (
                            quote!(n += __pf::packed_len::<#codec>(#tag, &self.#ident, sizes);),
                            quote!(__pf::write_packed::<#codec>(w, #tag, &self.#ident);),
                        )
                    }
                    Presence::Repeated => {
                        let tag = Self::tag(field.number, kind.wire);
                        (
                            quote!(n += __pf::repeated_len::<#codec>(#tag, &self.#ident, sizes);),
                            quote!(__pf::write_repeated::<#codec>(w, #tag, &self.#ident);),
                        )
                    }
                    Presence::Implicit => {
                        let tag = Self::tag(field.number, kind.wire);
                        (
                            quote!(n += __pf::implicit_len::<#codec>(#tag, &self.#ident, sizes);),
                            quote!(__pf::write_implicit::<#codec>(w, #tag, &self.#ident);),
                        )
                    }
                    Presence::Explicit | Presence::Required => {
                        let tag = Self::tag(field.number, kind.wire);
                        (
                            quote!(n += __pf::opt_len::<#codec>(#tag, &self.#ident, sizes);),
                            quote!(__pf::write_opt::<#codec>(w, #tag, &self.#ident);),
                        )
                    }
                })
            }
            Member::Oneof(o) => {
                let path = self.oneof_enum_path(*o);
                let variants = self.variant_names(*o);
                let mut size_arms = Vec::new();
                let mut write_arms = Vec::new();
                for (f, variant) in self.cx.pool[*o].fields.iter().zip(&variants) {
                    let kind = self.value_kind(*f, &self.module)?;
                    let codec = &kind.codec;
                    let tag = Self::tag(self.field(*f).number, kind.wire);
                    let variant = names::ident(variant);
                    size_arms.push(
                        quote!(#path::#variant(v) => __pf::value_len::<#codec>(#tag, v, sizes),),
                    );
                    write_arms.push(
                        quote!(#path::#variant(v) => __pf::write_value::<#codec>(w, #tag, v),),
                    );
                }
                Ok((
                    quote! {
                        if let ::core::option::Option::Some(v) = &self.#ident {
                            n += match v {
                                #(#size_arms)*
                            };
                        }
                    },
                    quote! {
                        if let ::core::option::Option::Some(v) = &self.#ident {
                            match v {
                                #(#write_arms)*
                            }
                        }
                    },
                ))
            }
        }
    }

    /// The `merge_field` match arms of one member.
    fn merge_arms(
        &self,
        member: &Member,
        ident: &proc_macro2::Ident,
    ) -> Result<Vec<TokenStream>, Error> {
        let mut arms = Vec::new();
        match member {
            Member::Field(f) => {
                let field = self.field(*f);
                if let Some((key, value)) = self.map_entry(*f) {
                    let k = self.value_kind(key, &self.module)?.codec;
                    let v = self.value_kind(value, &self.module)?;
                    let tag = Self::tag(field.number, LEN);
                    arms.push(match &v.closed_enum {
                        Some(e) => quote! {
                            #tag => __pf::merge_map_closed::<#k, #e, _>(
                                &mut self.#ident, tag, d, &mut self.unknown_fields,
                            ),
                        },
                        None => {
                            let v = &v.codec;
                            quote!(#tag => __pf::merge_map::<#k, #v, _>(&mut self.#ident, tag, d),)
                        }
                    });
                    return Ok(arms);
                }
                let kind = self.value_kind(*f, &self.module)?;
                let codec = &kind.codec;
                let tag = Self::tag(field.number, kind.wire);
                match field.presence {
                    Presence::Repeated if kind.packable => {
                        let packed = Self::tag(field.number, LEN);
                        arms.push(match &kind.closed_enum {
                            Some(e) => quote! {
                                #tag | #packed => __pf::merge_closed_repeated::<#e>(
                                    &mut self.#ident, tag, d, &mut self.unknown_fields,
                                ),
                            },
                            None => quote! {
                                #tag | #packed => __pf::merge_packable::<#codec>(&mut self.#ident, tag, d),
                            },
                        });
                    }
                    Presence::Repeated => {
                        arms.push(
                            quote!(#tag => __pf::merge_repeated::<#codec>(&mut self.#ident, tag, d),),
                        );
                    }
                    Presence::Implicit => {
                        arms.push(quote!(#tag => __pf::merge::<#codec>(&mut self.#ident, tag, d),));
                    }
                    Presence::Explicit | Presence::Required => {
                        arms.push(match &kind.closed_enum {
                            Some(e) => quote! {
                                #tag => {
                                    if let ::core::option::Option::Some(v) =
                                        __pf::read_closed::<#e>(tag, d, &mut self.unknown_fields)?
                                    {
                                        self.#ident = ::core::option::Option::Some(v);
                                    }
                                    ::core::result::Result::Ok(())
                                }
                            },
                            None => {
                                quote!(#tag => __pf::merge_opt::<#codec>(&mut self.#ident, tag, d),)
                            }
                        });
                    }
                }
            }
            Member::Oneof(o) => {
                let path = self.oneof_enum_path(*o);
                let variants = self.variant_names(*o);
                for (f, variant) in self.cx.pool[*o].fields.iter().zip(&variants) {
                    let kind = self.value_kind(*f, &self.module)?;
                    let codec = &kind.codec;
                    let tag = Self::tag(self.field(*f).number, kind.wire);
                    let variant = names::ident(variant);
                    arms.push(match &kind.closed_enum {
                        Some(e) => quote! {
                            #tag => {
                                if let ::core::option::Option::Some(v) =
                                    __pf::read_closed::<#e>(tag, d, &mut self.unknown_fields)?
                                {
                                    self.#ident = ::core::option::Option::Some(#path::#variant(v));
                                }
                                ::core::result::Result::Ok(())
                            }
                        },
                        None => quote! {
                            #tag => __pf::merge_oneof::<#codec, _>(
                                &mut self.#ident,
                                tag,
                                d,
                                |o| match o {
                                    #path::#variant(v) => ::core::option::Option::Some(v),
                                    #[allow(unreachable_patterns)]
                                    _ => ::core::option::Option::None,
                                },
                                #path::#variant,
                            ),
                        },
                    });
                }
            }
        }
        Ok(arms)
    }

    /// `merge_field` arms for the closed-enum extensions of this message
    /// generated in the same run: a number the enum does not name goes to
    /// the unknown fields, as C++ does for the extensions it knows when
    /// parsing. (Extensions generated elsewhere stay raw in the set.)
    fn closed_enum_extension_arms(&self) -> Result<Vec<TokenStream>, Error> {
        let pool = self.cx.pool;
        let mut arms = Vec::new();
        let mut extensions = pool[self.id].extended_by.clone();
        extensions.sort_by_key(|x| pool[*x].number);
        for x in extensions {
            let ext = &pool[x];
            let FieldType::Enum(e) = ext.ty else { continue };
            if !pool[e].is_closed() || !self.cx.files.contains(&ext.file) {
                continue;
            }
            let path = self.cx.enum_path(&self.module, e)?;
            let varint = Self::tag(ext.number, VARINT);
            arms.push(if ext.is_repeated() {
                let len = Self::tag(ext.number, LEN);
                let packed = ext.is_packed();
                quote! {
                    #varint | #len => self.extensions.merge_closed_repeated::<#path>(
                        tag, d, #packed, &mut self.unknown_fields,
                    ),
                }
            } else {
                quote! {
                    #varint => self.extensions.merge_closed::<#path>(
                        tag, d, &mut self.unknown_fields,
                    ),
                }
            });
        }
        Ok(arms)
    }

    fn required_checks(
        &self,
        members: &[Member],
        idents: &[String],
    ) -> Result<Vec<TokenStream>, Error> {
        let mut out = Vec::new();
        for (member, ident) in members.iter().zip(idents) {
            let ident = names::ident(ident);
            match member {
                Member::Field(f) => {
                    let field = self.field(*f);
                    let name = field.name.as_str();
                    if field.presence == Presence::Required {
                        out.push(quote!(check.field(#name, self.#ident.is_some());));
                    }
                    let held = crate::context::held_message(self.cx.pool, *f);
                    let Some(target) = held else { continue };
                    if !self.cx.needs_check(target) {
                        continue;
                    }
                    if self.map_entry(*f).is_some() {
                        out.push(quote!(check.messages(#name, self.#ident.values());));
                        continue;
                    }
                    let boxed = self
                        .value_kind(*f, &self.module)?
                        .message
                        .is_some_and(|m| m.1);
                    out.push(match field.presence {
                        Presence::Repeated => quote!(check.messages(#name, &self.#ident);),
                        Presence::Implicit => quote!(check.message(#name, ::core::option::Option::Some(&self.#ident));),
                        _ if boxed => quote!(check.message(#name, self.#ident.as_deref());),
                        _ => quote!(check.message(#name, self.#ident.as_ref());),
                    });
                }
                Member::Oneof(o) => {
                    let path = self.oneof_enum_path(*o);
                    let variants = self.variant_names(*o);
                    for (f, variant) in self.cx.pool[*o].fields.iter().zip(&variants) {
                        let Some(target) = crate::context::held_message(self.cx.pool, *f) else {
                            continue;
                        };
                        if !self.cx.needs_check(target) {
                            continue;
                        }
                        let name = self.field(*f).name.as_str();
                        let variant = names::ident(variant);
                        let boxed = self
                            .value_kind(*f, &self.module)?
                            .message
                            .is_some_and(|m| m.1);
                        let value = if boxed { quote!(&**v) } else { quote!(v) };
                        out.push(quote! {
                            if let ::core::option::Option::Some(#path::#variant(v)) = &self.#ident {
                                check.message(#name, ::core::option::Option::Some(#value));
                            }
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Getters for scalar, string, bytes and enum fields with presence:
    /// the value, or the default (declared, or the type's) when unset.
    /// None is generated where its name would hide a method of `Message`
    /// or `Extendable` (the field stays public).
    fn getters(&self, members: &[Member], idents: &[String]) -> Result<Vec<TokenStream>, Error> {
        let mut out = Vec::new();
        for (member, ident) in members.iter().zip(idents) {
            let Member::Field(f) = member else { continue };
            let field = self.field(*f);
            if !matches!(field.presence, Presence::Explicit | Presence::Required)
                || field.ty.message().is_some()
                || RESERVED_METHODS.contains(&ident.strip_prefix("r#").unwrap_or(ident))
            {
                continue;
            }
            let type_default;
            let default = match &field.default {
                Some(d) => d,
                None => {
                    type_default = self.type_default(field);
                    &type_default
                }
            };
            let ident = names::ident(ident);
            let kind = self.value_kind(*f, &self.module)?;
            let doc = if field.default.is_none() {
                format!(" `{}`, or the type's default when unset.", field.name)
            } else {
                format!(
                    " `{}`, or its default `{}` when unset.",
                    field.name,
                    default
                        .text
                        .chars()
                        .map(|c| if c.is_control() {
                            c.escape_default().to_string()
                        } else {
                            c.to_string()
                        })
                        .collect::<String>()
                )
            };
            let getter = match (&field.ty, &default.value) {
                (FieldType::Scalar(Scalar::String), Value::Bytes(b))
                    if !unverified_utf8(self.cx, field) =>
                {
                    let text = String::from_utf8_lossy(b).into_owned();
                    quote! {
                        pub fn #ident(&self) -> &str {
                            match &self.#ident {
                                ::core::option::Option::Some(v) => v,
                                ::core::option::Option::None => #text,
                            }
                        }
                    }
                }
                (FieldType::Scalar(Scalar::String), Value::Bytes(b)) => {
                    let lit = Literal::byte_string(b);
                    quote! {
                        pub fn #ident(&self) -> &__pf::ProtoString {
                            match &self.#ident {
                                ::core::option::Option::Some(v) => v,
                                ::core::option::Option::None => {
                                    static DEFAULT: __pf::ProtoString =
                                        __pf::ProtoString::from_static(#lit);
                                    &DEFAULT
                                }
                            }
                        }
                    }
                }
                (_, Value::Bytes(b)) => {
                    let lit = Literal::byte_string(b);
                    quote! {
                        pub fn #ident(&self) -> &[u8] {
                            match &self.#ident {
                                ::core::option::Option::Some(v) => v,
                                ::core::option::Option::None => #lit,
                            }
                        }
                    }
                }
                (FieldType::Enum(e), Value::Enum(v)) => {
                    let variant = enumeration::value_path(self.cx, &self.module, *e, *v)?;
                    let ty = &kind.ty;
                    let value = if kind.closed_enum.is_some() {
                        variant
                    } else {
                        quote!(__pf::EnumValue::from(#variant))
                    };
                    quote! {
                        pub fn #ident(&self) -> #ty {
                            self.#ident.unwrap_or(#value)
                        }
                    }
                }
                (FieldType::Scalar(s), value) => {
                    let ty = &kind.ty;
                    let lit = scalar_literal(*s, value);
                    quote! {
                        pub fn #ident(&self) -> #ty {
                            self.#ident.unwrap_or(#lit)
                        }
                    }
                }
                _ => continue,
            };
            out.push(quote! {
                #[doc = #doc]
                #getter
            });
        }
        Ok(out)
    }

    /// The default of a field's type, as a declared default would be.
    fn type_default(&self, field: &Field) -> protoforge_compiler::ir::DefaultValue {
        let value = match field.ty {
            FieldType::Scalar(s) => match s {
                Scalar::Double | Scalar::Float => Value::Float(0.0),
                Scalar::Bool => Value::Bool(false),
                Scalar::String | Scalar::Bytes => Value::Bytes(Vec::new()),
                Scalar::Uint32 | Scalar::Uint64 | Scalar::Fixed32 | Scalar::Fixed64 => {
                    Value::Uint(0)
                }
                _ => Value::Int(0),
            },
            FieldType::Enum(e) => match self.cx.pool[e].values.first() {
                Some(v) => Value::Enum(*v),
                None => Value::Int(0),
            },
            FieldType::Message(_) | FieldType::Group(_) => Value::Int(0),
        };
        protoforge_compiler::ir::DefaultValue {
            value,
            text: String::new(),
        }
    }

    /// The items of the nested module: nested messages and enums, oneof
    /// enums, extensions declared in this message.
    fn nested_items(
        &self,
        members: &[Member],
        idents: &[String],
    ) -> Result<Vec<TokenStream>, Error> {
        let pool = self.cx.pool;
        let m = &pool[self.id];
        let mut out = Vec::new();
        for (member, _) in members.iter().zip(idents) {
            let Member::Oneof(o) = member else { continue };
            out.push(self.oneof_enum(*o)?);
        }
        for &n in &m.nested_messages {
            if pool[n].map_entry.is_some() {
                continue;
            }
            out.push(MessageGen::new(self.cx, n, self.nested.clone()).generate()?);
        }
        for &e in &m.nested_enums {
            out.push(enumeration::generate(self.cx, e)?);
        }
        for &x in &m.extensions {
            out.push(extension(self.cx, x, &self.nested)?);
        }
        Ok(out)
    }

    fn oneof_enum(&self, o: protoforge_compiler::ir::OneofId) -> Result<TokenStream, Error> {
        let pool = self.cx.pool;
        let oneof = &pool[o];
        let name = names::ident(&self.oneof_enum_name(o));
        let struct_name = self.cx.type_name(self.id);
        let oneof_name = &oneof.name;
        let docs = doc::for_comments(
            oneof.comments.leading.as_deref(),
            oneof.comments.trailing.as_deref(),
            || format!("Oneof `{oneof_name}` of [`{struct_name}`](super::{struct_name})."),
        );
        let dotted = format!(".{}", oneof.full_name.as_str());
        let attrs = attributes(&self.cx.config.type_attributes, &dotted)?;
        let mut variants = Vec::new();
        for (f, variant) in oneof.fields.iter().zip(self.variant_names(o)) {
            let field = self.field(*f);
            let kind = self.value_kind(*f, &self.nested)?;
            let ty = kind.ty;
            let variant = names::ident(&variant);
            let fname = &field.name;
            let number = field.number;
            let docs = doc::for_comments(
                field.comments.leading.as_deref(),
                field.comments.trailing.as_deref(),
                || format!("`{fname}` = {number}."),
            );
            variants.push(quote! {
                #docs
                #variant(#ty),
            });
        }
        Ok(quote! {
            #docs
            #attrs
            #[derive(Clone, PartialEq, Debug)]
            pub enum #name {
                #(#variants)*
            }
        })
    }
}

/// Methods of `Message` and `Extendable` (and the derived traits) a
/// getter must not hide.
const RESERVED_METHODS: &[&str] = &[
    "check_initialized",
    "check_required",
    "clear",
    "clear_extension",
    "clear_repeated_extension",
    "clone",
    "compute_size",
    "decode",
    "decode_bytes",
    "decode_bytes_with",
    "decode_length_delimited",
    "decode_with",
    "default",
    "encode",
    "encode_length_delimited",
    "encode_to_vec",
    "encoded_len",
    "eq",
    "extension",
    "extensions",
    "extensions_mut",
    "fmt",
    "has_extension",
    "merge",
    "merge_field",
    "merge_with",
    "ne",
    "repeated_extension",
    "repeated_extension_values",
    "set_extension",
    "set_repeated_extension",
    "set_repeated_extension_values",
    "unknown_fields",
    "unknown_fields_mut",
    "write",
];

/// A field number (non-negative) as an unsuffixed literal.
fn lit(number: i32) -> Literal {
    Literal::u32_unsuffixed(number as u32)
}

/// Whether a string field is a `ProtoString` (any bytes, never a decode
/// error): its `utf8_validation` is `NONE` (every proto2 string, editions
/// fields that turn the check off), unless `Config::validate_utf8` asks for
/// a checked `String`. `VERIFY` fields (proto3, the editions default) are
/// always checked `String`s.
fn unverified_utf8(cx: &Context<'_>, field: &Field) -> bool {
    field.features.utf8_validation == Utf8Validation::None
        && !option_applies(cx, &cx.config.validate_utf8, field)
}

/// Whether a field-level option (its proto path rules) applies to `field`;
/// the key and value fields of a map entry go by the map field's path.
fn option_applies(cx: &Context<'_>, rules: &[String], field: &Field) -> bool {
    if config::any_matches(rules, &format!(".{}", field.full_name.as_str())) {
        return true;
    }
    let Some(owner) = field.message() else {
        return false;
    };
    if cx.pool[owner].map_entry.is_none() {
        return false;
    }
    let Some(parent) = cx.pool[owner].parent else {
        return false;
    };
    cx.pool[parent]
        .fields
        .iter()
        .find(|f| cx.pool[**f].ty.message() == Some(owner))
        .is_some_and(|mf| {
            config::any_matches(rules, &format!(".{}", cx.pool[*mf].full_name.as_str()))
        })
}

/// A literal of a scalar default value.
fn scalar_literal(scalar: Scalar, value: &Value) -> TokenStream {
    match value {
        Value::Bool(b) => quote!(#b),
        Value::Int(i) => {
            let lit = Literal::u64_unsuffixed(i.unsigned_abs());
            if *i < 0 { quote!(-#lit) } else { quote!(#lit) }
        }
        Value::Uint(u) => {
            let lit = Literal::u64_unsuffixed(*u);
            quote!(#lit)
        }
        Value::Float(f) => {
            let ty = if scalar == Scalar::Float {
                quote!(f32)
            } else {
                quote!(f64)
            };
            if f.is_nan() {
                quote!(#ty::NAN)
            } else if f.is_infinite() {
                if *f > 0.0 {
                    quote!(#ty::INFINITY)
                } else {
                    quote!(#ty::NEG_INFINITY)
                }
            } else {
                let lit = if scalar == Scalar::Float {
                    Literal::f32_suffixed((f.abs()) as f32)
                } else {
                    Literal::f64_suffixed(f.abs())
                };
                if f.is_sign_negative() {
                    quote!(-#lit)
                } else {
                    quote!(#lit)
                }
            }
        }
        Value::Bytes(_) | Value::Enum(_) => quote!(::core::default::Default::default()),
    }
}

/// An extension's typed constant, written in module `from`.
pub(crate) fn extension(
    cx: &Context<'_>,
    id: FieldId,
    from: &[String],
) -> Result<TokenStream, Error> {
    let field = &cx.pool[id];
    let Some(extendee) = field.extendee else {
        return Ok(TokenStream::new());
    };
    let extendee_path = cx.message_path(from, extendee)?;
    let owner = field
        .message()
        .or(cx.pool[extendee].parent)
        .unwrap_or(extendee);
    let generator = MessageGen::new(cx, owner, from.to_vec());
    let kind = generator.value_kind(id, from)?;
    let codec = &kind.codec;
    let name = names::ident(cx.extension_name(id));
    let number = lit(field.number);
    let full_name = field.full_name.as_str();
    let extendee_name = cx.type_name(extendee);
    let docs = doc::for_comments(
        field.comments.leading.as_deref(),
        field.comments.trailing.as_deref(),
        || format!("Extension `{full_name}` of `{extendee_name}`."),
    );
    Ok(if field.is_repeated() {
        let packed = field.is_packed();
        quote! {
            #docs
            pub const #name: __pf::RepeatedExtension<#extendee_path, #codec> =
                __pf::RepeatedExtension::new(#number, #full_name, #packed);
        }
    } else {
        quote! {
            #docs
            pub const #name: __pf::Extension<#extendee_path, #codec> =
                __pf::Extension::new(#number, #full_name);
        }
    })
}
