//! `interop-client`: runs interop test cases against an interop server,
//! with the standard interop client flags, on protoforge's generated
//! `TestServiceClient`.
//!
//! `--test_case` takes one case, a comma-separated list, or `all`. Each
//! case prints `PASS <case>` or `FAIL <case>: <why>` on a line of its own;
//! the exit status is 0 when every case passed, 1 otherwise, 2 for bad
//! flags.
//!
//! grpc's own clients trust a test CA bundled with them under
//! `--use_test_ca`; protoforge ships no keys, so the CA comes from
//! `--ca_file` (the test CA with `--use_test_ca`, else any CA to trust).

// A command-line tool: each case's result goes to stdout, problems to stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgAction, Parser};
use protoforge_grpc::{ClientTlsConfig, Endpoint};
use protoforge_interop::client;

/// How long one case may take in all (its calls have their own deadlines).
const CASE_TIME_LIMIT: Duration = Duration::from_secs(60);

/// The standard interop client flags, plus where the CA is.
#[derive(Debug, Parser)]
#[command(
    name = "interop-client",
    about = "gRPC interop client (grpc.testing.TestService) on protoforge"
)]
struct Flags {
    /// The server's host name or address.
    #[arg(long = "server_host", default_value = "localhost")]
    server_host: String,
    /// The server's port.
    #[arg(long = "server_port", default_value_t = 10000)]
    server_port: u16,
    /// The name to verify the server's certificate against and to send as
    /// the authority, instead of --server_host.
    #[arg(long = "server_host_override")]
    server_host_override: Option<String>,
    /// The case to run, a comma-separated list of cases, or `all`.
    #[arg(long = "test_case", default_value = "large_unary")]
    test_case: String,
    /// Connect over TLS.
    #[arg(long = "use_tls", default_value_t = false, num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    use_tls: bool,
    /// Trust the test CA (given with --ca_file) instead of another CA.
    #[arg(long = "use_test_ca", default_value_t = false, num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    use_test_ca: bool,
    /// The CA certificate(s) to trust (PEM); required with --use_tls.
    #[arg(long = "ca_file")]
    ca_file: Option<String>,
}

fn main() -> ExitCode {
    let flags = Flags::parse();
    let cases: Vec<&str> = if flags.test_case == "all" {
        client::CASES.to_vec()
    } else {
        flags.test_case.split(',').map(str::trim).collect()
    };
    if let Some(unknown) = cases.iter().find(|c| !client::CASES.contains(c)) {
        eprintln!(
            "interop-client: unknown test case `{unknown}`; the cases are: {}",
            client::CASES.join(", ")
        );
        return ExitCode::from(2);
    }
    let endpoint = match endpoint(&flags) {
        Ok(endpoint) => endpoint,
        Err(e) => {
            eprintln!("interop-client: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("interop-client: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let all_passed = runtime.block_on(async move {
        let channel = match endpoint.connect().await {
            Ok(channel) => channel,
            Err(e) => {
                for case in &cases {
                    println!("FAIL {case}: connecting: {e}");
                }
                return false;
            }
        };
        let mut all_passed = true;
        for case in cases {
            let result = tokio::time::timeout(CASE_TIME_LIMIT, client::run(case, channel.clone()))
                .await
                .unwrap_or_else(|_| Err(format!("did not finish within {CASE_TIME_LIMIT:?}")));
            match result {
                Ok(()) => println!("PASS {case}"),
                Err(why) => {
                    all_passed = false;
                    println!("FAIL {case}: {}", why.replace('\n', " "));
                }
            }
        }
        all_passed
    });
    if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn endpoint(flags: &Flags) -> Result<Endpoint, String> {
    let mut endpoint = Endpoint::new(flags.server_host.clone(), flags.server_port);
    if flags.use_tls {
        let what = if flags.use_test_ca {
            "the test CA"
        } else {
            "a CA to trust"
        };
        let path = flags
            .ca_file
            .as_deref()
            .ok_or_else(|| format!("--use_tls needs --ca_file with {what}"))?;
        let ca = std::fs::read(path).map_err(|e| format!("--ca_file={path}: {e}"))?;
        let mut tls = ClientTlsConfig::new().ca_certificate(ca);
        if let Some(name) = &flags.server_host_override {
            tls = tls.domain_name(name.clone());
        }
        endpoint = endpoint.tls(tls);
    }
    if let Some(name) = &flags.server_host_override {
        endpoint = endpoint.authority(name.clone());
    }
    Ok(endpoint)
}
