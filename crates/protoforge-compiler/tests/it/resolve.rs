//! Include-path resolution on disk, checked against the reference protoc:
//! for each layout and command line, our mapping of the input file must agree
//! with what protoc does with the same `-I` flags and input path.

use std::path::{Path, PathBuf};

use protoforge_compiler::resolve::{DiskToVirtual, FileResolver, IncludePaths, ResolveError};

/// A fresh directory under cargo's per-target temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("resolve")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

fn write(root: &Path, rel: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&path, "syntax = \"proto3\";\n")
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Runs protoc in `root` and returns (success, stderr).
fn protoc(root: &Path, flags: &[&str], input: &str) -> (bool, String) {
    let out = protoforge_testkit::protoc()
        .current_dir(root)
        .args(flags)
        .arg("--descriptor_set_out=/dev/null")
        .arg(input)
        .output()
        .unwrap_or_else(|e| panic!("running protoc: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn include_paths(root: &Path, flags: &[&str]) -> IncludePaths {
    // Relative paths are resolved against the scratch root, as protoc's are
    // against its working directory.
    let mut paths = IncludePaths::new();
    for flag in flags {
        let value = flag.trim_start_matches("-I");
        let absolute: Vec<String> = value
            .split(':')
            .map(|part| match part.split_once('=') {
                Some((v, d)) => format!("{v}={}", root.join(d).display()),
                None => root.join(part).display().to_string(),
            })
            .collect();
        let missing = paths
            .add_flag(&absolute.join(":"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(missing.is_empty(), "directories missing: {missing:?}");
    }
    paths
}

#[test]
fn input_paths_map_as_protoc_maps_them() {
    let root = scratch("inputs");
    for file in [
        "a/x.proto",
        "b/x.proto",
        "b/z.proto",
        "c/y.proto",
        "a/sub/w.proto",
    ] {
        write(&root, file);
    }
    let cases: &[(&[&str], &str)] = &[
        (&["-Ia"], "a/x.proto"),
        (&["-Ia", "-Ib"], "b/x.proto"),
        (&["-Ib", "-Ia"], "b/x.proto"),
        (&["-Ib"], "c/y.proto"),
        (&["-Ivirt=a"], "a/x.proto"),
        (&["-Ia", "-Ib"], "b/z.proto"),
        (&["-I."], "./a/x.proto"),
        (&["-Ia:b"], "b/z.proto"),
        (&["-Ia"], "a/sub/w.proto"),
        (&["-Ia/sub", "-Ia"], "a/sub/w.proto"),
    ];
    let mut mismatches = Vec::new();
    let mut outcomes: Vec<DiskToVirtual> = Vec::new();
    for (flags, input) in cases {
        let paths = include_paths(&root, flags);
        let ours = paths.disk_to_virtual(&root.join(input).display().to_string());
        let (ok, stderr) = protoc(&root, flags, input);
        let agrees = match &ours {
            DiskToVirtual::Mapped(_) => ok,
            DiskToVirtual::Shadowed { shadowing, .. } => {
                let rel = Path::new(shadowing)
                    .strip_prefix(&root)
                    .map(|p| p.display().to_string());
                !ok && stderr.contains("Input is shadowed in the --proto_path by")
                    && rel.is_ok_and(|rel| stderr.contains(&rel))
            }
            DiskToVirtual::NoMapping => {
                !ok && stderr.contains("File does not reside within any path")
            }
            DiskToVirtual::CannotOpen(_) => !ok && stderr.contains("Could not map to virtual file"),
        };
        if !agrees {
            mismatches.push(format!(
                "{flags:?} {input}: ours {ours:?}, protoc ok={ok} stderr={stderr:?}"
            ));
        }
        outcomes.push(ours);
    }
    // The layouts must exercise every outcome, or the comparison proves little.
    let virtual_names: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| match o {
            DiskToVirtual::Mapped(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for name in ["virt/x.proto", "a/x.proto", "w.proto", "sub/w.proto"] {
        assert!(
            virtual_names.contains(&name),
            "no input mapped to {name}: {outcomes:?}"
        );
    }
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, DiskToVirtual::Shadowed { .. })),
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, DiskToVirtual::NoMapping)),
        "{outcomes:?}"
    );
    assert!(
        mismatches.is_empty(),
        "disagreements with protoc:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn virtual_names_open_from_the_first_mapping_that_has_them() {
    let root = scratch("open");
    write(&root, "first/pkg/a.proto");
    write(&root, "second/pkg/a.proto");
    write(&root, "second/pkg/b.proto");
    let paths = include_paths(&root, &["-Ifirst", "-Isecond"]);
    let a = paths.open("pkg/a.proto").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.disk_path, Some(root.join("first/pkg/a.proto")));
    let b = paths.open("pkg/b.proto").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.disk_path, Some(root.join("second/pkg/b.proto")));
    assert_eq!(paths.open("pkg/c.proto"), Err(ResolveError::NotFound));

    let virtual_paths = include_paths(&root, &["-Ivendor/api=second"]);
    assert!(virtual_paths.open("vendor/api/pkg/b.proto").is_ok());
    assert_eq!(
        virtual_paths.open("pkg/b.proto"),
        Err(ResolveError::NotFound)
    );
}

#[test]
fn flags_report_missing_directories_and_empty_names() {
    let root = scratch("flags");
    std::fs::create_dir_all(root.join("has=equals")).unwrap_or_else(|e| panic!("{e}"));
    let mut paths = IncludePaths::new();
    let missing = paths
        .add_flag(&format!(
            "{}:{}",
            root.join("nope").display(),
            root.join("has=equals").display()
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing, vec![root.join("nope").display().to_string()]);
    // A directory whose name contains `=` is taken whole, as protoc does.
    assert_eq!(paths.mappings()[1].virtual_prefix, "");
    assert_eq!(
        IncludePaths::new().add_flag("v="),
        Err(
            "--proto_path passed empty directory name.  (Use \".\" for current directory.)"
                .to_string()
        )
    );
}
