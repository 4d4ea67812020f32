//! The third-party protoc plugins from npm that the CLI's tests run under
//! protoc and under protoforge (`@bufbuild/protoc-gen-es`), installed by
//! `cargo xtask peers` into `<target>/peers/node-plugins`.
//!
//! The versions are pinned in `tools/peers/node-plugins/package.json` and its
//! lock file; both are copied next to `node_modules` and installed with
//! `npm ci`, so every machine gets the same tree. A stamp (the two files'
//! contents) skips the install when nothing changed. Self-contained on
//! purpose: other peers (Node gRPC) live in their own directory and module.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files that pin the plugins, relative to the repository root.
const PINS: &str = "tools/peers/node-plugins";
/// The lock and manifest, copied as they are.
const FILES: [&str; 2] = ["package.json", "package-lock.json"];

/// `<target>/peers/node-plugins`.
pub(crate) fn dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => PathBuf::from(target).join("peers/node-plugins"),
        None => root.join("target/peers/node-plugins"),
    }
}

/// Installs the pinned plugins unless the stamp shows they are current.
pub(crate) fn install(root: &Path) -> Result<(), String> {
    let pins = root.join(PINS);
    let mut wanted = String::new();
    for file in FILES {
        let path = pins.join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        wanted.push_str(&text);
    }
    let dir = dir(root);
    let stamp = dir.join("protoforge-pins.txt");
    let plugin = dir.join("node_modules/.bin/protoc-gen-es");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && plugin.exists() {
        eprintln!("peers: npm plugins up to date in {}", dir.display());
        return Ok(());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for file in FILES {
        std::fs::copy(pins.join(file), dir.join(file))
            .map_err(|e| format!("copying {file} to {}: {e}", dir.display()))?;
    }
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir);
    eprintln!("$ {npm:?}");
    let status = npm.status().map_err(|e| {
        format!("could not start npm: {e}\nthe CLI's plugin tests need Node.js and npm (Debian: apt-get install nodejs npm)")
    })?;
    if !status.success() {
        return Err(format!(
            "npm ci in {} failed with {status}; check access to the npm registry",
            dir.display()
        ));
    }
    if !plugin.exists() {
        return Err(format!(
            "npm ci succeeded but {} is missing",
            plugin.display()
        ));
    }
    std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(())
}
