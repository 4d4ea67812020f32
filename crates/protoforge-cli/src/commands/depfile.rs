//! `--dependency_out`: a Makefile rule saying that the outputs depend on
//! the input and every file it imports, in protoc's exact layout.
//!
//! ```text
//! out/a_pb.ts \
//! out.pb: a.proto\
//!  dir/b.proto
//! ```
//!
//! Targets are the generated files (each under its output location, with a
//! leading `./` dropped), then the descriptor set and the edition defaults
//! file; prerequisites are the disk paths of the input and its imports,
//! dependencies first. There is no final newline, and with no target the
//! file is left empty, both as in protoc.

/// The text of the dependency file.
pub(crate) fn render(targets: &[String], prerequisites: &[String]) -> String {
    let mut out = String::new();
    if targets.is_empty() {
        return out;
    }
    for (i, target) in targets.iter().enumerate() {
        out.push_str(target);
        out.push_str(if i + 1 == targets.len() { ":" } else { " \\\n" });
    }
    for (i, prerequisite) in prerequisites.iter().enumerate() {
        out.push(' ');
        out.push_str(prerequisite);
        if i + 1 < prerequisites.len() {
            out.push_str("\\\n");
        }
    }
    out
}

/// A generated file's name as a target: location and name, `./` dropped.
pub(crate) fn target(location_key: &str, name: &str) -> String {
    let path = format!("{location_key}{name}");
    match path.strip_prefix("./") {
        Some(rest) => rest.to_string(),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let targets = ["gen/a.ts".to_string(), "out.pb".to_string()];
        let prerequisites = ["b.proto".to_string(), "a.proto".to_string()];
        assert_eq!(
            render(&targets, &prerequisites),
            "gen/a.ts \\\nout.pb: b.proto\\\n a.proto"
        );
        assert_eq!(render(&[], &prerequisites), "");
        assert_eq!(target("./", "x.ts"), "x.ts");
        assert_eq!(target("out.zip", ""), "out.zip");
    }
}
