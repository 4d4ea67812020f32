//! Shared test plumbing: servers on 127.0.0.1 port 0 that stop by
//! themselves, a bound on every test's running time, and test TLS
//! certificates made with rcgen.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use protoforge_grpc::Router;
use tokio::sync::oneshot;

/// The longest any single test may run.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `test` twice, on a fresh multi-thread runtime and on a fresh
/// current-thread runtime, failing if a run takes longer than
/// [`TEST_TIMEOUT`]. The server runs calls differently on the two (on a
/// current-thread runtime a call's first poll is on its connection's task),
/// so every behaviour is checked on both. Which run failed shows in the
/// test's captured output.
#[allow(clippy::print_stderr)]
pub fn run<F: Future<Output = ()>>(test: impl Fn() -> F) {
    for multi_thread in [true, false] {
        let runtime = if multi_thread {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        }
        .expect("tokio runtime");
        let flavor = if multi_thread {
            "multi-thread"
        } else {
            "current-thread"
        };
        eprintln!("-- on a {flavor} runtime");
        runtime.block_on(async {
            tokio::time::timeout(TEST_TIMEOUT, test())
                .await
                .unwrap_or_else(|_| panic!("test exceeded its time bound ({flavor} runtime)"));
        });
    }
}

/// A server on 127.0.0.1 with an OS-chosen port; shuts down when stopped
/// or dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), protoforge_grpc::Error>>>,
}

impl TestServer {
    pub async fn start(router: Router) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(router.serve(listener, async move {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Starts a graceful shutdown and waits for the server to finish.
    pub async fn stop(mut self) -> Result<(), protoforge_grpc::Error> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.expect("server task panicked"),
            None => Ok(()),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Test PKI: a CA, a server certificate for `localhost` and `127.0.0.1`, a
/// client certificate, and a second CA that signed none of them, all in
/// PEM.
pub struct TestPki {
    pub ca_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub client_cert_pem: String,
    pub client_key_pem: String,
    pub other_ca_pem: String,
}

pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
            IsCa, KeyPair, KeyUsagePurpose, SanType,
        };
        let ca = |name: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(DnType::CommonName, name);
            params.key_usages = vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
                KeyUsagePurpose::DigitalSignature,
            ];
            CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key"))
                .expect("CA certificate")
        };
        let issuer = ca("protoforge test CA");
        let other = ca("protoforge untrusted CA");

        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate().expect("server key");
        let server = params.signed_by(&server_key, &issuer).expect("server cert");

        let mut params = CertificateParams::new(vec!["client.test".to_string()]).expect("params");
        params
            .distinguished_name
            .push(DnType::CommonName, "test client");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_key = KeyPair::generate().expect("client key");
        let client = params.signed_by(&client_key, &issuer).expect("client cert");

        TestPki {
            ca_pem: issuer.pem(),
            server_cert_pem: server.pem(),
            server_key_pem: server_key.serialize_pem(),
            client_cert_pem: client.pem(),
            client_key_pem: client_key.serialize_pem(),
            other_ca_pem: other.pem(),
        }
    })
}
