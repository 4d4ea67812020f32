//! The Rust `protoforge-codegen` should emit for `testdata/runtime/*.proto`,
//! written by hand (see `docs/generated-code.md`): one module per package,
//! nested packages as nested modules.

/// Package `pf`.
pub mod pf {
    pub mod ed;
    pub mod test2;
    pub mod test3;
}
