//! Small streams for sending requests: [`channel`] to feed a streaming call
//! one message at a time (as a ping-pong client does), and [`iter`] for
//! messages known up front. [`Stream`] is the trait request streams
//! implement (re-exported from `futures-core`, so generated clients and
//! their callers need no dependency of their own to name it).

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

pub use futures_core::Stream;

/// The sending half of [`channel`].
#[derive(Debug)]
pub struct Sender<T> {
    inner: mpsc::Sender<T>,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Sender<T> {
    /// Queues a message; fails (giving it back) when the call has ended.
    pub async fn send(&self, message: T) -> Result<(), T> {
        self.inner.send(message).await.map_err(|e| e.0)
    }
}

/// The stream half of [`channel`]: ends when every sender is dropped.
#[derive(Debug)]
pub struct Receiver<T> {
    inner: mpsc::Receiver<T>,
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.inner.poll_recv(cx)
    }
}

/// A bounded channel whose receiver is a request stream: the call sends
/// what is queued, and ends the request stream (half-close) when every
/// [`Sender`] is dropped.
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = mpsc::channel(buffer.max(1));
    (Sender { inner: tx }, Receiver { inner: rx })
}

/// A stream of the items of an iterator.
#[derive(Debug)]
pub struct Iter<I> {
    inner: I,
}

impl<I: Iterator + Unpin> futures_core::Stream for Iter<I> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.inner.next())
    }
}

/// A stream of `items`.
pub fn iter<I: IntoIterator>(items: I) -> Iter<I::IntoIter> {
    Iter {
        inner: items.into_iter(),
    }
}

/// A stream that never yields and never ends (until the call is dropped or
/// cancelled): for a call that should stay open without sending.
pub fn pending<T>() -> Pending<T> {
    Pending(std::marker::PhantomData)
}

/// See [`pending`].
#[derive(Debug)]
pub struct Pending<T>(std::marker::PhantomData<fn() -> T>);

impl<T> futures_core::Stream for Pending<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<T>> {
        Poll::Pending
    }
}
