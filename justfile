# One-line wrappers over cargo; the logic lives in xtask/ and the crates.

# Every test, installing the pinned peers first (what CI runs).
test:
    cargo xtask test

# The main job end to end on the bundled inputs.
demo:
    cargo xtask demo

# Install the pinned real peers into target/peers/venv.
peers:
    cargo xtask peers

# Parse throughput over the corpus.
bench:
    cargo bench -p protoforge-syntax --bench parse

# Formatting and lints, as CI would want them.
lint:
    cargo fmt --all -- --check && cargo clippy --workspace --all-targets -- -D warnings
