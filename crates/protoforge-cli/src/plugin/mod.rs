//! protoc's plugin protocol: how `--NAME_out` runs `protoc-gen-NAME`.
//!
//! For each output flag protoc sends the plugin a `CodeGeneratorRequest`
//! ([`codec::Request`]) and reads back a `CodeGeneratorResponse`
//! ([`codec::Response`]); the files in the response go into the output
//! location's [`crate::generated::Generated`]. Then protoc refuses the
//! output when the plugin does not declare a feature the inputs need
//! ([`check_features`]): proto3 `optional` fields, editions, and the
//! editions the plugin supports.
//!
//! - [`wire`]: the few protobuf wire-format routines this needs;
//! - [`codec`]: the plugin.proto messages;
//! - [`run`]: starting plugins and talking to them, all at once.

pub(crate) mod codec;
pub(crate) mod json_names;
pub(crate) mod run;
pub(crate) mod wire;

use std::fmt::Write as _;

use codec::{FEATURE_PROTO3_OPTIONAL, FEATURE_SUPPORTS_EDITIONS, Response, Version};

/// The protoc release whose behaviour protoforge follows, as protoc reports
/// it to plugins (`compiler_version`): protobuf 7.35.1, i.e. protoc 35.1.
pub(crate) fn compiler_version() -> Version {
    Version {
        major: 7,
        minor: 35,
        patch: 1,
        suffix: String::new(),
    }
}

/// The line `protoc --version` prints for that release.
pub(crate) const PROTOC_VERSION_LINE: &str = "libprotoc 35.1";

/// Plugins that protoc does not send `json_name` for the files to generate
/// (its former built-in generators).
pub(crate) const PLUGINS_WITHOUT_JSON_NAME: &[&str] = &[
    "protoc-gen-cpp",
    "protoc-gen-java",
    "protoc-gen-mutable_java",
    "protoc-gen-python",
];

/// `EDITION_PROTO3`, `EDITION_2023`.
pub(crate) const EDITION_PROTO3: i32 = 999;
pub(crate) const EDITION_2023: i32 = 1000;

/// What [`check_features`] needs to know about one file to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileFacts {
    /// The import name.
    pub(crate) name: String,
    /// The `Edition` number (998 for proto2, 999 for proto3).
    pub(crate) edition: i32,
    /// Whether a message has a proto3 `optional` field.
    pub(crate) has_proto3_optional: bool,
}

/// Whether a parameter asks for bootstrap mode (protoc's own descriptor
/// code): then the files to generate are sent without source info or
/// `json_name`.
pub(crate) fn is_bootstrap(parameter: &str) -> bool {
    parameter.split(',').any(|part| part == "bootstrap")
}

/// Files protoc never checks against a plugin's editions (its own and the
/// conformance tests').
pub(crate) fn skips_edition_check(name: &str) -> bool {
    [
        "google/protobuf/",
        "upb/",
        "com/google/protobuf/",
        "conformance/test_protos/",
        "test_messages_edition_unstable",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix))
}

/// An edition as protoc names it in messages (`2023`, `PROTO3`; empty for
/// a number that is not an edition).
pub(crate) fn edition_name(edition: i32) -> &'static str {
    crate::config::protoc::EDITIONS
        .iter()
        .find(|(_, number)| *number == edition)
        .map_or("", |(name, _)| name)
}

/// protoc's checks of a response against the files to generate
/// (`EnforceProto3OptionalSupport`, then `EnforceEditionsSupport`). The
/// messages are written to `stderr` exactly as protoc writes them (the
/// editions ones without a final newline); the result is whether the output
/// may be kept.
pub(crate) fn check_features(
    plugin: &str,
    response: &Response,
    files: &[FileFacts],
    experimental_editions: bool,
    stderr: &mut String,
) -> bool {
    let features = response.supported_features;
    let mut ok = true;
    if features & FEATURE_PROTO3_OPTIONAL == 0 {
        if let Some(file) = files
            .iter()
            .find(|f| f.edition == EDITION_PROTO3 && f.has_proto3_optional)
        {
            let _ = writeln!(
                stderr,
                "{}: is a proto3 file that contains optional fields, but code generator {plugin} \
                 hasn't been updated to support optional fields in proto3. Please ask the owner of \
                 this code generator to support proto3 optional.",
                file.name
            );
            ok = false;
        }
    }
    if experimental_editions {
        return ok;
    }
    for file in files {
        if file.edition < EDITION_2023 || skips_edition_check(&file.name) {
            continue;
        }
        let name = &file.name;
        let edition = edition_name(file.edition);
        if features & FEATURE_SUPPORTS_EDITIONS == 0 {
            let _ = write!(
                stderr,
                "{name}: is an editions file, but code generator {plugin} hasn't been updated to \
                 support editions yet.  Please ask the owner of this code generator to add support \
                 or switch back to proto2/proto3.\n\nSee \
                 https://protobuf.dev/editions/overview/ for more information."
            );
            return false;
        }
        if file.edition < response.minimum_edition {
            let minimum = edition_name(response.minimum_edition);
            let _ = write!(
                stderr,
                "{name}: is a file using edition {edition}, which isn't supported by code \
                 generator {plugin}.  Please upgrade your file to at least edition {minimum}."
            );
            return false;
        }
        if file.edition > response.maximum_edition {
            let maximum = edition_name(response.maximum_edition);
            let _ = write!(
                stderr,
                "{name}: is a file using edition {edition}, which isn't supported by code \
                 generator {plugin}.  Please ask the owner of this code generator to add support \
                 or switch back to a maximum of edition {maximum}."
            );
            return false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(name: &str, edition: i32, optional: bool) -> FileFacts {
        FileFacts {
            name: name.into(),
            edition,
            has_proto3_optional: optional,
        }
    }

    fn check(response: Response, files: &[FileFacts]) -> (bool, String) {
        let mut stderr = String::new();
        let ok = check_features("protoc-gen-x", &response, files, false, &mut stderr);
        (ok, stderr)
    }

    #[test]
    fn proto3_optional_needs_the_feature() {
        let files = [facts("a.proto", EDITION_PROTO3, true)];
        let (ok, stderr) = check(Response::default(), &files);
        assert!(!ok);
        assert!(stderr.starts_with("a.proto: is a proto3 file that contains optional fields"));
        assert!(stderr.ends_with("support proto3 optional.\n"));
        let with = Response {
            supported_features: FEATURE_PROTO3_OPTIONAL,
            ..Response::default()
        };
        assert_eq!(check(with, &files), (true, String::new()));
    }

    #[test]
    fn editions_window() {
        let files = [facts("e.proto", 1001, false)];
        let response = Response {
            supported_features: FEATURE_SUPPORTS_EDITIONS,
            minimum_edition: 998,
            maximum_edition: 1000,
            ..Response::default()
        };
        assert_eq!(
            check(response.clone(), &files).1,
            "e.proto: is a file using edition 2024, which isn't supported by code generator \
             protoc-gen-x.  Please ask the owner of this code generator to add support or switch \
             back to a maximum of edition 2023."
        );
        let unknown = Response {
            maximum_edition: 950,
            ..response.clone()
        };
        assert!(check(unknown, &files).1.ends_with("maximum of edition ."));
        // protoc's own files are never checked.
        let own = [facts("google/protobuf/x.proto", 1001, false)];
        assert_eq!(check(Response::default(), &own), (true, String::new()));
    }
}
