//! Hand-written stand-in for the service code protoforge's generator will
//! emit for `grpc.testing.TestService` and `grpc.testing.UnimplementedService`
//! (testdata/interop/src/proto/grpc/testing/test.proto), written exactly to
//! the shape docs/generated-code.md ("Services") specifies, so the interop
//! tests exercise that shape. The generator replaces this file.

use std::future::Future;
use std::sync::Arc;

use futures_core::Stream;
use protoforge_grpc::{
    Call, CallOptions, Channel, Handled, Outbound, Request, Response, ResponseSink, Service,
    Status, Streaming,
};

use super::messages::*;

/// Server trait for `grpc.testing.TestService`.
pub trait TestService: Send + Sync + 'static {
    /// One empty request followed by one empty response.
    fn empty_call(
        &self,
        request: Request<Empty>,
    ) -> impl Future<Output = Result<Response<Empty>, Status>> + Send;

    /// One request followed by one response.
    fn unary_call(
        &self,
        request: Request<SimpleRequest>,
    ) -> impl Future<Output = Result<Response<SimpleResponse>, Status>> + Send;

    /// One request followed by one response, cacheable.
    fn cacheable_unary_call(
        &self,
        request: Request<SimpleRequest>,
    ) -> impl Future<Output = Result<Response<SimpleResponse>, Status>> + Send;

    /// One request followed by a sequence of responses.
    fn streaming_output_call(
        &self,
        request: Request<StreamingOutputCallRequest>,
        responses: ResponseSink<StreamingOutputCallResponse>,
    ) -> impl Future<Output = Result<(), Status>> + Send;

    /// A sequence of requests followed by one response.
    fn streaming_input_call(
        &self,
        request: Request<Streaming<StreamingInputCallRequest>>,
    ) -> impl Future<Output = Result<Response<StreamingInputCallResponse>, Status>> + Send;

    /// A sequence of requests, each served immediately.
    fn full_duplex_call(
        &self,
        request: Request<Streaming<StreamingOutputCallRequest>>,
        responses: ResponseSink<StreamingOutputCallResponse>,
    ) -> impl Future<Output = Result<(), Status>> + Send;

    /// A sequence of requests followed by a sequence of responses.
    fn half_duplex_call(
        &self,
        request: Request<Streaming<StreamingOutputCallRequest>>,
        responses: ResponseSink<StreamingOutputCallResponse>,
    ) -> impl Future<Output = Result<(), Status>> + Send;

    /// The method no server implements.
    fn unimplemented_call(
        &self,
        request: Request<Empty>,
    ) -> impl Future<Output = Result<Response<Empty>, Status>> + Send;
}

/// Serves a [`TestService`] implementation.
pub struct TestServiceServer<T> {
    inner: Arc<T>,
}

impl<T: TestService> TestServiceServer<T> {
    /// The service around `inner`.
    pub fn new(inner: T) -> Self {
        TestServiceServer {
            inner: Arc::new(inner),
        }
    }
}

impl<T: TestService> Service for TestServiceServer<T> {
    fn name(&self) -> &str {
        "grpc.testing.TestService"
    }

    fn call(&self, call: Call) -> Handled {
        let inner = Arc::clone(&self.inner);
        match call.method() {
            "EmptyCall" => call.unary(
                ProtoCodec::<Empty, Empty>::default(),
                move |request| async move { inner.empty_call(request).await },
            ),
            "UnaryCall" => call.unary(
                ProtoCodec::<SimpleResponse, SimpleRequest>::default(),
                move |request| async move { inner.unary_call(request).await },
            ),
            "CacheableUnaryCall" => call.unary(
                ProtoCodec::<SimpleResponse, SimpleRequest>::default(),
                move |request| async move { inner.cacheable_unary_call(request).await },
            ),
            "StreamingOutputCall" => call.server_streaming(
                ProtoCodec::<StreamingOutputCallResponse, StreamingOutputCallRequest>::default(),
                move |request, responses| async move {
                    inner.streaming_output_call(request, responses).await
                },
            ),
            "StreamingInputCall" => call.client_streaming(
                ProtoCodec::<StreamingInputCallResponse, StreamingInputCallRequest>::default(),
                move |request| async move { inner.streaming_input_call(request).await },
            ),
            "FullDuplexCall" => call.streaming(
                ProtoCodec::<StreamingOutputCallResponse, StreamingOutputCallRequest>::default(),
                move |request, responses| async move {
                    inner.full_duplex_call(request, responses).await
                },
            ),
            "HalfDuplexCall" => call.streaming(
                ProtoCodec::<StreamingOutputCallResponse, StreamingOutputCallRequest>::default(),
                move |request, responses| async move {
                    inner.half_duplex_call(request, responses).await
                },
            ),
            "UnimplementedCall" => call.unary(
                ProtoCodec::<Empty, Empty>::default(),
                move |request| async move { inner.unimplemented_call(request).await },
            ),
            _ => call.unimplemented(),
        }
    }
}

/// Typed client for `grpc.testing.TestService`.
#[derive(Clone, Debug)]
pub struct TestServiceClient {
    channel: Channel,
}

impl TestServiceClient {
    /// A client making calls on `channel`.
    pub fn new(channel: Channel) -> Self {
        TestServiceClient { channel }
    }

    /// One empty request followed by one empty response.
    pub async fn empty_call(
        &self,
        request: impl Into<Outbound<Empty>>,
        options: CallOptions,
    ) -> Result<Response<Empty>, Status> {
        self.channel
            .unary(
                "/grpc.testing.TestService/EmptyCall",
                ProtoCodec::<Empty, Empty>::default(),
                request,
                options,
            )
            .await
    }

    /// One request followed by one response.
    pub async fn unary_call(
        &self,
        request: impl Into<Outbound<SimpleRequest>>,
        options: CallOptions,
    ) -> Result<Response<SimpleResponse>, Status> {
        self.channel
            .unary(
                "/grpc.testing.TestService/UnaryCall",
                ProtoCodec::<SimpleRequest, SimpleResponse>::default(),
                request,
                options,
            )
            .await
    }

    /// One request followed by a sequence of responses.
    pub async fn streaming_output_call(
        &self,
        request: impl Into<Outbound<StreamingOutputCallRequest>>,
        options: CallOptions,
    ) -> Result<Response<Streaming<StreamingOutputCallResponse>>, Status> {
        self.channel
            .server_streaming(
                "/grpc.testing.TestService/StreamingOutputCall",
                ProtoCodec::<StreamingOutputCallRequest, StreamingOutputCallResponse>::default(),
                request,
                options,
            )
            .await
    }

    /// A sequence of requests followed by one response.
    pub async fn streaming_input_call<S, M>(
        &self,
        requests: S,
        options: CallOptions,
    ) -> Result<Response<StreamingInputCallResponse>, Status>
    where
        S: Stream<Item = M> + Send + 'static,
        M: Into<Outbound<StreamingInputCallRequest>> + Send + 'static,
    {
        self.channel
            .client_streaming(
                "/grpc.testing.TestService/StreamingInputCall",
                ProtoCodec::<StreamingInputCallRequest, StreamingInputCallResponse>::default(),
                requests,
                options,
            )
            .await
    }

    /// A sequence of requests, each served immediately.
    pub async fn full_duplex_call<S, M>(
        &self,
        requests: S,
        options: CallOptions,
    ) -> Result<Streaming<StreamingOutputCallResponse>, Status>
    where
        S: Stream<Item = M> + Send + 'static,
        M: Into<Outbound<StreamingOutputCallRequest>> + Send + 'static,
    {
        self.channel
            .streaming(
                "/grpc.testing.TestService/FullDuplexCall",
                ProtoCodec::<StreamingOutputCallRequest, StreamingOutputCallResponse>::default(),
                requests,
                options,
            )
            .await
    }

    /// The method no server implements.
    pub async fn unimplemented_call(
        &self,
        request: impl Into<Outbound<Empty>>,
        options: CallOptions,
    ) -> Result<Response<Empty>, Status> {
        self.channel
            .unary(
                "/grpc.testing.TestService/UnimplementedCall",
                ProtoCodec::<Empty, Empty>::default(),
                request,
                options,
            )
            .await
    }
}

/// Typed client for `grpc.testing.UnimplementedService`.
#[derive(Clone, Debug)]
pub struct UnimplementedServiceClient {
    channel: Channel,
}

impl UnimplementedServiceClient {
    /// A client making calls on `channel`.
    pub fn new(channel: Channel) -> Self {
        UnimplementedServiceClient { channel }
    }

    /// A call no server implements.
    pub async fn unimplemented_call(
        &self,
        request: impl Into<Outbound<Empty>>,
        options: CallOptions,
    ) -> Result<Response<Empty>, Status> {
        self.channel
            .unary(
                "/grpc.testing.UnimplementedService/UnimplementedCall",
                ProtoCodec::<Empty, Empty>::default(),
                request,
                options,
            )
            .await
    }
}
