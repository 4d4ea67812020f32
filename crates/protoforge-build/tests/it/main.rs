//! protoforge-build's tests: fixture crates built with cargo
//! (`build_script`), the README's quick start followed to the letter
//! (`readme`), and the builder run in-process (`compile`, `googleapis`).

mod build_script;
mod compile;
mod fixture;
mod googleapis;
mod readme;
