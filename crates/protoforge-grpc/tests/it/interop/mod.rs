//! The gRPC interop cases, run in four pairings with real peers — our client
//! against Python (grpcio) and Node (@grpc/grpc-js) servers, and Python and
//! Node clients against our server — each in plaintext and over TLS. The
//! peer programs are ours, in tools/peers/interop/.

pub mod client;
pub mod messages;
pub mod server;
pub mod service;

mod peers;

use protoforge_grpc::{ClientTlsConfig, Endpoint, Server, ServerTlsConfig};

use crate::support::{TLS_HOST_OVERRIDE, TestServer, pki, run};

/// Our server with the interop service, plaintext or TLS.
pub async fn start_server(tls: bool) -> TestServer {
    let mut server = Server::builder();
    if tls {
        let pki = pki();
        server = server.tls(ServerTlsConfig::new(
            pki.server_cert_pem.clone(),
            pki.server_key_pem.clone(),
        ));
    }
    TestServer::start(server.add_service(service::TestServiceServer::new(server::InteropServer)))
        .await
}

/// Our client's endpoint for a server on `port`.
pub fn endpoint(port: u16, tls: bool) -> Endpoint {
    let endpoint = Endpoint::new("127.0.0.1", port);
    if tls {
        endpoint
            .tls(
                ClientTlsConfig::new()
                    .ca_certificate(pki().ca_pem.clone())
                    .domain_name(TLS_HOST_OVERRIDE),
            )
            .authority(TLS_HOST_OVERRIDE)
    } else {
        endpoint
    }
}

/// Our client against our server: not a pairing the interop matrix counts,
/// but it checks both halves agree before blaming a peer.
#[test]
fn rust_client_against_rust_server() {
    for tls in [false, true] {
        run(async move {
            let server = start_server(tls).await;
            let channel = endpoint(server.port(), tls)
                .connect()
                .await
                .expect("connect");
            let mut failures = Vec::new();
            for case in client::CASES {
                if let Err(e) = client::run(case, channel.clone()).await {
                    failures.push(format!("{case}: {e}"));
                }
            }
            assert!(failures.is_empty(), "tls={tls}:\n{}", failures.join("\n"));
            server.stop().await.expect("clean shutdown");
        });
    }
}
