//! The build script a user writes: compile two files (and what they import)
//! with a few generator options, and write the descriptor set.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    protoforge_build::configure()
        .bytes(".fixture.shop.Order.payload")
        .btree_map(".fixture.shop")
        .type_attribute(".fixture.common.Money", "#[derive(Eq, Hash)]")
        .field_attribute(".fixture.common.Money.currency", "#[doc = \"ISO 4217 code.\"]")
        .file_descriptor_set_path("fixture.binpb")
        .compile(
            &["proto/fixture/shop/order.proto", "proto/loose.proto"],
            &["proto"],
        )?;
    Ok(())
}
