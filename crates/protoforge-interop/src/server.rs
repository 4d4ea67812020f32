//! The interop server: `grpc.testing.TestService` as the interop test
//! descriptions' "Server" section specifies (echo metadata, echo status,
//! compressed requests and responses, response sizes and intervals).

use std::time::Duration;

use protoforge_grpc::{
    Code, Encoding, Metadata, Outbound, Request, Response, ResponseSink, Status, Streaming,
};

use crate::is_true;
use crate::pb::grpc::testing::{
    EchoStatus, Empty, Payload, ResponseParameters, SimpleRequest, SimpleResponse,
    StreamingInputCallRequest, StreamingInputCallResponse, StreamingOutputCallRequest,
    StreamingOutputCallResponse, TestService, TestServiceServer,
};

/// The initial metadata key a server echoes.
pub const ECHO_INITIAL: &str = "x-grpc-test-echo-initial";
/// The trailing (binary) metadata key a server echoes.
pub const ECHO_TRAILING: &str = "x-grpc-test-echo-trailing-bin";

/// The interop `TestService`.
#[derive(Clone, Copy, Debug, Default)]
pub struct InteropServer;

impl InteropServer {
    /// The service, ready for `Server::builder().add_service(…)`.
    pub fn service() -> TestServiceServer<InteropServer> {
        TestServiceServer::new(InteropServer)
    }
}

/// The echo metadata a request asks for: (initial, trailing).
fn echo_metadata(metadata: &Metadata) -> (Metadata, Metadata) {
    let mut initial = Metadata::new();
    let mut trailing = Metadata::new();
    if let Some(value) = metadata.get(ECHO_INITIAL) {
        let _ = initial.insert(ECHO_INITIAL, value);
    }
    if let Some(value) = metadata.get_bin(ECHO_TRAILING) {
        let _ = trailing.insert_bin(ECHO_TRAILING, &value);
    }
    (initial, trailing)
}

/// The status a request asks to be answered with, if not OK.
fn echo_status(status: &Option<EchoStatus>, trailing: &Metadata) -> Result<(), Status> {
    match status {
        Some(s) if s.code != 0 => {
            Err(Status::new(Code::from_i32(s.code), s.message.clone())
                .with_metadata(trailing.clone()))
        }
        _ => Ok(()),
    }
}

fn payload(size: i32) -> Result<Option<Payload>, Status> {
    let size = usize::try_from(size).map_err(|_| Status::invalid_argument("negative size"))?;
    Ok(crate::zeros(size))
}

async fn stream_responses(
    params: &[ResponseParameters],
    responses: &mut ResponseSink<StreamingOutputCallResponse>,
) -> Result<(), Status> {
    for p in params {
        if p.interval_us > 0 {
            tokio::time::sleep(Duration::from_micros(p.interval_us.unsigned_abs().into())).await;
        }
        let message = StreamingOutputCallResponse {
            payload: payload(p.size)?,
            ..Default::default()
        };
        responses
            .send(Outbound::new(message).compress(is_true(&p.compressed)))
            .await?;
    }
    Ok(())
}

fn wants_compression(params: &[ResponseParameters]) -> bool {
    params.iter().any(|p| is_true(&p.compressed))
}

impl TestService for InteropServer {
    async fn empty_call(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        Ok(Response::new(Empty::default()))
    }

    async fn unary_call(
        &self,
        request: Request<SimpleRequest>,
    ) -> Result<Response<SimpleResponse>, Status> {
        let (initial, trailing) = echo_metadata(request.metadata());
        let compressed = request.message_compressed();
        let message = request.into_inner();
        echo_status(&message.response_status, &trailing)?;
        if is_true(&message.expect_compressed) && !compressed {
            return Err(Status::invalid_argument("expected a compressed request"));
        }
        let mut response = Response::new(SimpleResponse {
            payload: payload(message.response_size)?,
            ..Default::default()
        });
        *response.metadata_mut() = initial;
        *response.trailers_mut() = trailing;
        if is_true(&message.response_compressed) {
            response.set_compression(Some(Encoding::Gzip));
        }
        Ok(response)
    }

    async fn cacheable_unary_call(
        &self,
        request: Request<SimpleRequest>,
    ) -> Result<Response<SimpleResponse>, Status> {
        self.unary_call(request).await
    }

    async fn streaming_output_call(
        &self,
        request: Request<StreamingOutputCallRequest>,
        mut responses: ResponseSink<StreamingOutputCallResponse>,
    ) -> Result<(), Status> {
        let (initial, trailing) = echo_metadata(request.metadata());
        let message = request.into_inner();
        *responses.metadata_mut() = initial;
        *responses.trailers_mut() = trailing.clone();
        if wants_compression(&message.response_parameters) {
            responses.set_compression(Some(Encoding::Gzip));
        }
        stream_responses(&message.response_parameters, &mut responses).await?;
        echo_status(&message.response_status, &trailing)
    }

    async fn streaming_input_call(
        &self,
        request: Request<Streaming<StreamingInputCallRequest>>,
    ) -> Result<Response<StreamingInputCallResponse>, Status> {
        let mut requests = request.into_inner();
        let mut total = 0usize;
        while let Some(message) = requests.message().await? {
            if is_true(&message.expect_compressed) && !requests.last_message_compressed() {
                return Err(Status::invalid_argument("expected a compressed request"));
            }
            total += message.payload.map_or(0, |p| p.body.len());
        }
        Ok(Response::new(StreamingInputCallResponse {
            aggregated_payload_size: i32::try_from(total)
                .map_err(|_| Status::out_of_range("aggregate too large"))?,
            ..Default::default()
        }))
    }

    async fn full_duplex_call(
        &self,
        request: Request<Streaming<StreamingOutputCallRequest>>,
        mut responses: ResponseSink<StreamingOutputCallResponse>,
    ) -> Result<(), Status> {
        let (initial, trailing) = echo_metadata(request.metadata());
        *responses.metadata_mut() = initial;
        *responses.trailers_mut() = trailing.clone();
        let mut requests = request.into_inner();
        while let Some(message) = requests.message().await? {
            echo_status(&message.response_status, &trailing)?;
            if wants_compression(&message.response_parameters) {
                responses.set_compression(Some(Encoding::Gzip));
            }
            stream_responses(&message.response_parameters, &mut responses).await?;
        }
        Ok(())
    }

    async fn half_duplex_call(
        &self,
        request: Request<Streaming<StreamingOutputCallRequest>>,
        mut responses: ResponseSink<StreamingOutputCallResponse>,
    ) -> Result<(), Status> {
        let mut requests = request.into_inner();
        let mut all = Vec::new();
        while let Some(message) = requests.message().await? {
            all.push(message);
        }
        for message in all {
            echo_status(&message.response_status, &Metadata::new())?;
            stream_responses(&message.response_parameters, &mut responses).await?;
        }
        Ok(())
    }

    async fn unimplemented_call(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        Err(Status::unimplemented(
            "UnimplementedCall is not implemented",
        ))
    }
}
