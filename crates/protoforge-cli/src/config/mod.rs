//! The command line, parsed into plain data.
//!
//! protoforge understands two command-line grammars:
//!
//! - subcommands (`protoforge check …`, `protoforge debug ast …`), described
//!   with clap in [`subcommand`];
//! - protoc's own command line (`protoforge -I src -o out.pb a.proto`,
//!   `protoforge --es_out=gen a.proto`), parsed flag by flag exactly as protoc
//!   parses it, in [`protoc`].
//!
//! [`Invocation::from_args`] picks one by the first argument: a subcommand
//! name selects the subcommand grammar, anything else (a flag, a file, or
//! nothing) is a protoc command line. A file that happens to be called
//! `check` is still reachable as `./check`.
//!
//! Nothing here acts: parsing yields a [`subcommand::Config`] or a
//! [`protoc::Parsed`], and the few facts protoc's parser takes from the file
//! system (does an `-I` directory exist, what does an `@argfile` hold) come
//! through the [`protoc::Host`] trait, so the same arguments and the same host
//! always give the same result.

use std::ffi::OsString;

pub(crate) mod protoc;
pub(crate) mod subcommand;

pub(crate) use subcommand::{Command, Config, ErrorFormat, Lookup};

/// The first arguments that select the subcommand grammar.
pub(crate) const SUBCOMMANDS: &[&str] = &["check", "debug"];

/// What the command line asked for, in whichever grammar it was written.
#[derive(Debug)]
pub(crate) enum Invocation {
    /// `protoforge check …` or `protoforge debug …`: clap's result (its
    /// error is a usage error, or a `--help`/`--version` request).
    Subcommand(Result<Config, clap::Error>),
    /// A protoc command line.
    Protoc(protoc::Parsed),
}

impl Invocation {
    /// Parses the process arguments, program name first.
    pub(crate) fn from_args(args: Vec<OsString>, host: &dyn protoc::Host) -> Invocation {
        let first = args.get(1).and_then(|arg| arg.to_str());
        if first.is_some_and(|first| SUBCOMMANDS.contains(&first)) {
            Invocation::Subcommand(Config::from_args(args))
        } else {
            Invocation::Protoc(protoc::parse(args, host))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoFiles;

    impl protoc::Host for NoFiles {
        fn exists(&self, _path: &str) -> bool {
            false
        }
        fn read_argfile(&self, _path: &str) -> Option<Vec<u8>> {
            None
        }
    }

    fn invocation(args: &[&str]) -> Invocation {
        let args = std::iter::once("protoforge")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        Invocation::from_args(args, &NoFiles)
    }

    #[test]
    fn the_first_argument_picks_the_grammar() {
        assert!(matches!(
            invocation(&["check", "a.proto"]),
            Invocation::Subcommand(Ok(_))
        ));
        assert!(matches!(
            invocation(&["debug", "ast", "a.proto"]),
            Invocation::Subcommand(Ok(_))
        ));
        // A subcommand name later on is an input file of a protoc command line.
        for args in [
            &["-o", "out.pb", "check"][..],
            &["./check", "-o", "x"],
            &["--version"],
            &[],
        ] {
            assert!(
                matches!(invocation(args), Invocation::Protoc(_)),
                "{args:?}"
            );
        }
    }
}
