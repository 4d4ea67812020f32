//! A small service over raw bytes ([`BytesCodec`]) whose methods exercise
//! the transport: echo with metadata, chosen failures, panics, sleeps that
//! report their cancellation, and the three streaming shapes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use protoforge_grpc::{
    BytesCodec, Call, Code, Handled, Request, Response, ResponseSink, Service, Status, Streaming,
};

/// What handlers observed, for tests to assert on.
#[derive(Clone, Default)]
pub struct Events(Arc<Mutex<Vec<String>>>);

impl Events {
    pub fn push(&self, event: impl Into<String>) {
        self.0.lock().expect("events lock").push(event.into());
    }

    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("events lock").clone()
    }

    /// Waits (bounded) until `event` has been recorded.
    pub async fn wait_for(&self, event: &str) -> bool {
        for _ in 0..200 {
            if self.all().iter().any(|e| e == event) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

pub const SERVICE: &str = "test.Echo";

/// How long a `Rendezvous` call waits for its partner.
pub const RENDEZVOUS_WAIT: Duration = Duration::from_secs(10);

pub fn path(method: &str) -> String {
    format!("/{SERVICE}/{method}")
}

pub struct Echo {
    pub events: Events,
}

/// Waits until the call is cancelled, recording that it was.
async fn sleep_until_cancelled(request: &Request<impl Send>, events: &Events, name: &str) {
    let cancellation = request.context().cancellation().clone();
    let events = events.clone();
    let name = name.to_string();
    // Spawned, as work a handler starts would be: it outlives the handler's
    // future and must learn of the cancellation from the signal.
    tokio::spawn(async move {
        cancellation.cancelled().await;
        events.push(format!("{name} cancelled"));
    });
    tokio::time::sleep(Duration::from_secs(60)).await;
}

impl Service for Echo {
    fn name(&self) -> &str {
        SERVICE
    }

    fn call(&self, call: Call) -> Handled {
        let events = self.events.clone();
        match call.method() {
            "Echo" => call.unary(BytesCodec, |request: Request<Bytes>| async move {
                let mut response = Response::new(request.get_ref().clone());
                if let Some(v) = request.metadata().get("x-echo") {
                    response.metadata_mut().insert("x-echo", v).expect("valid");
                    response
                        .trailers_mut()
                        .insert("x-echo-trailer", v)
                        .expect("valid");
                }
                if let Some(v) = request.metadata().get_bin("x-echo-bin") {
                    response
                        .metadata_mut()
                        .insert_bin("x-echo-bin", &v)
                        .expect("valid");
                }
                if let Some(user) = request.extensions().get::<String>() {
                    response
                        .metadata_mut()
                        .insert("x-user", user)
                        .expect("valid");
                }
                if request.metadata().get("x-context").is_some() {
                    let context = request.context();
                    let seen = format!(
                        "{} {} {}",
                        context.path(),
                        context.service(),
                        context.method()
                    );
                    response
                        .metadata_mut()
                        .insert("x-context", &seen)
                        .expect("valid");
                }
                if request.metadata().get("x-compress").is_some() {
                    response.set_compression(Some(protoforge_grpc::Encoding::Gzip));
                }
                Ok(response)
            }),
            "Fail" => call.unary(BytesCodec, |request: Request<Bytes>| async move {
                let md = request.metadata();
                let code = md.get("x-code").and_then(|c| c.parse().ok()).unwrap_or(2);
                let message = md.get("x-message").unwrap_or("").to_string();
                let details = md.get_bin("x-details-bin").unwrap_or_default();
                let mut status = Status::with_details(Code::from_i32(code), message, details);
                status
                    .metadata_mut()
                    .insert("x-failed", "yes")
                    .expect("valid");
                Err::<Response<Bytes>, _>(status)
            }),
            // Blocks its thread, without awaiting, until a second
            // Rendezvous call has arrived too (or RENDEZVOUS_WAIT passes):
            // it succeeds only when two calls run at the same time.
            "Rendezvous" => call.unary(BytesCodec, move |_: Request<Bytes>| async move {
                events.push("rendezvous");
                let start = std::time::Instant::now();
                while start.elapsed() < RENDEZVOUS_WAIT {
                    if events.all().iter().filter(|e| *e == "rendezvous").count() >= 2 {
                        return Ok(Response::new(Bytes::from_static(b"met")));
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(Status::new(Code::Aborted, "no other call ran meanwhile"))
            }),
            "Panic" => call.unary(BytesCodec, |_: Request<Bytes>| async move {
                if true {
                    panic!("handler panic on purpose");
                }
                Ok(Response::new(Bytes::new()))
            }),
            "Sleep" => call.unary(BytesCodec, move |request: Request<Bytes>| async move {
                events.push("Sleep started");
                sleep_until_cancelled(&request, &events, "Sleep").await;
                Ok(Response::new(Bytes::new()))
            }),
            "Slow" => call.unary(BytesCodec, move |request: Request<Bytes>| async move {
                let ms = request
                    .metadata()
                    .get("x-ms")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(200);
                events.push("Slow started");
                tokio::time::sleep(Duration::from_millis(ms)).await;
                events.push("Slow finished");
                Ok(Response::new(request.into_inner()))
            }),
            "Collect" => call.client_streaming(
                BytesCodec,
                |request: Request<Streaming<Bytes>>| async move {
                    let mut stream = request.into_inner();
                    let (mut count, mut total) = (0u32, 0usize);
                    while let Some(m) = stream.message().await? {
                        count += 1;
                        total += m.len();
                    }
                    Ok(Response::new(Bytes::from(format!("{count} {total}"))))
                },
            ),
            "Repeat" => call.server_streaming(
                BytesCodec,
                |request: Request<Bytes>, mut out: ResponseSink<Bytes>| async move {
                    let message = request.into_inner();
                    let n = message.first().copied().unwrap_or(0);
                    out.trailers_mut()
                        .insert("x-sent", &n.to_string())
                        .expect("valid");
                    for _ in 0..n {
                        out.send(message.clone()).await?;
                    }
                    Ok(())
                },
            ),
            "SleepStream" => call.server_streaming(
                BytesCodec,
                move |request: Request<Bytes>, mut out: ResponseSink<Bytes>| async move {
                    out.send(Bytes::from_static(b"first")).await?;
                    events.push("SleepStream started");
                    sleep_until_cancelled(&request, &events, "SleepStream").await;
                    Ok(())
                },
            ),
            "Bidi" => call.streaming(
                BytesCodec,
                |request: Request<Streaming<Bytes>>, mut out: ResponseSink<Bytes>| async move {
                    let mut stream = request.into_inner();
                    while let Some(m) = stream.message().await? {
                        out.send(m).await?;
                    }
                    Ok(())
                },
            ),
            _ => call.unimplemented(),
        }
    }
}
