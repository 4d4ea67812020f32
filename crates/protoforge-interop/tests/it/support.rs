//! Test plumbing: a bound on every test's running time, test TLS material
//! made with rcgen, and the interop programs of each side (ours, Python's,
//! Node's) started with the flags they share.
//!
//! Every server binds 127.0.0.1 port 0, prints `port N`, and stops when the
//! test drops its standard input (or after [`SERVER_MAX_SECONDS`]); every
//! client prints `PASS <case>` or `FAIL <case>: <why>` per case.

use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use protoforge_testkit::workspace_root;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

/// The longest any single test may run.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(240);
/// How long a client may take for all its cases.
pub const CLIENT_TIME_LIMIT: Duration = Duration::from_secs(90);
/// How long a server may take to start listening.
pub const SERVER_START_LIMIT: Duration = Duration::from_secs(30);
/// A server stops by itself after this long even if its test is gone.
pub const SERVER_MAX_SECONDS: u64 = 300;

/// The name the TLS server certificate is for, as in gRPC's interop tests.
pub const TLS_HOST_OVERRIDE: &str = "foo.test.google.fr";

/// Runs `test` on a fresh runtime, failing if it takes longer than
/// [`TEST_TIMEOUT`].
pub fn run<F: Future<Output = ()>>(test: F) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        tokio::time::timeout(TEST_TIMEOUT, test)
            .await
            .expect("test exceeded its time bound");
    });
}

/// Test PKI: a CA and a server certificate for `localhost`, `127.0.0.1`
/// and [`TLS_HOST_OVERRIDE`], written to files for the programs.
pub struct TestPki {
    pub ca_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub dir: PathBuf,
}

impl TestPki {
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    pub fn server_cert_file(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    pub fn server_key_file(&self) -> PathBuf {
        self.dir.join("server.key")
    }
}

pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
            IsCa, KeyPair, KeyUsagePurpose, SanType,
        };
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "protoforge interop test CA");
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key"))
            .expect("CA certificate");

        let mut params = CertificateParams::new(vec![
            "localhost".to_string(),
            TLS_HOST_OVERRIDE.to_string(),
            "*.test.google.fr".to_string(),
        ])
        .expect("server params");
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate().expect("server key");
        let server = params.signed_by(&server_key, &issuer).expect("server cert");

        let dir =
            std::env::temp_dir().join(format!("protoforge-interop-pki-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("pki dir");
        let pki = TestPki {
            ca_pem: issuer.pem(),
            server_cert_pem: server.pem(),
            server_key_pem: server_key.serialize_pem(),
            dir,
        };
        std::fs::write(pki.ca_file(), &pki.ca_pem).expect("write ca.pem");
        std::fs::write(pki.server_cert_file(), &pki.server_cert_pem).expect("write server.pem");
        std::fs::write(pki.server_key_file(), &pki.server_key_pem).expect("write server.key");
        pki
    })
}

/// The implementations the interop programs are written on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// protoforge: the `interop-server` and `interop-client` binaries.
    Protoforge,
    /// Python `grpcio` (tools/peers/interop/python).
    Python,
    /// Node `@grpc/grpc-js` (tools/peers/interop/node).
    Node,
}

fn peers_dir() -> PathBuf {
    workspace_root().join("tools/peers/interop")
}

fn interop_protos() -> PathBuf {
    workspace_root().join("testdata/interop")
}

/// Python modules for the interop protos, generated once per test run with
/// the pinned protoc.
fn python_generated() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out =
            std::env::temp_dir().join(format!("protoforge-interop-py-{}", std::process::id()));
        std::fs::create_dir_all(&out).expect("create the generated-code directory");
        let status = protoforge_testkit::protoc()
            .arg("-I")
            .arg(interop_protos())
            .arg(format!("--python_out={}", out.display()))
            .arg(format!("--grpc_python_out={}", out.display()))
            .args([
                "src/proto/grpc/testing/empty.proto",
                "src/proto/grpc/testing/messages.proto",
                "src/proto/grpc/testing/test.proto",
            ])
            .status()
            .expect("run protoc");
        assert!(status.success(), "protoc failed on testdata/interop");
        out
    })
}

/// Where `cargo xtask peers` installs the Node peer's packages.
fn node_modules() -> PathBuf {
    let dir = protoforge_testkit::venv_dir()
        .parent()
        .map(|p| p.join("node/node_modules"))
        .unwrap_or_default();
    assert!(
        dir.join("@grpc/grpc-js").is_dir(),
        "@grpc/grpc-js is not installed at {}.\nInstall the pinned peers with `cargo xtask peers` \
         (needs node and npm, and network access to the npm registry).",
        dir.display()
    );
    dir
}

/// The command for `side`'s `program` (`server` or `client`).
fn command(side: Side, program: &str) -> Command {
    let mut cmd = match side {
        Side::Protoforge => {
            let bin = match program {
                "server" => env!("CARGO_BIN_EXE_interop-server"),
                _ => env!("CARGO_BIN_EXE_interop-client"),
            };
            Command::new(bin)
        }
        Side::Python => {
            let mut cmd = Command::new(protoforge_testkit::python());
            cmd.arg(peers_dir().join(format!("python/interop_{program}.py")));
            cmd.env("PYTHONPATH", python_generated());
            cmd
        }
        Side::Node => {
            let mut cmd = Command::new("node");
            cmd.arg(peers_dir().join(format!("node/interop_{program}.js")));
            cmd.env("NODE_PATH", node_modules());
            cmd.arg(format!(
                "--proto_file={}",
                interop_protos()
                    .join("src/proto/grpc/testing/test.proto")
                    .display()
            ));
            cmd.arg(format!("--proto_root={}", interop_protos().display()));
            cmd
        }
    };
    cmd.kill_on_drop(true);
    cmd
}

/// An interop server; it stops when dropped (its stdin closes, and the
/// process is killed if still there).
pub struct InteropServer {
    pub port: u16,
    child: Child,
}

impl InteropServer {
    /// Closes the server's stdin and waits for it to exit; its exit status.
    pub async fn stop(mut self) -> std::process::ExitStatus {
        drop(self.child.stdin.take());
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the server stops within 30 s of its stdin closing")
            .expect("wait for the server")
    }
}

/// Starts `side`'s interop server.
pub async fn start_server(side: Side, tls: bool) -> InteropServer {
    let mut cmd = command(side, "server");
    cmd.arg("--port=0")
        .arg(format!("--use_tls={tls}"))
        .arg(format!(
            "--tls_cert_file={}",
            pki().server_cert_file().display()
        ))
        .arg(format!(
            "--tls_key_file={}",
            pki().server_key_file().display()
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if side == Side::Protoforge {
        cmd.arg("--host=127.0.0.1")
            .arg("--stop_on_stdin_close")
            .arg(format!("--max_seconds={SERVER_MAX_SECONDS}"));
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting the {side:?} interop server: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(SERVER_START_LIMIT, lines.next_line())
        .await
        .unwrap_or_else(|_| panic!("the {side:?} interop server did not start in time"))
        .expect("read the server's stdout")
        .unwrap_or_else(|| panic!("the {side:?} interop server exited before listening"));
    let port = line
        .strip_prefix("port ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line from the {side:?} server: {line:?}"));
    InteropServer { port, child }
}

/// What a client run printed.
pub struct ClientRun {
    pub stdout: String,
    pub stderr: String,
    pub status: Option<std::process::ExitStatus>,
}

impl ClientRun {
    /// The failure of `case`: `None` when it passed.
    pub fn failure(&self, case: &str) -> Option<String> {
        if self.stdout.lines().any(|l| l == format!("PASS {case}")) {
            return None;
        }
        Some(
            self.stdout
                .lines()
                .find_map(|l| l.strip_prefix(&format!("FAIL {case}: ")))
                .map_or_else(
                    || format!("{case}: no result"),
                    |why| format!("{case}: {why}"),
                ),
        )
    }
}

/// Runs `side`'s interop client with `args` and the connection flags for a
/// server on `port`.
pub async fn run_client(side: Side, port: u16, tls: bool, args: &[String]) -> ClientRun {
    let mut cmd = command(side, "client");
    cmd.arg("--server_host=127.0.0.1")
        .arg(format!("--server_port={port}"))
        .arg(format!("--use_tls={tls}"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if tls {
        cmd.arg("--use_test_ca=true")
            .arg(format!("--ca_file={}", pki().ca_file().display()))
            .arg(format!("--server_host_override={TLS_HOST_OVERRIDE}"));
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting the {side:?} interop client: {e}"));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let (mut out, mut err) = (String::new(), String::new());
    let status = tokio::time::timeout(CLIENT_TIME_LIMIT, async {
        let _ = tokio::join!(
            stdout.read_to_string(&mut out),
            stderr.read_to_string(&mut err)
        );
        child.wait().await
    })
    .await
    .ok()
    .and_then(Result::ok);
    ClientRun {
        stdout: out,
        stderr: err,
        status,
    }
}
