//! Compiles the examples' `.proto` files with protoforge-build, as a user's
//! crate would: one Rust file per package in `OUT_DIR`, included by
//! `protoforge::include_proto!` in `src/lib.rs`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    protoforge_build::compile_protos(
        &[
            "proto/helloworld.proto",
            "proto/route_guide.proto",
            "proto/chat.proto",
            "proto/customers.proto",
            "proto/inventory.proto",
            "proto/orders.proto",
        ],
        &["proto"],
    )?;
    Ok(())
}
