//! The protoc command line, differentially: for each malformed or
//! contradictory command line, protoforge must print protoc's message on
//! stderr and exit with protoc's status. Both run in the same scratch
//! directory, which holds a valid `a.proto`, a directory `inc`, and the
//! argument files some cases read.

use crate::support::{Run, protoc, protoforge, protoforge_as_protoc, scratch, write_files};

const FILES: &[(&str, &str)] = &[
    ("a.proto", "syntax = \"proto3\";\nmessage A {}\n"),
    ("inc/b.proto", "syntax = \"proto3\";\nmessage B {}\n"),
    ("args-missing-value.txt", "-o\n"),
    ("args-empty-line.txt", "a.proto\n\n-o\nout.pb\n"),
    (
        "args-warn.txt",
        "-Inot-there\n--foo_opt=x\n-o\nout.pb\na.proto\n",
    ),
];

/// Command lines protoc refuses before compiling anything.
const REFUSED: &[&[&str]] = &[
    &["a.proto"],
    &["-o", "out.pb"],
    &["--foo"],
    &["--foo=1", "a.proto"],
    &["-o"],
    &["-o", "-I."],
    &["--decode"],
    &["-x"],
    &["-xfoo", "a.proto"],
    &["--x_out"],
    &["-o", "x", "-o", "y", "a.proto"],
    &["--descriptor_set_out=", "a.proto"],
    &["--dependency_out=", "a.proto"],
    &["--descriptor_set_in=", "a.proto"],
    &["--foo_opt=a", "-o", "o", "a.proto"],
    &["--foo_opt=a", "--bar_opt=b", "-o", "o", "a.proto"],
    &["--cpp_opt=x", "a.proto"],
    &["--plugin=protoc-gen-x=/bin/true", "--x_opt=1", "a.proto"],
    &["--error_format=vs", "a.proto"],
    &["--error_format", "gcc", "a.proto"],
    &["--include_imports", "--include_imports", "a.proto"],
    &["--include_source_info", "--include_source_info"],
    &["--retain_options", "--retain_options"],
    &["--fatal_warnings", "--fatal_warnings"],
    &["--dependency_out=d", "-o", "o", "a.proto", "inc/b.proto"],
    &["--dependency_out=d", "--dependency_out=e"],
    &["--descriptor_set_in=a", "--dependency_out=d"],
    &["--dependency_out=d", "--descriptor_set_in=a"],
    &["--descriptor_set_in=a", "--descriptor_set_in=b"],
    &["--direct_dependencies=a", "--direct_dependencies=b"],
    &["--option_dependencies=a", "--option_dependencies=b"],
    &["--decode_raw=x"],
    &["--decode_raw", "a.proto"],
    &["--decode_raw", "--descriptor_set_in=x"],
    &["--encode=X", "--decode=Y"],
    &["--foo_out=.", "--encode=X"],
    &["-o", "x", "--decode=X"],
    &["--encode=X", "--foo_out=."],
    &["--encode="],
    &["--decode="],
    &["--encode=X"],
    &["--deterministic_output", "-o", "x", "a.proto"],
    &[
        "--print_free_field_numbers",
        "--dependency_out=d",
        "a.proto",
    ],
    &["--print_free_field_numbers"],
    &["--print_free_field_numbers", "-o", "x"],
    &["-o", "x", "--print_free_field_numbers"],
    &["--foo_out=x", "--print_free_field_numbers"],
    &["--print_free_field_numbers", "--foo_out=x"],
    &["--print_free_field_numbers", "--encode=X"],
    &["--edition_defaults_out=x", "--edition_defaults_out=y"],
    &["--edition_defaults_out="],
    &["--decode=X", "--edition_defaults_out=y"],
    &["--edition_defaults_minimum=2025"],
    &[
        "--edition_defaults_maximum=2023",
        "--edition_defaults_maximum=2024",
    ],
    &[
        "--edition_defaults_minimum=UNKNOWN",
        "--edition_defaults_minimum=2023",
    ],
    &["-Iv=", "a.proto"],
    &["-I", "a::=b"],
    &["-Inot-there", "-o", "o"],
    &["-Inot-there:also-not", "--proto_path=inc", "a.proto"],
    &["--proto_path"],
    &[""],
    &["a.proto", ""],
    &["@missing.txt"],
    &["@"],
    &["@args-missing-value.txt"],
    &["@args-empty-line.txt"],
    &["@args-warn.txt"],
    &["-o", "out.pb", "@args-missing-value.txt"],
];

#[test]
fn usage_errors_match_protoc() {
    let dir = scratch("protoc-usage");
    write_files(&dir, FILES);
    let mut differences = Vec::new();
    for args in REFUSED {
        let theirs = unused_opts_sorted(protoc(&dir, args));
        let ours = unused_opts_sorted(protoforge_as_protoc(&dir, args));
        assert_ne!(theirs.code, 0, "protoc accepted {args:?}: {theirs:?}");
        if ours != theirs {
            differences.push(format!(
                "{args:?}\n  protoc:     {theirs:?}\n  protoforge: {ours:?}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} command lines differ:\n{}",
        differences.len(),
        REFUSED.len(),
        differences.join("\n")
    );
}

/// protoc reports `--NAME_opt` flags that no generator used from a hash
/// map, so with two or more of them its order of those lines changes from
/// run to run (protoforge prints them in command-line order). Sorting each
/// run of such lines on both sides compares everything else exactly.
fn unused_opts_sorted(mut run: Run) -> Run {
    let unused_opt = |line: &str| line.starts_with("Unknown flag: --") && line.ends_with("_opt");
    let mut lines: Vec<&str> = run.stderr.lines().collect();
    let mut start = 0;
    while start < lines.len() {
        let len = lines[start..].iter().take_while(|l| unused_opt(l)).count();
        lines[start..start + len].sort_unstable();
        start += len.max(1);
    }
    let trailing_newline = run.stderr.ends_with('\n');
    run.stderr = lines.join("\n");
    if trailing_newline {
        run.stderr.push('\n');
    }
    run
}

#[test]
fn help_and_version() {
    let dir = scratch("protoc-help");
    // No argument at all, -h and --help: the help on stdout, status 0.
    for args in [&[][..], &["-h"], &["--help"], &["--help", "--bogus"]] {
        let theirs = protoc(&dir, args);
        let ours = protoforge_as_protoc(&dir, args);
        assert_eq!((ours.code, theirs.code), (0, 0), "{args:?}");
        assert_eq!(ours.stderr, theirs.stderr, "{args:?}");
        let first_line = |run: &Run| run.stdout.lines().next().map(str::to_string);
        assert_eq!(first_line(&ours), first_line(&theirs), "{args:?}");
        // Every flag protoc documents is documented by us too.
        for line in theirs.stdout.lines() {
            let flag = line
                .trim_start()
                .split([' ', '=', ','])
                .next()
                .unwrap_or_default();
            if flag.starts_with('-') && !flag.contains("python") && !flag.contains("pyi") {
                assert!(ours.stdout.contains(flag), "--help does not mention {flag}");
            }
        }
    }
    // --version: protoc's line last, so scripts that parse it keep working.
    let theirs = protoc(&dir, &["--version"]);
    let ours = protoforge(&dir, &["--version"]);
    assert_eq!((ours.code, &ours.stderr), (0, &String::new()));
    assert_eq!(ours.stdout.lines().last(), theirs.stdout.lines().last());
    assert!(ours.stdout.starts_with("protoforge "), "{ours:?}");
}

#[test]
fn subcommand_names_select_subcommands_only_in_first_place() {
    let dir = scratch("protoc-vs-subcommand");
    write_files(&dir, &[("check", "not a proto file")]);
    // First: the subcommand, which wants files.
    let run = protoforge(&dir, &["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    // Elsewhere: an input file of a protoc command line, as protoc sees it.
    let ours = protoforge_as_protoc(&dir, &["-o", "out.pb", "check"]);
    let theirs = protoc(&dir, &["-o", "out.pb", "check"]);
    assert_eq!(ours.code, theirs.code);
    assert_eq!(ours.code, 1);
}
