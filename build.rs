//! Embeds the shipped scenarios (`scenarios/*.toml`) in the binary, so an
//! installed `geosim` can run them from any folder; and records what the
//! binary was built from (source commit, compiler, target), which every
//! `summary.json` carries.

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

fn main() {
    provenance();
    println!("cargo:rerun-if-changed=scenarios");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from(
        "/// (name, file text) of every shipped scenario.\npub(crate) static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for n in &names {
        let path = dir.join(format!("{n}.toml"));
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({n:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    // Data files the scenarios read (observation records), by their path
    // relative to scenarios/.
    let data = dir.join("data");
    println!("cargo:rerun-if-changed={}", data.display());
    let mut files: Vec<String> = std::fs::read_dir(&data)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    code.push_str(
        "/// (path relative to scenarios/, text) of every shipped data file.\npub(crate) static EMBEDDED_DATA: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let path = data.join(f);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            format!("data/{f}"),
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_scenarios.rs");
    std::fs::write(out, code).unwrap();
}

/// GEOSIM_COMMIT (the source commit, `+dirty` when the work tree differs,
/// or "unknown" outside a git checkout), GEOSIM_RUSTC and GEOSIM_TARGET.
fn provenance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = match git(&["rev-parse", "HEAD"]) {
        Some(c) if !c.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty { format!("{c}+dirty") } else { c }
        }
        _ => "unknown".to_string(),
    };
    // Rebuild when HEAD moves (a new commit, a checkout).
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        let dir = root.join(dir);
        println!("cargo:rerun-if-changed={}", dir.join("HEAD").display());
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={}", dir.join(head).display());
        }
        println!("cargo:rerun-if-changed={}", dir.join("index").display());
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=GEOSIM_COMMIT={commit}");
    println!("cargo:rustc-env=GEOSIM_RUSTC={version}");
    println!("cargo:rustc-env=GEOSIM_TARGET={target}");
}
