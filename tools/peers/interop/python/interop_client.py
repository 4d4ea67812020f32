"""protoforge's Python interop client: the client side of gRPC's interop
test cases on grpcio, written from gRPC's interop test descriptions.

The message modules are generated at test time with the pinned protoc into a
directory on PYTHONPATH (see interop_server.py).

Flags: --server_host, --server_port, --server_host_override, --use_tls,
--use_test_ca with --ca_file (the test CA, made at test time), and
--test_case, which may list several cases separated by commas. Prints
"PASS case" or "FAIL case: why" per case and exits 1 if any failed.
"""

import argparse
import queue
import sys
import threading
import time

import grpc

from src.proto.grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc

TIMEOUT = 30


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def zeros(n):
    return messages_pb2.Payload(body=b"\0" * n)


def large_request(**fields):
    return messages_pb2.SimpleRequest(response_size=314159, payload=zeros(271828), **fields)


def expect_error(call, code, message=None):
    try:
        result = call()
        if hasattr(result, "__iter__") and not isinstance(result, (bytes, str)):
            for _ in result:
                pass
    except grpc.RpcError as e:
        check(e.code() == code, f"got {e.code()} ({e.details()!r}), want {code}")
        if message is not None:
            check(e.details() == message, f"message {e.details()!r}, want {message!r}")
        return
    raise Failure(f"call succeeded, want {code}")


class Requests:
    """A request iterator fed one message at a time."""

    def __init__(self):
        self._queue = queue.Queue()

    def put(self, message):
        self._queue.put(message)

    def close(self):
        self._queue.put(None)

    def __iter__(self):
        return self

    def __next__(self):
        item = self._queue.get()
        if item is None:
            raise StopIteration
        return item


def empty_unary(stub, channel):
    response = stub.EmptyCall(empty_pb2.Empty(), timeout=TIMEOUT)
    check(response is not None, "no response")


def large_unary(stub, channel):
    response = stub.UnaryCall(large_request(), timeout=TIMEOUT)
    check(len(response.payload.body) == 314159, f"body {len(response.payload.body)} bytes")
    check(response.payload.body == b"\0" * 314159, "body is not zeros")


def client_streaming(stub, channel):
    requests = (
        messages_pb2.StreamingInputCallRequest(payload=zeros(n)) for n in (27182, 8, 1828, 45904)
    )
    response = stub.StreamingInputCall(requests, timeout=TIMEOUT)
    check(response.aggregated_payload_size == 74922, f"aggregate {response.aggregated_payload_size}")


def server_streaming(stub, channel):
    sizes = (31415, 9, 2653, 58979)
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=n) for n in sizes]
    )
    got = [len(r.payload.body) for r in stub.StreamingOutputCall(request, timeout=TIMEOUT)]
    check(got == list(sizes), f"sizes {got}")


def server_compressed_streaming(stub, channel):
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[
            messages_pb2.ResponseParameters(size=31415, compressed=messages_pb2.BoolValue(value=True)),
            messages_pb2.ResponseParameters(size=92653, compressed=messages_pb2.BoolValue(value=False)),
        ]
    )
    got = [len(r.payload.body) for r in stub.StreamingOutputCall(request, timeout=TIMEOUT)]
    check(got == [31415, 92653], f"sizes {got}")


def ping_pong(stub, channel):
    requests = Requests()
    call = stub.FullDuplexCall(requests, timeout=TIMEOUT)
    for size, body in ((31415, 27182), (9, 8), (2653, 1828), (58979, 45904)):
        requests.put(
            messages_pb2.StreamingOutputCallRequest(
                response_parameters=[messages_pb2.ResponseParameters(size=size)], payload=zeros(body)
            )
        )
        response = next(call)
        check(len(response.payload.body) == size, f"got {len(response.payload.body)}, want {size}")
    requests.close()
    check(next(call, None) is None, "extra response after half-close")


def empty_stream(stub, channel):
    got = list(stub.FullDuplexCall(iter([]), timeout=TIMEOUT))
    check(got == [], f"{len(got)} responses")


def custom_metadata(stub, channel):
    metadata = (
        ("x-grpc-test-echo-initial", "test_initial_metadata_value"),
        ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab"),
    )

    def check_metadata(what, call):
        initial = dict(call.initial_metadata())
        trailing = dict(call.trailing_metadata())
        check(
            initial.get("x-grpc-test-echo-initial") == "test_initial_metadata_value",
            f"{what}: initial metadata {initial}",
        )
        check(
            trailing.get("x-grpc-test-echo-trailing-bin") == b"\xab\xab\xab",
            f"{what}: trailing metadata {trailing}",
        )

    response, call = stub.UnaryCall.with_call(large_request(), metadata=metadata, timeout=TIMEOUT)
    check(len(response.payload.body) == 314159, "UnaryCall: wrong size")
    check_metadata("UnaryCall", call)

    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=314159)], payload=zeros(271828)
    )
    call = stub.FullDuplexCall(iter([request]), metadata=metadata, timeout=TIMEOUT)
    got = [len(r.payload.body) for r in call]
    check(got == [314159], f"FullDuplexCall sizes {got}")
    check_metadata("FullDuplexCall", call)


def status_code_and_message(stub, channel):
    message = "test status message"
    status = messages_pb2.EchoStatus(code=2, message=message)
    expect_error(
        lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=TIMEOUT),
        grpc.StatusCode.UNKNOWN,
        message,
    )
    request = messages_pb2.StreamingOutputCallRequest(response_status=status)
    expect_error(
        lambda: stub.FullDuplexCall(iter([request]), timeout=TIMEOUT), grpc.StatusCode.UNKNOWN, message
    )


def special_status_message(stub, channel):
    message = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
    status = messages_pb2.EchoStatus(code=2, message=message)
    expect_error(
        lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=TIMEOUT),
        grpc.StatusCode.UNKNOWN,
        message,
    )


def unimplemented_method(stub, channel):
    expect_error(
        lambda: stub.UnimplementedCall(empty_pb2.Empty(), timeout=TIMEOUT),
        grpc.StatusCode.UNIMPLEMENTED,
    )


def unimplemented_service(stub, channel):
    other = test_pb2_grpc.UnimplementedServiceStub(channel)
    expect_error(
        lambda: other.UnimplementedCall(empty_pb2.Empty(), timeout=TIMEOUT),
        grpc.StatusCode.UNIMPLEMENTED,
    )


def cancel_after_begin(stub, channel):
    requests = Requests()
    future = stub.StreamingInputCall.future(requests, timeout=TIMEOUT)
    time.sleep(0.1)
    future.cancel()
    check(future.cancelled(), "the call was not cancelled")
    try:
        future.result()
    except grpc.FutureCancelledError:
        pass
    else:
        raise Failure("the cancelled call returned a result")
    requests.close()


def cancel_after_first_response(stub, channel):
    requests = Requests()
    call = stub.FullDuplexCall(requests, timeout=TIMEOUT)
    requests.put(
        messages_pb2.StreamingOutputCallRequest(
            response_parameters=[messages_pb2.ResponseParameters(size=31415)], payload=zeros(27182)
        )
    )
    response = next(call)
    check(len(response.payload.body) == 31415, "wrong first response")
    call.cancel()
    check(call.code() == grpc.StatusCode.CANCELLED, f"code {call.code()}")
    requests.close()


def timeout_on_sleeping_server(stub, channel):
    requests = Requests()
    call = stub.FullDuplexCall(requests, timeout=0.001)
    requests.put(messages_pb2.StreamingOutputCallRequest(payload=zeros(27182)))
    try:
        for _ in call:
            pass
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.DEADLINE_EXCEEDED, f"code {e.code()}")
    else:
        raise Failure("the call succeeded")
    finally:
        requests.close()


def client_compressed_unary(stub, channel):
    probe = large_request(expect_compressed=messages_pb2.BoolValue(value=True))
    expect_error(lambda: stub.UnaryCall(probe, timeout=TIMEOUT), grpc.StatusCode.INVALID_ARGUMENT)
    response = stub.UnaryCall(probe, compression=grpc.Compression.Gzip, timeout=TIMEOUT)
    check(len(response.payload.body) == 314159, "compressed call: wrong size")
    plain = large_request(expect_compressed=messages_pb2.BoolValue(value=False))
    response = stub.UnaryCall(plain, timeout=TIMEOUT)
    check(len(response.payload.body) == 314159, "uncompressed call: wrong size")


def server_compressed_unary(stub, channel):
    for compressed in (True, False):
        request = large_request(response_compressed=messages_pb2.BoolValue(value=compressed))
        response = stub.UnaryCall(request, timeout=TIMEOUT)
        check(len(response.payload.body) == 314159, f"compressed={compressed}: wrong size")


def client_compressed_streaming(stub, channel):
    probe = messages_pb2.StreamingInputCallRequest(
        expect_compressed=messages_pb2.BoolValue(value=True), payload=zeros(27182)
    )
    expect_error(
        lambda: stub.StreamingInputCall(iter([probe]), timeout=TIMEOUT),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    # grpcio cannot switch compression off for one message, so the second
    # message (which does not expect compression) is compressed too; the
    # server only checks messages that expect it.
    second = messages_pb2.StreamingInputCallRequest(
        expect_compressed=messages_pb2.BoolValue(value=False), payload=zeros(45904)
    )
    response = stub.StreamingInputCall(
        iter([probe, second]), compression=grpc.Compression.Gzip, timeout=TIMEOUT
    )
    check(response.aggregated_payload_size == 73086, f"aggregate {response.aggregated_payload_size}")


CASES = {
    f.__name__: f
    for f in (
        empty_unary,
        large_unary,
        client_streaming,
        server_streaming,
        ping_pong,
        empty_stream,
        custom_metadata,
        status_code_and_message,
        special_status_message,
        unimplemented_method,
        unimplemented_service,
        cancel_after_begin,
        cancel_after_first_response,
        timeout_on_sleeping_server,
        client_compressed_unary,
        server_compressed_unary,
        client_compressed_streaming,
        server_compressed_streaming,
    )
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--server_host_override")
    parser.add_argument("--test_case", required=True)
    parser.add_argument("--use_tls", default="false")
    parser.add_argument("--use_test_ca", default="false")
    parser.add_argument("--ca_file")
    args = parser.parse_args()

    target = f"{args.server_host}:{args.server_port}"
    options = []
    if args.server_host_override:
        options.append(("grpc.default_authority", args.server_host_override))
    if args.use_tls == "true":
        root = None
        if args.use_test_ca == "true":
            with open(args.ca_file, "rb") as f:
                root = f.read()
        if args.server_host_override:
            options.append(("grpc.ssl_target_name_override", args.server_host_override))
        channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root), options)
    else:
        channel = grpc.insecure_channel(target, options)
    stub = test_pb2_grpc.TestServiceStub(channel)

    failed = 0
    for case in args.test_case.split(","):
        try:
            CASES[case](stub, channel)
            print(f"PASS {case}", flush=True)
        except Exception as e:  # one case's failure must not hide the others
            failed += 1
            print(f"FAIL {case}: {type(e).__name__}: {e}", flush=True)
    channel.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
