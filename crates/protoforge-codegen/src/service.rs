//! Service code: for each `service`, a server trait with one native `async`
//! method per rpc, the server type that dispatches calls to it by a `match`
//! on the method name, and a typed client, all against `protoforge-grpc`
//! (the shape `docs/generated-code.md`, "Services", specifies; the
//! transport meets the messages through `protoforge_grpc::ProtoCodec`).
//!
//! Generated service code names everything by absolute path
//! (`::core::result::Result`, `::protoforge_grpc::Status`) and names
//! messages of its own module as `self::Name`, so no message, enum or
//! generic parameter can shadow what it means: a package may well define a
//! message called `Result`, `Status` or `T`.

use proc_macro2::TokenStream;
use protoforge_compiler::ir::{MessageId, Method, ServiceId};
use quote::quote;

use crate::Error;
use crate::context::{Context, Place};
use crate::doc;
use crate::names;

/// The path to the message `id` written in `module`; a message of this
/// module or below it is `self::…`.
fn message_type(cx: &Context<'_>, module: &[String], id: MessageId) -> Result<TokenStream, Error> {
    let place = cx.message_place(id);
    let path = cx.path_to(module, place)?;
    Ok(match place {
        Place::Local { module: m, .. } if m.starts_with(module) => quote!(self::#path),
        _ => path,
    })
}

/// The four call kinds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unary,
    ClientStreaming,
    ServerStreaming,
    Streaming,
}

impl Kind {
    fn of(method: &Method) -> Kind {
        match (method.client_streaming, method.server_streaming) {
            (false, false) => Kind::Unary,
            (true, false) => Kind::ClientStreaming,
            (false, true) => Kind::ServerStreaming,
            (true, true) => Kind::Streaming,
        }
    }
}

/// One method, resolved.
struct MethodGen {
    ident: proc_macro2::Ident,
    /// The name as written in the `.proto` (the `match` arm).
    proto_name: String,
    /// `/pkg.Service/Method`.
    path: String,
    kind: Kind,
    input: TokenStream,
    output: TokenStream,
    comments: Option<Vec<String>>,
    deprecated: bool,
}

/// The service's items. `taken` holds the type names already used in the
/// module (messages, enums, earlier services); the service's names are
/// added, and a name already taken gets `_` appended until it is free.
pub(crate) fn generate(
    cx: &Context<'_>,
    id: ServiceId,
    module: &[String],
    taken: &mut Vec<String>,
) -> Result<TokenStream, Error> {
    let pool = cx.pool;
    let service = &pool[id];
    let full_name = service.full_name.as_str();
    let [trait_name, server_name, client_name] =
        names::service_types(&service.name).map(|mut name| {
            while taken.contains(&name) {
                name.push('_');
            }
            taken.push(name.clone());
            name
        });

    let method_names: Vec<&str> = service
        .methods
        .iter()
        .map(|m| pool[*m].name.as_str())
        .collect();
    let idents = names::service_methods(&method_names);
    let mut methods = Vec::new();
    for (&m, ident) in service.methods.iter().zip(&idents) {
        let method = &pool[m];
        let comments = comment_lines(
            method.comments.leading.as_deref(),
            method.comments.trailing.as_deref(),
        );
        methods.push(MethodGen {
            ident: names::ident(ident),
            proto_name: method.name.clone(),
            path: format!("/{full_name}/{}", method.name),
            kind: Kind::of(method),
            input: message_type(cx, module, method.input)?,
            output: message_type(cx, module, method.output)?,
            comments: (!comments.is_empty()).then_some(comments),
            deprecated: method.options.deprecated || service.options.deprecated,
        });
    }
    let service_comments = comment_lines(
        service.comments.leading.as_deref(),
        service.comments.trailing.as_deref(),
    );

    let names = Names {
        full_name,
        trait_ident: names::ident(&trait_name),
        server_ident: names::ident(&server_name),
        client_ident: names::ident(&client_name),
        server_name: &server_name,
        service_comments: &service_comments,
    };
    let services = cx.config.services;
    let server = services.server.then(|| server(&names, &methods));
    let client = services.client.then(|| client(&names, &methods));
    Ok(quote! {
        #server
        #client
    })
}

/// The doc lines of a comment pair (leading, then trailing in a paragraph
/// after it); empty when there is none.
fn comment_lines(leading: Option<&str>, trailing: Option<&str>) -> Vec<String> {
    let mut out = leading.map(doc::lines).unwrap_or_default();
    let more = trailing.map(doc::lines).unwrap_or_default();
    if !more.is_empty() {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(more);
    }
    out
}

/// A doc block: `summary`, then the `.proto` comment in a paragraph after it.
fn docs_with(summary: String, comments: &[String]) -> TokenStream {
    let mut lines = vec![summary];
    if !comments.is_empty() {
        lines.push(String::new());
        lines.extend(comments.iter().cloned());
    }
    doc::attrs(&lines)
}

/// A method's docs: its `.proto` comment, or `fallback` when it has none.
fn method_docs(method: &MethodGen, fallback: String) -> TokenStream {
    match &method.comments {
        Some(lines) => doc::attrs(lines),
        None => doc::attrs(&[fallback]),
    }
}

struct Names<'a> {
    full_name: &'a str,
    trait_ident: proc_macro2::Ident,
    server_ident: proc_macro2::Ident,
    client_ident: proc_macro2::Ident,
    server_name: &'a str,
    service_comments: &'a [String],
}

/// `Result<T, Status>`, spelled so nothing in the module can shadow it.
fn result(ok: TokenStream) -> TokenStream {
    quote!(::core::result::Result<#ok, ::protoforge_grpc::Status>)
}

/// The server trait and the server type.
fn server(names: &Names<'_>, methods: &[MethodGen]) -> TokenStream {
    let Names {
        full_name,
        trait_ident,
        server_ident,
        server_name,
        ..
    } = names;

    let trait_docs = docs_with(
        format!(
            "The server side of `{full_name}`: implement this trait and serve it with \
             [`{server_name}`]. Each method may be written `async fn`."
        ),
        names.service_comments,
    );
    let trait_methods = methods.iter().map(|m| {
        let MethodGen {
            ident,
            input,
            output,
            ..
        } = m;
        let docs = method_docs(m, format!("Handles `{}`.", m.path));
        let (request, ret) = match m.kind {
            Kind::Unary => (
                quote!(request: ::protoforge_grpc::Request<#input>),
                result(quote!(::protoforge_grpc::Response<#output>)),
            ),
            Kind::ClientStreaming => (
                quote!(request: ::protoforge_grpc::Request<::protoforge_grpc::Streaming<#input>>),
                result(quote!(::protoforge_grpc::Response<#output>)),
            ),
            Kind::ServerStreaming => (
                quote!(
                    request: ::protoforge_grpc::Request<#input>,
                    responses: ::protoforge_grpc::ResponseSink<#output>
                ),
                result(quote!(())),
            ),
            Kind::Streaming => (
                quote!(
                    request: ::protoforge_grpc::Request<::protoforge_grpc::Streaming<#input>>,
                    responses: ::protoforge_grpc::ResponseSink<#output>
                ),
                result(quote!(())),
            ),
        };
        quote! {
            #docs
            fn #ident(&self, #request)
                -> impl ::core::future::Future<Output = #ret> + ::core::marker::Send;
        }
    });

    let arms = methods.iter().map(|m| {
        let MethodGen {
            ident,
            proto_name,
            input,
            output,
            ..
        } = m;
        let codec = quote!(::protoforge_grpc::ProtoCodec::<#output, #input>::default());
        match m.kind {
            Kind::Unary => quote! {
                #proto_name => call.unary(#codec, move |request| async move {
                    <T as #trait_ident>::#ident(&inner, request).await
                }),
            },
            Kind::ClientStreaming => quote! {
                #proto_name => call.client_streaming(#codec, move |request| async move {
                    <T as #trait_ident>::#ident(&inner, request).await
                }),
            },
            Kind::ServerStreaming => quote! {
                #proto_name => call.server_streaming(#codec, move |request, responses| async move {
                    <T as #trait_ident>::#ident(&inner, request, responses).await
                }),
            },
            Kind::Streaming => quote! {
                #proto_name => call.streaming(#codec, move |request, responses| async move {
                    <T as #trait_ident>::#ident(&inner, request, responses).await
                }),
            },
        }
    });
    let dispatch = if methods.is_empty() {
        quote!(call.unimplemented())
    } else {
        quote! {
            let inner = ::std::sync::Arc::clone(&self.inner);
            match call.method() {
                #(#arms)*
                _ => call.unimplemented(),
            }
        }
    };

    let server_docs = doc::attrs(&[
        format!(
            "Serves a [`{trait_ident}`] implementation as `{full_name}`: add it to a \
             `protoforge_grpc::Server` with `add_service`."
        ),
        String::new(),
        "Calls are dispatched by method name; an unknown method gets `UNIMPLEMENTED`.".to_string(),
    ]);
    let server_name_lit = server_name.to_string();
    quote! {
        #trait_docs
        pub trait #trait_ident: ::core::marker::Send + ::core::marker::Sync + 'static {
            #(#trait_methods)*
        }

        #server_docs
        pub struct #server_ident<T> {
            inner: ::std::sync::Arc<T>,
        }

        impl<T: #trait_ident> #server_ident<T> {
            /// The service around `inner`.
            pub fn new(inner: T) -> Self {
                Self::from_arc(::std::sync::Arc::new(inner))
            }

            /// The service around an implementation that is already shared.
            pub fn from_arc(inner: ::std::sync::Arc<T>) -> Self {
                Self { inner }
            }
        }

        impl<T> ::core::clone::Clone for #server_ident<T> {
            fn clone(&self) -> Self {
                Self {
                    inner: ::std::sync::Arc::clone(&self.inner),
                }
            }
        }

        impl<T> ::core::fmt::Debug for #server_ident<T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#server_name_lit).finish_non_exhaustive()
            }
        }

        impl<T: #trait_ident> ::protoforge_grpc::Service for #server_ident<T> {
            fn name(&self) -> &str {
                #full_name
            }

            fn call(&self, call: ::protoforge_grpc::Call) -> ::protoforge_grpc::Handled {
                #dispatch
            }
        }
    }
}

/// The client type.
fn client(names: &Names<'_>, methods: &[MethodGen]) -> TokenStream {
    let Names {
        full_name,
        client_ident,
        ..
    } = names;
    let client_docs = docs_with(
        format!(
            "A client for `{full_name}`. Cloning is cheap: clones share the channel and \
             its connection."
        ),
        names.service_comments,
    );
    let client_methods = methods.iter().map(|m| {
        let MethodGen {
            ident,
            path,
            input,
            output,
            ..
        } = m;
        let docs = method_docs(m, format!("Calls `{path}`."));
        let deprecated = m.deprecated.then(|| quote!(#[deprecated]));
        let codec = quote!(::protoforge_grpc::ProtoCodec::<#input, #output>::default());
        let stream_bounds = quote! {
            where
                S: ::protoforge_grpc::stream::Stream<Item = M> + ::core::marker::Send + 'static,
                M: ::core::convert::Into<::protoforge_grpc::Outbound<#input>> + ::core::marker::Send + 'static,
        };
        match m.kind {
            Kind::Unary => {
                let ret = result(quote!(::protoforge_grpc::Response<#output>));
                quote! {
                    #docs
                    #deprecated
                    pub async fn #ident(
                        &self,
                        request: impl ::core::convert::Into<::protoforge_grpc::Outbound<#input>>,
                        options: ::protoforge_grpc::CallOptions,
                    ) -> #ret {
                        self.channel.unary(#path, #codec, request, options).await
                    }
                }
            }
            Kind::ClientStreaming => {
                let ret = result(quote!(::protoforge_grpc::Response<#output>));
                quote! {
                    #docs
                    #deprecated
                    pub async fn #ident<S, M>(
                        &self,
                        requests: S,
                        options: ::protoforge_grpc::CallOptions,
                    ) -> #ret
                    #stream_bounds
                    {
                        self.channel.client_streaming(#path, #codec, requests, options).await
                    }
                }
            }
            Kind::ServerStreaming => {
                let ret = result(quote!(
                    ::protoforge_grpc::Response<::protoforge_grpc::Streaming<#output>>
                ));
                quote! {
                    #docs
                    #deprecated
                    pub async fn #ident(
                        &self,
                        request: impl ::core::convert::Into<::protoforge_grpc::Outbound<#input>>,
                        options: ::protoforge_grpc::CallOptions,
                    ) -> #ret {
                        self.channel.server_streaming(#path, #codec, request, options).await
                    }
                }
            }
            Kind::Streaming => {
                let ret = result(quote!(::protoforge_grpc::Streaming<#output>));
                quote! {
                    #docs
                    #deprecated
                    pub async fn #ident<S, M>(
                        &self,
                        requests: S,
                        options: ::protoforge_grpc::CallOptions,
                    ) -> #ret
                    #stream_bounds
                    {
                        self.channel.streaming(#path, #codec, requests, options).await
                    }
                }
            }
        }
    });
    quote! {
        #client_docs
        #[derive(::core::clone::Clone, ::core::fmt::Debug)]
        pub struct #client_ident {
            channel: ::protoforge_grpc::Channel,
        }

        impl #client_ident {
            /// A client making its calls on `channel`.
            pub fn new(channel: ::protoforge_grpc::Channel) -> Self {
                Self { channel }
            }

            #(#client_methods)*
        }
    }
}
