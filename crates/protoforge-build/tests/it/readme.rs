//! The README's quick start, followed as a new user would: the files it
//! shows are written into a new crate outside the workspace (with the
//! README's `/path/to/protoforge` pointing at this checkout), and
//! `cargo run` must print what the README says it prints.

use protoforge_testkit::workspace_root;

use crate::fixture::{Fixture, text};

/// The files of the README section `section`: each is a code block right
/// after a line holding only the file's name in backticks and a colon.
fn files_in_section(readme: &str, section: &str) -> Vec<(String, String)> {
    let start = readme
        .find(&format!("\n## {section}\n"))
        .unwrap_or_else(|| panic!("README has no section {section:?}"));
    let body = &readme[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 3);
    let body = &body[..end];

    let mut files = Vec::new();
    let mut lines = body.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(name) = line.strip_prefix('`').and_then(|l| l.strip_suffix("`:")) else {
            continue;
        };
        // A blank line, then the fence.
        while lines.peek().is_some_and(|l| l.trim().is_empty()) {
            lines.next();
        }
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "{name}: expected a code block, found {fence:?}"
        );
        let mut contents = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            contents.push_str(line);
            contents.push('\n');
        }
        files.push((name.to_string(), contents));
    }
    files
}

#[test]
fn the_readme_quick_start_builds_and_serves() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md"))
        .unwrap_or_else(|e| panic!("README.md: {e}"));
    let files = files_in_section(&readme, "Quick start: a gRPC service from `build.rs`");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Cargo.toml",
            "proto/greeter.proto",
            "build.rs",
            "src/main.rs"
        ]
    );

    let fixture = Fixture::empty("readme-quick-start");
    let checkout = workspace_root().display().to_string();
    for (name, contents) in &files {
        let mut contents = contents.replace("/path/to/protoforge", &checkout);
        if name == "Cargo.toml" {
            // Keep it out of any workspace above the scratch directory.
            contents.push_str("\n[workspace]\n");
        }
        fixture.write(name, &contents);
    }
    let out = fixture.cargo(&["run", "--quiet"]);
    assert!(
        out.status.success(),
        "the README's crate must build and run\n--- stdout\n{}\n--- stderr\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "Hello, world!\n");
    assert!(
        readme.contains("`cargo run` prints `Hello, world!`"),
        "the README says what the quick start prints"
    );
}
