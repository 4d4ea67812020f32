//! The Node peer for the gRPC interop tests: installs the pinned
//! `@grpc/grpc-js` and `@grpc/proto-loader` from
//! `tools/peers/interop/node/package.json` (and its lock file) into
//! `<target>/peers/node` with `npm ci`, skipping the work when the stamp
//! shows the same lock file is already installed.

use std::path::Path;
use std::process::Command;

/// Installs the Node peer beside the Python venv (`peers_dir` is
/// `<target>/peers`).
pub(crate) fn install(root: &Path, peers_dir: &Path) -> Result<(), String> {
    let source = root.join("tools/peers/interop/node");
    let dest = peers_dir.join("node");
    let lock = std::fs::read_to_string(source.join("package-lock.json"))
        .map_err(|e| format!("{}: {e}", source.join("package-lock.json").display()))?;
    let stamp = dest.join("protoforge-package-lock.json");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str())
        && dest.join("node_modules/@grpc/grpc-js").is_dir()
    {
        eprintln!("node peers: up to date in {}", dest.display());
        return Ok(());
    }
    std::fs::create_dir_all(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(source.join(file), dest.join(file))
            .map_err(|e| format!("copying {file}: {e}"))?;
    }
    crate::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&dest),
    )
    .map_err(|e| {
        format!(
            "{e}\nthe Node interop peer needs node and npm (Debian: apt-get install nodejs npm) \
             and network access to the npm registry"
        )
    })?;
    std::fs::write(&stamp, lock).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(())
}
