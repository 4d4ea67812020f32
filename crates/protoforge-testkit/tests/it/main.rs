//! The single integration-test binary of protoforge-testkit: workspace-wide
//! tidy rules, and checks of the testkit's own fixture and protoc helpers.

mod fixture;
mod tidy;
