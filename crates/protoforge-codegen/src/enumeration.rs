//! One enum: a fieldless `#[repr(i32)]` Rust enum with one variant per
//! number (the first value is the `Default`, as protobuf's default is the
//! first value), associated constants for aliases, and its `Enum` impl.
//! Whether the enum is open or closed shows in the fields that hold it
//! (`EnumValue<E>` or `E`), not here.

use proc_macro2::TokenStream;
use protoforge_compiler::ir::{EnumId, EnumValueId};
use quote::quote;

use crate::context::Context;
use crate::{Error, attributes, doc, names};

/// The Rust names of the enum's values, in order (aliases included).
pub(crate) fn variant_names(cx: &Context<'_>, id: EnumId) -> Vec<String> {
    let e = &cx.pool[id];
    let values: Vec<(&str, i32)> = e
        .values
        .iter()
        .map(|v| (cx.pool[*v].name.as_str(), cx.pool[*v].number))
        .collect();
    names::enum_variants(&e.name, &values)
}

/// The path of enum value `value` (a variant or an alias constant), from
/// module `from`.
pub(crate) fn value_path(
    cx: &Context<'_>,
    from: &[String],
    id: EnumId,
    value: EnumValueId,
) -> Result<TokenStream, Error> {
    let path = cx.enum_path(from, id)?;
    let index = cx.pool[id]
        .values
        .iter()
        .position(|v| *v == value)
        .unwrap_or(0);
    let names = variant_names(cx, id);
    let variant = names::ident(names.get(index).map(String::as_str).unwrap_or("Default"));
    Ok(quote!(#path::#variant))
}

pub(crate) fn generate(cx: &Context<'_>, id: EnumId) -> Result<TokenStream, Error> {
    let e = &cx.pool[id];
    let name = names::ident(cx.enum_name(id));
    let full_name = e.full_name.as_str();
    let names = variant_names(cx, id);
    let closed = if e.is_closed() { "closed" } else { "open" };
    let docs = doc::for_comments(
        e.comments.leading.as_deref(),
        e.comments.trailing.as_deref(),
        || format!("`{full_name}` ({closed})."),
    );
    let attrs = attributes(&cx.config.type_attributes, &format!(".{full_name}"))?;

    let mut variants = Vec::new();
    let mut aliases = Vec::new();
    let mut from_arms = Vec::new();
    let mut name_arms = Vec::new();
    let mut seen: Vec<i32> = Vec::new();
    for (i, (&v, variant)) in e.values.iter().zip(&names).enumerate() {
        let value = &cx.pool[v];
        let proto = value.name.as_str();
        let number = value.number;
        let ident = names::ident(variant);
        let vdocs = doc::for_comments(
            value.comments.leading.as_deref(),
            value.comments.trailing.as_deref(),
            || format!("`{proto}`."),
        );
        if let Some(first) = seen.iter().position(|n| *n == number) {
            let target = names::ident(&names[first_index(&e.values, cx, seen[first])]);
            aliases.push(quote! {
                #vdocs
                #[allow(non_upper_case_globals)]
                pub const #ident: #name = #name::#target;
            });
            continue;
        }
        seen.push(number);
        let default = (i == 0).then(|| quote!(#[default]));
        let lit = proc_macro2::Literal::i32_unsuffixed(number);
        let discriminant = if number < 0 {
            let abs = proc_macro2::Literal::u64_unsuffixed(u64::from(number.unsigned_abs()));
            quote!(-#abs)
        } else {
            quote!(#lit)
        };
        variants.push(quote! {
            #vdocs
            #default
            #ident = #discriminant,
        });
        from_arms.push(quote!(#discriminant => ::core::option::Option::Some(#name::#ident),));
        name_arms.push(quote!(#name::#ident => #proto,));
    }
    let alias_impl = (!aliases.is_empty()).then(|| {
        quote! {
            impl #name {
                #(#aliases)*
            }
        }
    });
    Ok(quote! {
        #docs
        #attrs
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
        #[repr(i32)]
        pub enum #name {
            #(#variants)*
        }

        impl __pf::Enum for #name {
            const NAME: &'static str = #full_name;

            fn from_i32(value: i32) -> ::core::option::Option<Self> {
                match value {
                    #(#from_arms)*
                    _ => ::core::option::Option::None,
                }
            }

            fn to_i32(self) -> i32 {
                self as i32
            }

            fn proto_name(self) -> &'static str {
                match self {
                    #(#name_arms)*
                }
            }
        }

        #alias_impl
    })
}

/// The index of the first value with `number`.
fn first_index(values: &[EnumValueId], cx: &Context<'_>, number: i32) -> usize {
    values
        .iter()
        .position(|v| cx.pool[*v].number == number)
        .unwrap_or(0)
}
