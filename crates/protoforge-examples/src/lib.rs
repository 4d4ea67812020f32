//! protoforge's runnable examples: the generated code for the `.proto`
//! files in `proto/` (compiled by this package's `build.rs` with
//! `protoforge-build`), and a helper to run a server on loopback. Each
//! example is a binary in `src/bin/` that starts its servers on
//! `127.0.0.1` (port 0), runs its clients against them, prints what
//! happened, and exits:
//!
//! ```text
//! cargo run -p protoforge-examples --bin greeter
//! cargo run -p protoforge-examples --bin route-guide
//! cargo run -p protoforge-examples --bin chat
//! cargo run -p protoforge-examples --bin order-management
//! ```
//!
//! The generated modules mirror the protobuf packages; each is filled by
//! `protoforge::include_proto!` with the file `protoforge-build` wrote for
//! that package:
//!
//! ```
//! use protoforge::Message;
//! use protoforge_examples::helloworld::HelloRequest;
//!
//! let request = HelloRequest { name: "world".into(), ..Default::default() };
//! let bytes = request.encode_to_vec();
//! assert_eq!(bytes, b"\x0a\x05world");
//! assert_eq!(HelloRequest::decode(&bytes).unwrap(), request);
//! ```

#![deny(missing_docs)]

use std::net::SocketAddr;

use protoforge_grpc::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// `helloworld.proto`: the greeter.
pub mod helloworld {
    protoforge::include_proto!("helloworld");
}

/// `route_guide.proto`: one service with the four kinds of call.
pub mod routeguide {
    protoforge::include_proto!("routeguide");
}

/// `chat.proto`: a chat room over bidirectional streams.
pub mod chat {
    protoforge::include_proto!("chat");
}

/// Package `store`.
pub mod store {
    /// Package `store.inventory`.
    pub mod inventory {
        /// `inventory.proto`: the stock of the order-management example.
        pub mod v1 {
            protoforge::include_proto!("store.inventory.v1");
        }
    }
}

/// Package `shop`.
pub mod shop {
    /// Package `shop.customers`.
    pub mod customers {
        /// `customers.proto`: the customer directory.
        pub mod v1 {
            protoforge::include_proto!("shop.customers.v1");
        }
    }
    /// Package `shop.orders`.
    pub mod orders {
        /// `orders.proto`: placing orders.
        pub mod v1 {
            protoforge::include_proto!("shop.orders.v1");
        }
    }
}

/// A server running on loopback in the background.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), protoforge_grpc::Error>>,
}

impl Running {
    /// Serves `router` on `127.0.0.1`, on a port the system picks.
    pub async fn start(router: Router) -> std::io::Result<Running> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(router.serve(listener, async {
            let _ = stopped.await;
        }));
        Ok(Running {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A channel to it (connecting on first use).
    pub fn channel(&self) -> Result<protoforge_grpc::Channel, protoforge_grpc::Error> {
        protoforge_grpc::Endpoint::new(self.addr.ip().to_string(), self.addr.port()).connect_lazy()
    }

    /// Shuts the server down gracefully and waits for it.
    pub async fn stop(mut self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await??;
        Ok(())
    }
}
