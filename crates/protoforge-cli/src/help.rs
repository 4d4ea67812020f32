//! The texts of `--help`, `--version` and `--notices` for the protoc
//! command line.
//!
//! The flags are protoc's, so the help lists them in protoc's order and
//! layout (people compare the two), in our own words, followed by what
//! protoforge adds and by its subcommands.

use crate::plugin::PROTOC_VERSION_LINE;

/// The help text; `program` is `argv[0]`, as protoc shows it.
pub(crate) fn help(program: &str) -> String {
    format!(
        "Usage: {program} [OPTION] PROTO_FILES
Parse PROTO_FILES and generate output based on the options given:
  -IPATH, --proto_path=PATH   Add a directory to search for imports and for
                              PROTO_FILES given by import name. May be given
                              more than once, and PATH may be a ':'-separated
                              list; directories are searched in order. An
                              entry VIRTUAL=DIR serves the files of DIR under
                              the import prefix VIRTUAL. Without -I (and
                              without --descriptor_set_in) the current
                              directory is searched. The google/protobuf
                              files are built in and never need -I.
  --version                   Print the version and exit.
  -h, --help                  Print this text and exit.
  --encode=MESSAGE_TYPE       Read a text-format message of the given type
                              from stdin and write it in binary to stdout.
                              The type must be defined in PROTO_FILES, their
                              imports or the --descriptor_set_in files.
  --deterministic_output      With --encode, write map entries in a stable
                              order.
  --unsafe_allow_out_dir_escape
                              Let plugins write files whose names contain
                              \"..\", which may land outside the output
                              directory.
  --decode=MESSAGE_TYPE       Read a binary message of the given type from
                              stdin and write it in text format to stdout.
  --decode_raw                Read any binary message from stdin and write
                              its fields by number to stdout. No PROTO_FILES.
  --descriptor_set_in=FILES   A ':'-separated list of FileDescriptorSet
                              files. PROTO_FILES and their imports are taken
                              from them when no -I directory has them; with
                              no -I at all, only from them. A file in several
                              sets is taken from the first.
  -oFILE,                     Write a FileDescriptorSet with the input files
    --descriptor_set_out=FILE to FILE.
  --include_imports           With -o, also write every file the inputs
                              import, directly or not, so that the set stands
                              alone.
  --include_source_info       With -o, keep SourceCodeInfo (the position and
                              comments of every declaration).
  --retain_options            With -o, keep options declared with source
                              retention, which are normally removed.
  --dependency_out=FILE       Write a Makefile rule to FILE: the outputs
                              depend on the input and every file it imports.
  --error_format=FORMAT       How to print problems: 'gcc' (the default,
                              file:line:column: message), 'msvs' (Visual
                              Studio), 'rich' (with the source line and a
                              caret) or 'json' (one JSON object per line).
  --fatal_warnings            Exit with a failure status when there is a
                              warning, as if it were an error.
  --print_free_field_numbers  For each message of PROTO_FILES, print the field
                              numbers not taken by a field, an extension range
                              or a reserved range.
  --enable_codegen_trace      Ask plugins to trace which code produced which
                              output (sets PROTOC_CODEGEN_TRACE=yes for them).
  --direct_dependencies       A ':'-separated list of the only files the
                              inputs may import.
  --option_dependencies       A ':'-separated list of the only files the
                              inputs may import with 'import option'.
  --notices                   Print the licence notices and exit.
  --plugin=EXECUTABLE         A plugin to run for --NAME_out. By default
                              --NAME_out runs protoc-gen-NAME found in PATH;
                              EXECUTABLE is a path, and its file name is the
                              plugin's name, or NAME=PATH to give the name.
  --NAME_out=[PARAMS:]OUT     Run the plugin protoc-gen-NAME and write what it
                              generates to the directory OUT (which must
                              exist), or into the archive OUT if it ends in
                              .zip, .jar or .srcjar. PARAMS is passed to the
                              plugin.
  --NAME_opt=PARAMS           More parameters for protoc-gen-NAME, appended
                              after a ',' to those of --NAME_out.
  @<filename>                 Read more arguments from a file, one per line,
                              in place of this one. The file is opened
                              relative to the working directory, never
                              searched in -I. Lines are taken as they are:
                              no quotes, escapes or wildcards, and a line
                              with spaces is one argument.

Beyond protoc:
  --allow=ID[,ID...]          Do not report warnings of kind ID (the name
                              shown by --error_format=rich, such as
                              unused-import). May be given more than once.
                              Errors cannot be switched off.
  PROTO_FILES                 may also be directories (every .proto file
                              under them, in sorted order) or glob patterns
                              (*, ?, [abc] and ** for any number of
                              directories), for shells that do not expand
                              them or when quoted.

Subcommands (when the first argument is one of them):
  {program} check [-I DIR]... FILE...        Parse FILE and report problems.
  {program} debug ast [-I DIR]... FILE       Print the syntax tree of FILE.
  Run '{program} check --help' for their options.
"
    )
}

/// What `--version` prints: our version, then the protoc release whose
/// behaviour we follow, in protoc's own words so that scripts checking
/// `protoc --version` keep working.
pub(crate) fn version() -> String {
    format!(
        "protoforge {}\n{PROTOC_VERSION_LINE}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// What `--notices` prints.
pub(crate) fn notices() -> String {
    format!(
        "protoforge {} is licensed under the MIT license or the Apache License, Version 2.0, \
         at your option.\nIt contains no code from protoc; it follows protoc's documented and \
         observed behaviour.\n",
        env!("CARGO_PKG_VERSION")
    )
}
