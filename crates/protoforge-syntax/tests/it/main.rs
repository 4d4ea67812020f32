//! The single integration-test binary of protoforge-syntax; each module is one area.

mod ok;
