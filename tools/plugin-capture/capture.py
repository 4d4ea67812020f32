#!/usr/bin/env python3
"""A protoc plugin for protoforge's tests: it records what it is sent and
answers with bytes the test chose, so a test can run the same plugin under
protoc and under protoforge and compare both the requests and what each
compiler does with the same response.

Everything is controlled by environment variables (a test writes a tiny
wrapper script per plugin name that sets them and execs this file):

- PROTOFORGE_CAPTURE_DIR: if set, the raw CodeGeneratorRequest read from
  stdin is written to $PROTOFORGE_CAPTURE_DIR/$PROTOFORGE_CAPTURE_NAME.bin
  (name defaults to "request").
- PROTOFORGE_CAPTURE_RESPONSE: if set, the bytes of this file are written to
  stdout as the CodeGeneratorResponse; otherwise the response is empty (no
  files, no error, no features).
- PROTOFORGE_CAPTURE_EXIT: if set, the process exits with this status after
  answering.
"""

import os
import sys


def main() -> int:
    request = sys.stdin.buffer.read()
    out_dir = os.environ.get("PROTOFORGE_CAPTURE_DIR")
    if out_dir:
        name = os.environ.get("PROTOFORGE_CAPTURE_NAME", "request")
        with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
            f.write(request)
    response_path = os.environ.get("PROTOFORGE_CAPTURE_RESPONSE")
    if response_path:
        with open(response_path, "rb") as f:
            sys.stdout.buffer.write(f.read())
    sys.stdout.buffer.flush()
    return int(os.environ.get("PROTOFORGE_CAPTURE_EXIT", "0"))


if __name__ == "__main__":
    sys.exit(main())
