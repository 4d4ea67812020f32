//! Workspace-wide rules, checked as ordinary tests.

mod tidy;
