//! The single integration-test binary of protoforge; each module is one area.
