//! The service code generated for `testdata/codegen/services` (snapshotted
//! by protoforge-codegen's tests), compiled here by `build.rs` and run: a
//! server for each generated trait, called through each generated client,
//! over a real connection. It checks that every method reaches the handler
//! of its own name (also when names collide after conversion, are Rust
//! keywords or match `new`, `call`, `name` or `clone`), that the four call
//! kinds carry their messages both ways, and that per-call options (timeout,
//! metadata, compression) reach the server.

use std::time::Duration;

use protoforge_grpc::{
    BytesCodec, CallOptions, Channel, Code, Encoding, Endpoint, Metadata, Request, Response,
    ResponseSink, Router, Server, Status, Streaming, stream,
};

use crate::support::run;

// Not every generated item is used here (the client of a service with no
// methods, a message that only exists for its name).
#[allow(
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    non_camel_case_types,
    dead_code,
    clippy::all
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/codegen_services.rs"));
}

use generated::svc::imports;
use generated::svc::kinds::{self, Req, Resp};

/// Serves `router` on 127.0.0.1 port 0, runs `calls` on a channel to it,
/// then shuts the server down.
async fn with_server<F, Fut>(router: Router, calls: F)
where
    F: FnOnce(Channel) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(router.serve(listener, async move {
        let _ = stopped.await;
    }));
    let channel = Endpoint::new("127.0.0.1", port)
        .connect()
        .await
        .expect("connect");
    calls(channel).await;
    let _ = stop.send(());
    server
        .await
        .expect("server task")
        .expect("clean server shutdown");
}

fn req(text: &str) -> Req {
    Req {
        text: text.to_string(),
        ..Default::default()
    }
}

fn resp(text: String) -> Resp {
    Resp {
        text,
        ..Default::default()
    }
}

/// `svc.kinds.Echo`: what each call kind received, sent back.
struct Kinds;

impl kinds::Echo for Kinds {
    async fn unary(&self, request: Request<Req>) -> Result<Response<Resp>, Status> {
        // Reports what the per-call options delivered.
        let tag = request.metadata().get("x-tag").unwrap_or("-").to_string();
        let deadline = request.context().deadline().is_some();
        let compressed = request.message_compressed();
        let text = &request.get_ref().text;
        Ok(Response::new(resp(format!(
            "{text} tag={tag} deadline={deadline} compressed={compressed}"
        ))))
    }

    async fn upload(&self, request: Request<Streaming<Req>>) -> Result<Response<Resp>, Status> {
        let mut requests = request.into_inner();
        let mut texts = Vec::new();
        while let Some(r) = requests.message().await? {
            texts.push(r.text);
        }
        Ok(Response::new(resp(texts.join("+"))))
    }

    async fn download(
        &self,
        request: Request<Req>,
        mut responses: ResponseSink<Resp>,
    ) -> Result<(), Status> {
        for (i, word) in request.get_ref().text.split(' ').enumerate() {
            responses
                .send(Resp {
                    text: word.to_string(),
                    parts: vec![kinds::req::Part {
                        n: i as i32,
                        ..Default::default()
                    }],
                    ..Default::default()
                })
                .await?;
        }
        Ok(())
    }

    async fn chat(
        &self,
        request: Request<Streaming<Req>>,
        mut responses: ResponseSink<Resp>,
    ) -> Result<(), Status> {
        let mut requests = request.into_inner();
        while let Some(r) = requests.message().await? {
            if r.text == "fail" {
                return Err(Status::failed_precondition("asked to fail"));
            }
            responses.send(resp(r.text.to_uppercase())).await?;
        }
        Ok(())
    }

    async fn nested(
        &self,
        request: Request<kinds::req::Part>,
    ) -> Result<Response<kinds::Result>, Status> {
        Ok(Response::new(kinds::Result {
            code: request.get_ref().n * 2,
            ..Default::default()
        }))
    }

    async fn shadow(
        &self,
        _: Request<kinds::T>,
        mut responses: ResponseSink<kinds::Status>,
    ) -> Result<(), Status> {
        for reason in ["a", "b"] {
            responses
                .send(kinds::Status {
                    reason: reason.to_string(),
                    ..Default::default()
                })
                .await?;
        }
        Ok(())
    }

    async fn ping(
        &self,
        request: Request<protoforge::wkt::Empty>,
    ) -> Result<Response<protoforge::wkt::Empty>, Status> {
        Ok(Response::new(request.into_inner()))
    }
}

struct NoMethods;
impl kinds::Nothing for NoMethods {}

/// `svc.imports.Echo`: the same name as `svc.kinds.Echo`, another package.
struct Imports;

impl imports::Echo for Imports {
    async fn relay(&self, request: Request<Req>) -> Result<Response<Resp>, Status> {
        Ok(Response::new(resp(format!(
            "relayed {}",
            request.get_ref().text
        ))))
    }

    async fn parts(
        &self,
        request: Request<Streaming<kinds::req::Part>>,
        mut responses: ResponseSink<kinds::req::Part>,
    ) -> Result<(), Status> {
        let mut requests = request.into_inner();
        while let Some(mut part) = requests.message().await? {
            part.n += 100;
            responses.send(part).await?;
        }
        Ok(())
    }
}

fn opts() -> CallOptions {
    CallOptions::new().timeout(Duration::from_secs(20))
}

#[test]
fn the_four_call_kinds_and_per_call_options() {
    run(async {
        let router = Server::builder()
            .add_service(kinds::EchoServer::new(Kinds))
            .add_service(kinds::NothingServer::new(NoMethods))
            .add_service(imports::EchoServer::new(Imports));
        with_server(router, |channel| async move {
            let client = kinds::EchoClient::new(channel.clone());

            // Unary, without options and then with each of them.
            let plain = client
                .unary(req("hi"), CallOptions::new())
                .await
                .expect("unary");
            assert_eq!(
                plain.get_ref().text,
                "hi tag=- deadline=false compressed=false"
            );
            let mut metadata = Metadata::new();
            metadata.insert("x-tag", "seven").expect("valid metadata");
            let options = CallOptions::new()
                .timeout(Duration::from_secs(20))
                .metadata(metadata)
                .compression(Encoding::Gzip);
            let all = client.unary(req("hi"), options).await.expect("unary");
            assert_eq!(
                all.get_ref().text,
                "hi tag=seven deadline=true compressed=true"
            );

            // Client streaming.
            let uploaded = client
                .upload(stream::iter([req("a"), req("b"), req("c")]), opts())
                .await
                .expect("upload");
            assert_eq!(uploaded.get_ref().text, "a+b+c");

            // Server streaming, with nested types in the responses.
            let mut words = client
                .download(req("one two three"), opts())
                .await
                .expect("download")
                .into_inner();
            let mut got = Vec::new();
            while let Some(r) = words.message().await.expect("a response") {
                got.push((r.text, r.parts[0].n));
            }
            assert_eq!(
                got,
                [("one".into(), 0), ("two".into(), 1), ("three".into(), 2)]
            );

            // Bidirectional, one response per request, and an error status.
            let (tx, rx) = stream::channel(1);
            let mut chat = client.chat(rx, opts()).await.expect("chat");
            for word in ["x", "y"] {
                tx.send(req(word)).await.expect("send");
                let answer = chat.message().await.expect("answer").expect("one answer");
                assert_eq!(answer.text, word.to_uppercase());
            }
            tx.send(req("fail")).await.expect("send");
            let status = chat.message().await.expect_err("the handler's status");
            assert_eq!(status.code(), Code::FailedPrecondition);
            assert_eq!(status.message(), "asked to fail");

            // Nested and shadowing types.
            let doubled = client
                .nested(
                    kinds::req::Part {
                        n: 21,
                        ..Default::default()
                    },
                    opts(),
                )
                .await
                .expect("nested");
            assert_eq!(doubled.get_ref().code, 42);
            let mut reasons = client
                .shadow(kinds::T::default(), opts())
                .await
                .expect("shadow")
                .into_inner();
            let mut got = Vec::new();
            while let Some(s) = reasons.message().await.expect("a status message") {
                got.push(s.reason);
            }
            assert_eq!(got, ["a", "b"]);

            // A well-known type from the runtime; the method is deprecated.
            #[allow(deprecated)]
            let pong = client.ping(protoforge::wkt::Empty::default(), opts()).await;
            assert!(pong.is_ok(), "{pong:?}");

            // The other package's service of the same name.
            let other = imports::EchoClient::new(channel.clone());
            let relayed = other.relay(req("x"), opts()).await.expect("relay");
            assert_eq!(relayed.get_ref().text, "relayed x");
            let parts = [1, 2].map(|n| kinds::req::Part {
                n,
                ..Default::default()
            });
            let mut back = other
                .parts(stream::iter(parts), opts())
                .await
                .expect("parts");
            let mut got = Vec::new();
            while let Some(p) = back.message().await.expect("a part") {
                got.push(p.n);
            }
            assert_eq!(got, [101, 102]);

            // An unknown method of a served service, and a service with no
            // methods: UNIMPLEMENTED.
            for path in ["/svc.kinds.Echo/Missing", "/svc.kinds.Nothing/Anything"] {
                let status = channel
                    .unary(path, BytesCodec, protoforge::Bytes::new(), opts())
                    .await
                    .expect_err("unimplemented");
                assert_eq!(status.code(), Code::Unimplemented, "{path}");
            }
        })
        .await;
    });
}

/// Responds to every method of `route_guide` and `self` by naming, in the
/// response trailers, the Rust method that handled it.
struct Names;

fn handled_by(name: &str) -> Metadata {
    let mut trailers = Metadata::new();
    trailers.insert("x-handler", name).expect("valid metadata");
    trailers
}

fn answer(name: &str) -> Result<Response<generated::Empty>, Status> {
    let mut response = Response::new(generated::Empty::default());
    *response.trailers_mut() = handled_by(name);
    Ok(response)
}

async fn drain(request: Request<Streaming<generated::Empty>>) -> Result<(), Status> {
    let mut requests = request.into_inner();
    while requests.message().await?.is_some() {}
    Ok(())
}

impl generated::RouteGuide for Names {
    async fn get_feature(
        &self,
        _: Request<generated::Empty>,
    ) -> Result<Response<generated::Empty>, Status> {
        answer("get_feature")
    }

    async fn get_feature_2(
        &self,
        _: Request<generated::Empty>,
    ) -> Result<Response<generated::Empty>, Status> {
        answer("get_feature_2")
    }

    async fn new_3(
        &self,
        _: Request<generated::Empty>,
    ) -> Result<Response<generated::Empty>, Status> {
        answer("new_3")
    }

    async fn r#type(
        &self,
        request: Request<Streaming<generated::Empty>>,
    ) -> Result<Response<generated::Empty>, Status> {
        drain(request).await?;
        answer("type")
    }

    async fn self_(
        &self,
        _: Request<generated::Empty>,
        mut responses: ResponseSink<generated::Empty>,
    ) -> Result<(), Status> {
        *responses.trailers_mut() = handled_by("self_");
        responses.send(generated::Empty::default()).await
    }

    async fn r#async(
        &self,
        request: Request<Streaming<generated::Empty>>,
        mut responses: ResponseSink<generated::Empty>,
    ) -> Result<(), Status> {
        *responses.trailers_mut() = handled_by("async");
        drain(request).await
    }
}

impl generated::Self_ for Names {
    async fn call(
        &self,
        _: Request<generated::Empty>,
    ) -> Result<Response<generated::Empty>, Status> {
        answer("call")
    }

    async fn name(
        &self,
        _: Request<generated::Empty>,
    ) -> Result<Response<generated::Empty>, Status> {
        answer("name")
    }

    async fn clone(
        &self,
        _: Request<generated::Empty>,
    ) -> Result<Response<generated::Empty>, Status> {
        answer("clone")
    }
}

#[test]
fn every_method_reaches_the_handler_of_its_name() {
    run(async {
        let router = Server::builder()
            .add_service(generated::RouteGuideServer::new(Names))
            .add_service(generated::SelfServer::new(Names));
        with_server(router, |channel| async move {
            let empty = generated::Empty::default;
            let handler = |trailers: &Metadata| trailers.get("x-handler").map(str::to_string);

            let guide = generated::RouteGuideClient_::new(channel.clone());
            let unary = [
                guide.get_feature(empty(), opts()).await,
                guide.get_feature_2(empty(), opts()).await,
                guide.new_3(empty(), opts()).await,
                guide.r#type(stream::iter([empty(), empty()]), opts()).await,
            ];
            let handlers: Vec<_> = unary
                .iter()
                .map(|r| r.as_ref().ok().and_then(|r| handler(r.trailers())))
                .collect();
            assert_eq!(
                handlers,
                [
                    Some("get_feature".into()),
                    Some("get_feature_2".into()),
                    Some("new_3".into()),
                    Some("type".into())
                ]
            );

            let mut down = guide
                .self_(empty(), opts())
                .await
                .expect("self_")
                .into_inner();
            assert!(down.message().await.expect("one message").is_some());
            assert!(down.message().await.expect("the end").is_none());
            assert_eq!(down.trailers().and_then(handler).as_deref(), Some("self_"));

            let mut both = guide
                .r#async(stream::iter([empty()]), opts())
                .await
                .expect("async");
            assert!(both.message().await.expect("the end").is_none());
            assert_eq!(both.trailers().and_then(handler).as_deref(), Some("async"));

            // `call`, `name` and `clone` are also methods of the transport's
            // Service trait and of Clone: the generated code must still
            // reach the handlers.
            let this = generated::SelfClient::new(channel);
            for (result, want) in [
                (this.call(empty(), opts()).await, "call"),
                (this.name(empty(), opts()).await, "name"),
                (this.clone(empty(), opts()).await, "clone"),
            ] {
                let response = result.unwrap_or_else(|s| panic!("{want}: {s}"));
                assert_eq!(handler(response.trailers()).as_deref(), Some(want));
            }
        })
        .await;
    });
}
