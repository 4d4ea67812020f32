//! Interceptors: async hooks that see each call's method and metadata
//! before it starts, on a server (authentication, logging, metrics) or a
//! client (adding credentials, tracing). An interceptor takes the call's
//! [`CallHead`] and returns it, possibly changed, or a [`Status`] that
//! ends the call without running it.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Instant;

use crate::Status;
use crate::message::split_path;
use crate::metadata::Metadata;

/// What an interceptor sees of a call.
#[derive(Debug)]
pub struct CallHead {
    pub(crate) path: String,
    pub(crate) metadata: Metadata,
    pub(crate) extensions: http::Extensions,
    pub(crate) remote_addr: Option<SocketAddr>,
    pub(crate) deadline: Option<Instant>,
}

impl CallHead {
    /// The method path, `/package.Service/Method`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The service part of the path.
    pub fn service(&self) -> &str {
        split_path(&self.path).map_or("", |(s, _)| s)
    }

    /// The method part of the path.
    pub fn method(&self) -> &str {
        split_path(&self.path).map_or("", |(_, m)| m)
    }

    /// The call's metadata: what the client sent (server side) or is about
    /// to send (client side).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The call's metadata, mutably.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Server side: values to hand to the handler through
    /// [`Request::extensions`](crate::Request::extensions).
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.extensions
    }

    /// Server side: the client's address.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// The call's deadline, if it has one.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
}

/// The future an interceptor returns.
pub type InterceptFuture = Pin<Box<dyn Future<Output = Result<CallHead, Status>> + Send>>;

/// An async hook run before each call. Implemented for every
/// `Fn(CallHead) -> impl Future<Output = Result<CallHead, Status>>`.
pub trait Interceptor: Send + Sync + 'static {
    /// Inspects or changes the call, or refuses it with a status.
    fn intercept(&self, head: CallHead) -> InterceptFuture;
}

impl<F, Fut> Interceptor for F
where
    F: Fn(CallHead) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<CallHead, Status>> + Send + 'static,
{
    fn intercept(&self, head: CallHead) -> InterceptFuture {
        Box::pin(self(head))
    }
}

/// Runs `interceptors` in order.
pub(crate) async fn run(
    interceptors: &[std::sync::Arc<dyn Interceptor>],
    mut head: CallHead,
) -> Result<CallHead, Status> {
    for interceptor in interceptors {
        head = interceptor.intercept(head).await?;
    }
    Ok(head)
}
