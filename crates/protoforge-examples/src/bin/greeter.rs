//! The greeter: `helloworld.Greeter`, server and client.
//!
//! ```text
//! cargo run -p protoforge-examples --bin greeter                  # server and client, then exit
//! cargo run -p protoforge-examples --bin greeter -- serve 127.0.0.1:50051
//! cargo run -p protoforge-examples --bin greeter -- call 127.0.0.1:50051 Ada
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use protoforge_examples::Running;
use protoforge_examples::helloworld::{
    Greeter, GreeterClient, GreeterServer, HelloReply, HelloRequest,
};
use protoforge_grpc::{CallOptions, Request, Response, ResponseSink, Server, Status};

/// The server's implementation of the generated `Greeter` trait.
struct Greetings;

impl Greeter for Greetings {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let name = &request.get_ref().name;
        if name.is_empty() {
            return Err(Status::invalid_argument("a greeting needs a name"));
        }
        Ok(Response::new(HelloReply {
            message: format!("Hello, {name}!"),
            ..Default::default()
        }))
    }

    async fn say_hello_stream_reply(
        &self,
        request: Request<HelloRequest>,
        mut responses: ResponseSink<HelloReply>,
    ) -> Result<(), Status> {
        let name = &request.get_ref().name;
        for hello in ["Hello", "Bonjour", "Hola", "Hallo", "Ciao"] {
            responses
                .send(HelloReply {
                    message: format!("{hello}, {name}!"),
                    ..Default::default()
                })
                .await?;
        }
        Ok(())
    }
}

fn server() -> protoforge_grpc::Router {
    Server::builder().add_service(GreeterServer::new(Greetings))
}

/// Both calls against a server at `client`'s channel.
async fn greet(client: &GreeterClient, name: &str) -> Result<(), Box<dyn Error>> {
    let options = || CallOptions::new().timeout(Duration::from_secs(5));
    let request = HelloRequest {
        name: name.to_string(),
        ..Default::default()
    };
    let reply = client.say_hello(request.clone(), options()).await?;
    println!("SayHello: {}", reply.get_ref().message);

    let mut replies = client
        .say_hello_stream_reply(request, options())
        .await?
        .into_inner();
    let mut all = Vec::new();
    while let Some(reply) = replies.message().await? {
        all.push(reply.message);
    }
    println!("SayHelloStreamReply: {}", all.join(" / "));

    match client.say_hello(HelloRequest::default(), options()).await {
        Err(status) => println!(
            "SayHello with no name: {} ({})",
            status.code(),
            status.message()
        ),
        Ok(reply) => return Err(format!("expected an error, got {:?}", reply.get_ref()).into()),
    }
    Ok(())
}

async fn demo() -> Result<(), Box<dyn Error>> {
    let running = Running::start(server()).await?;
    println!("greeter listening on {}", running.addr());
    let client = GreeterClient::new(running.channel()?);
    greet(&client, "world").await?;
    running.stop().await.map_err(|e| e.to_string())?;
    Ok(())
}

async fn serve(addr: &str) -> Result<(), Box<dyn Error>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "greeter listening on {} (Ctrl-C to stop)",
        listener.local_addr()?
    );
    server()
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn call(addr: &str, name: &str) -> Result<(), Box<dyn Error>> {
    let channel = protoforge_grpc::Endpoint::from_uri(&format!("http://{addr}"))?
        .connect()
        .await?;
    greet(&GreeterClient::new(channel), name).await
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] => demo().await,
        ["serve", addr] => serve(addr).await,
        ["call", addr, name] => call(addr, name).await,
        _ => Err("usage: greeter [serve ADDR | call ADDR NAME]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("greeter: {e}");
            ExitCode::FAILURE
        }
    }
}
