//! The single integration-test binary of protoforge; each module is one area.

mod codec;
mod dump;
mod fuzz;
#[allow(unreachable_pub, dead_code)]
mod generated;
mod python;
mod rng;
mod wkt;
