//! A chat room: `chat.ChatRoom`, one bidirectional stream per client through
//! one server. Three clients join, wait until everyone is in, each says two
//! things, and leave once they have heard all six messages; every client
//! must have heard the same messages in the same order.
//!
//! ```text
//! cargo run -p protoforge-examples --bin chat
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::error::Error;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use protoforge_examples::Running;
use protoforge_examples::chat::event::Kind;
use protoforge_examples::chat::{ChatRoom, ChatRoomClient, ChatRoomServer, Event, Say};
use protoforge_grpc::{CallOptions, Request, ResponseSink, Server, Status, Streaming, stream};
use tokio::sync::broadcast;

/// Events a slow client may fall behind by before it is dropped.
const ROOM_BUFFER: usize = 256;

/// What each client says.
const LINES: &[(&str, [&str; 2])] = &[
    ("alice", ["hi all", "anyone up for lunch?"]),
    ("bob", ["hello!", "lunch sounds good"]),
    ("carol", ["hey", "count me in"]),
];

struct Room {
    events: broadcast::Sender<Event>,
    /// The next sequence number and the number of members; held while
    /// publishing, so sequence order is delivery order.
    state: Mutex<(u64, u32)>,
}

impl Room {
    fn publish(&self, user: &str, kind: impl FnOnce(&mut u32) -> Kind) -> Result<(), Status> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| Status::internal("room state poisoned"))?;
        let (sequence, members) = &mut *state;
        *sequence += 1;
        let event = Event {
            sequence: *sequence,
            user: user.to_string(),
            kind: Some(kind(members)),
            ..Default::default()
        };
        // No receivers is fine: nobody is listening.
        let _ = self.events.send(event);
        Ok(())
    }

    /// Relays `said` to the room and the room to `responses`, until the
    /// client ends its stream.
    async fn relay(
        &self,
        user: &str,
        said: &mut Streaming<Say>,
        events: &mut broadcast::Receiver<Event>,
        responses: &mut ResponseSink<Event>,
    ) -> Result<(), Status> {
        loop {
            tokio::select! {
                message = said.message() => match message? {
                    Some(say) => self.publish(user, |_| Kind::Said(say.text))?,
                    None => return Ok(()),
                },
                event = events.recv() => match event {
                    Ok(event) => responses.send(event).await?,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Err(Status::resource_exhausted("the client fell too far behind the room"));
                    }
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                },
            }
        }
    }
}

impl ChatRoom for Room {
    async fn join(
        &self,
        request: Request<Streaming<Say>>,
        mut responses: ResponseSink<Event>,
    ) -> Result<(), Status> {
        let user = match request.metadata().get("x-chat-user") {
            Some(user) if !user.is_empty() => user.to_string(),
            _ => {
                return Err(Status::invalid_argument(
                    "set the x-chat-user metadata to your name",
                ));
            }
        };
        let mut said = request.into_inner();
        // Subscribe first, so the joiner hears its own arrival.
        let mut events = self.events.subscribe();
        self.publish(&user, |members| {
            *members += 1;
            Kind::Joined(*members)
        })?;
        let result = self
            .relay(&user, &mut said, &mut events, &mut responses)
            .await;
        self.publish(&user, |members| {
            *members = members.saturating_sub(1);
            Kind::Left(*members)
        })?;
        result
    }
}

/// One client: join, wait for everyone, say its lines, leave after hearing
/// all of them. Returns the messages heard, in order.
async fn client(
    client: ChatRoomClient,
    user: &'static str,
    lines: [&'static str; 2],
) -> Result<Vec<String>, Box<dyn Error + Send + Sync>> {
    let everyone = LINES.len() as u32;
    let expected = LINES.len() * 2;
    let (say, said) = stream::channel::<Say>(4);
    let mut options = CallOptions::new().timeout(Duration::from_secs(10));
    options.metadata_mut().insert("x-chat-user", user)?;
    let mut events = client.join(said, options).await?;

    let mut heard = Vec::new();
    let mut next = async || -> Result<Event, Box<dyn Error + Send + Sync>> {
        Ok(events
            .message()
            .await?
            .ok_or("the room closed the stream")?)
    };
    // Wait until the whole room is there.
    loop {
        if let Some(Kind::Joined(n)) = next().await?.kind {
            if n >= everyone {
                break;
            }
        }
    }
    for line in lines {
        say.send(Say {
            text: line.to_string(),
            ..Default::default()
        })
        .await
        .map_err(|_| "the call ended early")?;
    }
    while heard.len() < expected {
        let event = next().await?;
        if let Some(Kind::Said(text)) = event.kind {
            heard.push(format!("#{} {}: {text}", event.sequence, event.user));
        }
    }
    // Leave: end the request stream, then read to the end of the call.
    drop(say);
    while events.message().await?.is_some() {}
    Ok(heard)
}

async fn demo() -> Result<(), Box<dyn Error + Send + Sync>> {
    let (events, _) = broadcast::channel(ROOM_BUFFER);
    let room = Room {
        events,
        state: Mutex::new((0, 0)),
    };
    let running = Running::start(Server::builder().add_service(ChatRoomServer::new(room))).await?;
    println!("chat room listening on {}", running.addr());

    let mut clients = Vec::new();
    for &(user, lines) in LINES {
        let chat = ChatRoomClient::new(running.channel()?);
        clients.push((user, tokio::spawn(client(chat, user, lines))));
    }
    let mut transcripts = Vec::new();
    for (user, task) in clients {
        let heard = task.await??;
        println!("{user} heard {} messages", heard.len());
        transcripts.push(heard);
    }
    let first = &transcripts[0];
    if transcripts.iter().any(|t| t != first) {
        return Err(format!("the clients heard different conversations: {transcripts:#?}").into());
    }
    println!("transcript:");
    for line in first {
        println!("  {line}");
    }
    println!(
        "all {} clients heard the same {} messages in the same order",
        transcripts.len(),
        first.len()
    );
    running.stop().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match demo().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chat: {e}");
            ExitCode::FAILURE
        }
    }
}
