// protoforge's Node interop server: grpc.testing.TestService on
// @grpc/grpc-js, written from gRPC's interop test descriptions ("Server").
//
// Flags: --port (0 picks a free port), --use_tls, --tls_cert_file,
// --tls_key_file, --proto_file and --proto_root (the interop protos).
// Prints "port N" once listening; exits when stdin closes or after
// --max_seconds, so it never outlives the test that started it.
//
// grpc-js servers cannot compress responses nor tell whether a request
// arrived compressed, so CompressedResponse and CompressedRequest are not
// implemented here.
'use strict';

const fs = require('fs');
const { grpc, parseFlags, loadTesting } = require('./common');

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

function echoMetadata(call) {
  const initial = call.metadata.get(ECHO_INITIAL);
  if (initial.length > 0) {
    const md = new grpc.Metadata();
    md.set(ECHO_INITIAL, initial[0]);
    call.sendMetadata(md);
  }
  const trailer = new grpc.Metadata();
  const trailing = call.metadata.get(ECHO_TRAILING);
  if (trailing.length > 0) trailer.set(ECHO_TRAILING, trailing[0]);
  return trailer;
}

function statusError(status, trailer) {
  if (status && status.code) {
    return { code: status.code, details: status.message, metadata: trailer };
  }
  return null;
}

function payload(size) {
  return { type: 0, body: Buffer.alloc(size) };
}

const sleep = (us) => new Promise((resolve) => setTimeout(resolve, us / 1000));

function write(call, message) {
  return new Promise((resolve) => {
    if (call.write(message)) resolve();
    else call.once('drain', resolve);
  });
}

async function sendResponses(call, params) {
  for (const p of params) {
    if (p.interval_us) await sleep(p.interval_us);
    await write(call, { payload: payload(p.size) });
  }
}

const service = {
  EmptyCall(call, callback) {
    callback(null, {});
  },
  UnaryCall(call, callback) {
    const trailer = echoMetadata(call);
    const error = statusError(call.request.response_status, trailer);
    if (error) return callback(error);
    callback(null, { payload: payload(call.request.response_size) }, trailer);
  },
  CacheableUnaryCall(call, callback) {
    service.UnaryCall(call, callback);
  },
  async StreamingOutputCall(call) {
    const trailer = echoMetadata(call);
    await sendResponses(call, call.request.response_parameters);
    const error = statusError(call.request.response_status, trailer);
    if (error) return call.emit('error', error);
    call.end(trailer);
  },
  StreamingInputCall(call, callback) {
    let total = 0;
    call.on('data', (request) => {
      total += request.payload ? request.payload.body.length : 0;
    });
    call.on('end', () => callback(null, { aggregated_payload_size: total }));
    call.on('error', () => {});
  },
  async FullDuplexCall(call) {
    const trailer = echoMetadata(call);
    try {
      for await (const request of call.iterator({ destroyOnReturn: false })) {
        const error = statusError(request.response_status, trailer);
        if (error) return call.emit('error', error);
        await sendResponses(call, request.response_parameters);
      }
    } catch (e) {
      return; // cancelled by the client
    }
    call.end(trailer);
  },
  async HalfDuplexCall(call) {
    const requests = [];
    try {
      for await (const request of call.iterator({ destroyOnReturn: false })) requests.push(request);
    } catch (e) {
      return;
    }
    for (const request of requests) {
      const error = statusError(request.response_status, new grpc.Metadata());
      if (error) return call.emit('error', error);
      await sendResponses(call, request.response_parameters);
    }
    call.end();
  },
};

function main() {
  const flags = parseFlags(process.argv.slice(2));
  const testing = loadTesting(flags);
  const server = new grpc.Server();
  server.addService(testing.TestService.service, service);
  let credentials = grpc.ServerCredentials.createInsecure();
  if (flags.use_tls === 'true') {
    credentials = grpc.ServerCredentials.createSsl(null, [
      {
        cert_chain: fs.readFileSync(flags.tls_cert_file),
        private_key: fs.readFileSync(flags.tls_key_file),
      },
    ]);
  }
  server.bindAsync(`127.0.0.1:${flags.port || 0}`, credentials, (error, port) => {
    if (error) {
      console.error(`bind failed: ${error.message}`);
      process.exit(1);
    }
    console.log(`port ${port}`);
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  setTimeout(stop, 1000 * Number(flags.max_seconds || 300)).unref();
}

main();
