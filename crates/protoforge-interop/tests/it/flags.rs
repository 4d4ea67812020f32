//! The binaries' command lines: what a mistake in the flags gets (a message
//! and exit status 2 from the client, a message and status 1 from the
//! server), and a client that cannot connect failing every case it was
//! given instead of hanging.

use std::process::{Command, Output};

fn client(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_interop-client"))
        .args(args)
        .output()
        .expect("run interop-client")
}

fn server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_interop-server"))
        .args(args)
        .output()
        .expect("run interop-server")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn unknown_case_is_a_usage_error() {
    let out = client(&["--server_port=1", "--test_case=empty_unary,no_such_case"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("unknown test case `no_such_case`") && stderr.contains("empty_unary"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no case ran");
}

#[test]
fn tls_needs_a_ca_file() {
    let out = client(&["--server_port=1", "--use_tls", "--use_test_ca=true"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--use_tls needs --ca_file with the test CA"),
        "{stderr}"
    );

    let out = server(&["--port=0", "--host=127.0.0.1", "--use_tls=true"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--use_tls needs --tls_cert_file"),
        "{stderr}"
    );
}

#[test]
fn bad_boolean_is_rejected_by_the_parser() {
    let out = client(&["--use_tls=maybe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--use_tls"));
}

#[test]
fn unreachable_server_fails_each_case() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let port = format!("--server_port={port}");
    let out = client(&[
        "--server_host=127.0.0.1",
        &port,
        "--test_case=empty_unary,large_unary",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("FAIL empty_unary: connecting"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("FAIL large_unary: connecting"),
        "{stdout}"
    );
}
