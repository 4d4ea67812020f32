"""protoforge's Python interop server: grpc.testing.TestService on grpcio,
written from gRPC's interop test descriptions ("Server" section).

The message modules are generated at test time with the pinned protoc
(`python -m grpc_tools.protoc --python_out --grpc_python_out`) from
testdata/interop; put that output directory on PYTHONPATH.

Flags: --port (0 picks a free port), --use_tls, --tls_cert_file,
--tls_key_file. Prints "port N" once listening, then serves until stdin
closes or --max_seconds pass, so it never outlives the test that started it.
"""

import argparse
import sys
import threading
import time

import grpc

from src.proto.grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
CODES = {code.value[0]: code for code in grpc.StatusCode}


def echo_metadata(context):
    initial, trailing = [], []
    for key, value in context.invocation_metadata():
        if key == ECHO_INITIAL:
            initial.append((key, value))
        elif key == ECHO_TRAILING:
            trailing.append((key, value))
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)


def echo_status(status, context):
    if status.code != 0:
        context.abort(CODES.get(status.code, grpc.StatusCode.UNKNOWN), status.message)


def payload(size):
    return messages_pb2.Payload(body=b"\0" * size)


def responses(params, context):
    any_compressed = any(p.compressed.value for p in params)
    if any_compressed:
        context.set_compression(grpc.Compression.Gzip)
    for p in params:
        if p.interval_us:
            time.sleep(p.interval_us / 1e6)
        if any_compressed and not p.compressed.value:
            context.disable_next_message_compression()
        yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))


class TestService(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        echo_metadata(context)
        echo_status(request.response_status, context)
        if request.response_compressed.value:
            context.set_compression(grpc.Compression.Gzip)
        return messages_pb2.SimpleResponse(payload=payload(request.response_size))

    def CacheableUnaryCall(self, request, context):
        return self.UnaryCall(request, context)

    def StreamingOutputCall(self, request, context):
        echo_metadata(context)
        yield from responses(request.response_parameters, context)
        echo_status(request.response_status, context)

    def StreamingInputCall(self, request_iterator, context):
        total = sum(len(r.payload.body) for r in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        for request in request_iterator:
            echo_status(request.response_status, context)
            yield from responses(request.response_parameters, context)

    def HalfDuplexCall(self, request_iterator, context):
        requests = list(request_iterator)
        for request in requests:
            echo_status(request.response_status, context)
            yield from responses(request.response_parameters, context)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--use_tls", default="false")
    parser.add_argument("--tls_cert_file")
    parser.add_argument("--tls_key_file")
    parser.add_argument("--max_seconds", type=float, default=300)
    args = parser.parse_args()

    server = grpc.server(threading_pool(), maximum_concurrent_rpcs=None)
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    address = f"127.0.0.1:{args.port}"
    if args.use_tls == "true":
        with open(args.tls_key_file, "rb") as f:
            key = f.read()
        with open(args.tls_cert_file, "rb") as f:
            cert = f.read()
        port = server.add_secure_port(address, grpc.ssl_server_credentials([(key, cert)]))
    else:
        port = server.add_insecure_port(address)
    server.start()
    print(f"port {port}", flush=True)

    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait(args.max_seconds)
    server.stop(grace=1).wait()


def threading_pool():
    from concurrent import futures

    return futures.ThreadPoolExecutor(max_workers=16)


if __name__ == "__main__":
    main()
