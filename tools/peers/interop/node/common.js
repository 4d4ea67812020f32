// Shared by protoforge's Node interop peers: flag parsing and loading the
// interop protos (testdata/interop) dynamically with @grpc/proto-loader.
'use strict';

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function parseFlags(argv) {
  const flags = {};
  for (const arg of argv) {
    const match = /^--([^=]+)=(.*)$/.exec(arg);
    if (match) flags[match[1]] = match[2];
  }
  return flags;
}

function loadTesting(flags) {
  const definition = protoLoader.loadSync(flags.proto_file, {
    includeDirs: [flags.proto_root],
    keepCase: true,
    longs: Number,
    enums: Number,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition).grpc.testing;
}

module.exports = { grpc, parseFlags, loadTesting };
