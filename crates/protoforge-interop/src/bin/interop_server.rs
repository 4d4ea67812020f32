//! `interop-server`: serves `grpc.testing.TestService` (protoforge's
//! generated server and [`protoforge_interop::server::InteropServer`]) for
//! interop clients, with the standard interop server flags.
//!
//! Once listening it prints `port N` on a line of its own (so `--port=0`
//! can be used). It serves until killed, or, for tests, until its standard
//! input closes (`--stop_on_stdin_close`) or `--max_seconds` pass; then it
//! shuts down gracefully.

// A command-line tool: the listening port goes to stdout, problems to stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgAction, Parser};
use protoforge_grpc::{Server, ServerTlsConfig};
use protoforge_interop::server::InteropServer;
use tokio::io::AsyncReadExt;

/// The standard interop server flags, plus where the TLS identity is.
#[derive(Debug, Parser)]
#[command(
    name = "interop-server",
    about = "gRPC interop server (grpc.testing.TestService) on protoforge"
)]
struct Flags {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 10000)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    host: String,
    /// Serve over TLS (needs --tls_cert_file and --tls_key_file).
    #[arg(long = "use_tls", default_value_t = false, num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    use_tls: bool,
    /// The server's certificate chain (PEM).
    #[arg(long = "tls_cert_file")]
    tls_cert_file: Option<String>,
    /// The server's private key (PEM).
    #[arg(long = "tls_key_file")]
    tls_key_file: Option<String>,
    /// Stop after this many seconds (0: never).
    #[arg(long = "max_seconds", default_value_t = 0)]
    max_seconds: u64,
    /// Stop when standard input reaches its end (for a test that owns the
    /// server: it stops when the test drops the pipe).
    #[arg(long = "stop_on_stdin_close", default_value_t = false, num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    stop_on_stdin_close: bool,
}

fn main() -> ExitCode {
    let flags = Flags::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("interop-server: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(flags)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("interop-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &Option<String>, flag: &str) -> Result<Vec<u8>, String> {
    let path = path
        .as_deref()
        .ok_or_else(|| format!("--use_tls needs --{flag}"))?;
    std::fs::read(path).map_err(|e| format!("--{flag}={path}: {e}"))
}

async fn serve(flags: Flags) -> Result<(), String> {
    let mut server = Server::builder();
    if flags.use_tls {
        server = server.tls(ServerTlsConfig::new(
            read(&flags.tls_cert_file, "tls_cert_file")?,
            read(&flags.tls_key_file, "tls_key_file")?,
        ));
    }
    let host = flags.host.trim_start_matches('[').trim_end_matches(']');
    let ip = host
        .parse()
        .map_err(|_| format!("--host={}: not an IP address", flags.host))?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, flags.port))
        .await
        .map_err(|e| format!("binding {}:{}: {e}", flags.host, flags.port))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("the listening address: {e}"))?
        .port();
    println!("port {port}");

    let stop_on_stdin = flags.stop_on_stdin_close;
    let max = (flags.max_seconds > 0).then(|| Duration::from_secs(flags.max_seconds));
    let shutdown = async move {
        let stdin_closed = async {
            if stop_on_stdin {
                let mut stdin = tokio::io::stdin();
                let mut buf = [0u8; 256];
                while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
            } else {
                std::future::pending::<()>().await;
            }
        };
        let time_up = async {
            match max {
                Some(max) => tokio::time::sleep(max).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = stdin_closed => {}
            () = time_up => {}
        }
    };
    server
        .add_service(InteropServer::service())
        .serve(listener, shutdown)
        .await
        .map_err(|e| format!("serving: {e}"))
}
