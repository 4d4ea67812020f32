// protoforge's Node interop client: the client side of gRPC's interop test
// cases on @grpc/grpc-js, written from gRPC's interop test descriptions.
//
// Flags: --server_host, --server_port, --server_host_override, --use_tls,
// --use_test_ca with --ca_file (the test CA, made at test time),
// --proto_file and --proto_root, and --test_case, which may list several
// cases separated by commas. Prints "PASS case" or "FAIL case: why" per
// case and exits 1 if any failed.
'use strict';

const fs = require('fs');
const { grpc, parseFlags, loadTesting } = require('./common');

const TIMEOUT_MS = 30000;
const deadline = () => Date.now() + TIMEOUT_MS;
const zeros = (n) => ({ type: 0, body: Buffer.alloc(n) });
const largeRequest = (extra) =>
  Object.assign({ response_size: 314159, payload: zeros(271828) }, extra || {});

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// A unary call as a promise of { response, metadata, trailers } or a rejection
// with the call's error.
function unary(client, method, request, metadata, options) {
  return new Promise((resolve, reject) => {
    let initial = null;
    const call = client[method](
      request,
      metadata || new grpc.Metadata(),
      Object.assign({ deadline: deadline() }, options || {}),
      (error, response) => {
        if (error) reject(error);
        else call.once('status', (status) => resolve({ response, initial, trailers: status.metadata }));
      },
    );
    call.on('metadata', (md) => {
      initial = md;
    });
  });
}

// Reads a response stream one message at a time: next() resolves to a
// message, to null at the end, or rejects with the call's error.
function reader(call) {
  const items = [];
  const waiters = [];
  let end = null;
  let error = null;
  call.on('data', (d) => {
    if (waiters.length) waiters.shift().resolve(d);
    else items.push(d);
  });
  call.on('error', (e) => {
    error = e;
    while (waiters.length) waiters.shift().reject(e);
  });
  call.on('status', (status) => {
    end = status;
    if (status.code === grpc.status.OK) while (waiters.length) waiters.shift().resolve(null);
  });
  return {
    next() {
      return new Promise((resolve, reject) => {
        if (items.length) resolve(items.shift());
        else if (error) reject(error);
        else if (end && end.code === grpc.status.OK) resolve(null);
        else waiters.push({ resolve, reject });
      });
    },
    status() {
      return end;
    },
  };
}

async function expectError(promise, code, message) {
  try {
    await promise;
  } catch (e) {
    check(e.code === code, `got code ${e.code} (${JSON.stringify(e.details)}), want ${code}`);
    if (message !== undefined) {
      check(e.details === message, `message ${JSON.stringify(e.details)}, want ${JSON.stringify(message)}`);
    }
    return;
  }
  throw new Error(`call succeeded, want code ${code}`);
}

async function drain(call) {
  const r = reader(call);
  const got = [];
  for (;;) {
    const m = await r.next();
    if (m === null) return { got, status: r.status() };
    got.push(m);
  }
}

const cases = {
  async empty_unary(c) {
    const { response } = await unary(c.stub, 'EmptyCall', {});
    check(response !== null && response !== undefined, 'no response');
  },
  async large_unary(c) {
    const { response } = await unary(c.stub, 'UnaryCall', largeRequest());
    check(response.payload.body.length === 314159, `body ${response.payload.body.length} bytes`);
    check(response.payload.body.every((b) => b === 0), 'body is not zeros');
  },
  async client_streaming(c) {
    const result = await new Promise((resolve, reject) => {
      const call = c.stub.StreamingInputCall({ deadline: deadline() }, (e, r) => (e ? reject(e) : resolve(r)));
      for (const n of [27182, 8, 1828, 45904]) call.write({ payload: zeros(n) });
      call.end();
    });
    check(result.aggregated_payload_size === 74922, `aggregate ${result.aggregated_payload_size}`);
  },
  async server_streaming(c) {
    const sizes = [31415, 9, 2653, 58979];
    const call = c.stub.StreamingOutputCall(
      { response_parameters: sizes.map((size) => ({ size })) },
      { deadline: deadline() },
    );
    const { got } = await drain(call);
    check(JSON.stringify(got.map((m) => m.payload.body.length)) === JSON.stringify(sizes), 'wrong sizes');
  },
  async server_compressed_streaming(c) {
    const call = c.stub.StreamingOutputCall(
      {
        response_parameters: [
          { size: 31415, compressed: { value: true } },
          { size: 92653, compressed: { value: false } },
        ],
      },
      { deadline: deadline() },
    );
    const { got } = await drain(call);
    const sizes = got.map((m) => m.payload.body.length);
    check(JSON.stringify(sizes) === '[31415,92653]', `sizes ${sizes}`);
  },
  async ping_pong(c) {
    const call = c.stub.FullDuplexCall({ deadline: deadline() });
    const r = reader(call);
    for (const [size, body] of [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]]) {
      call.write({ response_parameters: [{ size }], payload: zeros(body) });
      const m = await r.next();
      check(m !== null, `stream ended before the response of size ${size}`);
      check(m.payload.body.length === size, `got ${m.payload.body.length}, want ${size}`);
    }
    call.end();
    check((await r.next()) === null, 'extra response after half-close');
  },
  async empty_stream(c) {
    const call = c.stub.FullDuplexCall({ deadline: deadline() });
    call.end();
    const { got } = await drain(call);
    check(got.length === 0, `${got.length} responses`);
  },
  async custom_metadata(c) {
    const md = new grpc.Metadata();
    md.set('x-grpc-test-echo-initial', 'test_initial_metadata_value');
    md.set('x-grpc-test-echo-trailing-bin', Buffer.from([0xab, 0xab, 0xab]));
    const checkMd = (what, initial, trailers) => {
      check(
        initial && initial.get('x-grpc-test-echo-initial')[0] === 'test_initial_metadata_value',
        `${what}: initial metadata ${JSON.stringify(initial && initial.getMap())}`,
      );
      const t = trailers && trailers.get('x-grpc-test-echo-trailing-bin')[0];
      check(t && Buffer.compare(t, Buffer.from([0xab, 0xab, 0xab])) === 0, `${what}: trailing metadata`);
    };
    const u = await unary(c.stub, 'UnaryCall', largeRequest(), md);
    check(u.response.payload.body.length === 314159, 'UnaryCall: wrong size');
    checkMd('UnaryCall', u.initial, u.trailers);

    const call = c.stub.FullDuplexCall(md, { deadline: deadline() });
    let initial = null;
    call.on('metadata', (m) => {
      initial = m;
    });
    call.write({ response_parameters: [{ size: 314159 }], payload: zeros(271828) });
    call.end();
    const { got, status } = await drain(call);
    check(got.length === 1 && got[0].payload.body.length === 314159, 'FullDuplexCall: wrong responses');
    checkMd('FullDuplexCall', initial, status.metadata);
  },
  async status_code_and_message(c) {
    const message = 'test status message';
    const status = { code: 2, message };
    await expectError(unary(c.stub, 'UnaryCall', { response_status: status }), grpc.status.UNKNOWN, message);
    const call = c.stub.FullDuplexCall({ deadline: deadline() });
    call.write({ response_status: status });
    call.end();
    await expectError(drain(call), grpc.status.UNKNOWN, message);
  },
  async special_status_message(c) {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \u{1f608}\t\n';
    await expectError(
      unary(c.stub, 'UnaryCall', { response_status: { code: 2, message } }),
      grpc.status.UNKNOWN,
      message,
    );
  },
  async unimplemented_method(c) {
    await expectError(unary(c.stub, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },
  async unimplemented_service(c) {
    await expectError(unary(c.unimplemented, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },
  async cancel_after_begin(c) {
    const done = new Promise((resolve) => {
      const call = c.stub.StreamingInputCall({ deadline: deadline() }, (e) => resolve(e));
      setTimeout(() => call.cancel(), 100);
    });
    const error = await done;
    check(error && error.code === grpc.status.CANCELLED, `error ${error && error.code}`);
  },
  async cancel_after_first_response(c) {
    const call = c.stub.FullDuplexCall({ deadline: deadline() });
    const r = reader(call);
    call.write({ response_parameters: [{ size: 31415 }], payload: zeros(27182) });
    const first = await r.next();
    check(first && first.payload.body.length === 31415, 'wrong first response');
    call.cancel();
    await expectError(r.next(), grpc.status.CANCELLED);
  },
  async timeout_on_sleeping_server(c) {
    const call = c.stub.FullDuplexCall({ deadline: Date.now() + 1 });
    call.write({ payload: zeros(27182) });
    await expectError(drain(call), grpc.status.DEADLINE_EXCEEDED);
  },
  async client_compressed_unary(c) {
    const probe = largeRequest({ expect_compressed: { value: true } });
    await expectError(unary(c.stub, 'UnaryCall', probe), grpc.status.INVALID_ARGUMENT);
    const compressed = await unary(c.gzip, 'UnaryCall', probe);
    check(compressed.response.payload.body.length === 314159, 'compressed call: wrong size');
    const plain = await unary(c.stub, 'UnaryCall', largeRequest({ expect_compressed: { value: false } }));
    check(plain.response.payload.body.length === 314159, 'uncompressed call: wrong size');
  },
  async server_compressed_unary(c) {
    for (const value of [true, false]) {
      const { response } = await unary(c.stub, 'UnaryCall', largeRequest({ response_compressed: { value } }));
      check(response.payload.body.length === 314159, `compressed=${value}: wrong size`);
    }
  },
  async client_compressed_streaming(c) {
    const probe = { expect_compressed: { value: true }, payload: zeros(27182) };
    const stream = (stub, messages) =>
      new Promise((resolve, reject) => {
        const call = stub.StreamingInputCall({ deadline: deadline() }, (e, r) => (e ? reject(e) : resolve(r)));
        for (const m of messages) call.write(m);
        call.end();
      });
    await expectError(stream(c.stub, [probe]), grpc.status.INVALID_ARGUMENT);
    // A grpc-js channel compresses every message once compression is on, so
    // the second message (which does not expect compression) is compressed
    // too; the server only checks messages that expect it.
    const result = await stream(c.gzip, [probe, { expect_compressed: { value: false }, payload: zeros(45904) }]);
    check(result.aggregated_payload_size === 73086, `aggregate ${result.aggregated_payload_size}`);
  },
};

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const testing = loadTesting(flags);
  const target = `${flags.server_host || '127.0.0.1'}:${flags.server_port}`;
  const options = {};
  let credentials = grpc.credentials.createInsecure();
  if (flags.server_host_override) options['grpc.default_authority'] = flags.server_host_override;
  if (flags.use_tls === 'true') {
    const root = flags.use_test_ca === 'true' ? fs.readFileSync(flags.ca_file) : null;
    credentials = grpc.credentials.createSsl(root);
    if (flags.server_host_override) options['grpc.ssl_target_name_override'] = flags.server_host_override;
  }
  const c = {
    stub: new testing.TestService(target, credentials, options),
    unimplemented: new testing.UnimplementedService(target, credentials, options),
    gzip: new testing.TestService(
      target,
      credentials,
      Object.assign({ 'grpc.default_compression_algorithm': 2 }, options),
    ),
  };
  let failed = 0;
  for (const name of flags.test_case.split(',')) {
    try {
      const run = cases[name];
      if (!run) throw new Error('unknown case');
      await run(c);
      console.log(`PASS ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`.replace(/\n/g, ' '));
    }
  }
  for (const client of Object.values(c)) client.close();
  process.exit(failed ? 1 : 0);
}

main();
