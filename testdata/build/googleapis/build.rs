//! Generates every googleapis file bundled in protoforge-build, by import
//! name, with no include path of its own: nothing is vendored.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let names: Vec<&str> = protoforge_build::googleapis::FILES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    protoforge_build::compile_protos(&names, &[] as &[&str])?;
    Ok(())
}
