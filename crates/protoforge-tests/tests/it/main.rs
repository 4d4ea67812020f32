//! Behaviour tests of the code protoforge generates for protobuf's own test
//! protos and the conformance protos.
