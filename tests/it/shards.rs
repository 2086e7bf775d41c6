//! Sharded runs (`run --shard I/N`) and `geosim merge` (docs/FORMAT.md
//! section 27): the recipes of docs/recipes run as separate processes,
//! merged, and compared byte for byte with the same request on one
//! machine; merges of merges; refusals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::geosim;

const RUNS: &str = "1500";

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("geosim")
}

fn recipe(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/recipes")
        .join(name)
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn assert_same_folder(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    assert!(
        fa.keys().any(|k| k.extension().is_some_and(|e| e == "png")),
        "charts too"
    );
    for (k, v) in &fa {
        assert!(
            v == &fb[k],
            "{} differs between {} and {}",
            k.display(),
            a.display(),
            b.display()
        );
    }
}

/// The same request on one machine, in its own folder.
fn single_run(out: &Path) {
    let dir = out.parent().unwrap();
    geosim(
        dir,
        &[
            "run",
            "baseline",
            "--runs",
            RUNS,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .ok();
}

fn sh(dir: &Path, program: &str, args: &[&str], env: &[(&str, String)]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_slurm_recipe_merges_into_the_single_machine_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for task in 0..3 {
        sh(
            d,
            "bash",
            &[recipe("slurm-array.sh").to_str().unwrap()],
            &[
                ("SLURM_ARRAY_TASK_ID", task.to_string()),
                ("SHARDS", "3".into()),
                ("RUNS", RUNS.into()),
                ("GEOSIM", binary().display().to_string()),
            ],
        );
    }
    let parts = d.join(format!("output/baseline-runs{RUNS}-shards"));
    let mut partials: Vec<String> = std::fs::read_dir(&parts)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    partials.sort();
    assert_eq!(partials.len(), 3);
    let mut args = vec!["merge"];
    args.extend(partials.iter().map(String::as_str));
    args.push("--quiet");
    geosim(d, &args).ok();
    single_run(&d.join("single"));
    // merge writes where the whole request would have: output/baseline-runs1500
    assert_same_folder(
        &d.join(format!("output/baseline-runs{RUNS}")),
        &d.join("single"),
    );
}

#[test]
fn the_kubernetes_recipe_runs_each_index_and_merges() {
    let yaml = std::fs::read_to_string(recipe("k8s-indexed-job.yaml")).unwrap();
    let line = yaml
        .lines()
        .find(|l| l.trim_start().starts_with("- geosim run"))
        .expect("the container's command line")
        .trim_start()
        .trim_start_matches("- ")
        .to_string();
    assert!(yaml.contains("completionMode: Indexed"));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let results = d.join("results");
    std::fs::create_dir(&results).unwrap();
    let command = line.replace("/results", results.to_str().unwrap());
    let bin_dir = binary().parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    for index in 0..4 {
        sh(
            d,
            "sh",
            &["-c", &command],
            &[
                ("JOB_COMPLETION_INDEX", index.to_string()),
                ("SCENARIO", "baseline".into()),
                ("RUNS", RUNS.into()),
                ("SHARDS", "4".into()),
                ("PATH", path.clone()),
            ],
        );
    }
    let mut args = vec!["merge".to_string()];
    for i in 0..4 {
        args.push(
            results
                .join(format!("shard-{i}.partial"))
                .display()
                .to_string(),
        );
    }
    args.extend(["--out".into(), "merged".into(), "--quiet".into()]);
    geosim(d, &args.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    single_run(&d.join("single"));
    assert_same_folder(&d.join("merged"), &d.join("single"));
}

#[test]
fn the_xargs_recipe_and_a_tree_of_merges_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sh(
        d,
        "sh",
        &[recipe("local-xargs.sh").to_str().unwrap()],
        &[
            ("RUNS", RUNS.into()),
            ("SHARDS", "5".into()),
            ("GEOSIM", binary().display().to_string()),
        ],
    );
    single_run(&d.join("single"));
    let merged = d.join(format!("output/baseline-runs{RUNS}"));
    assert_same_folder(&merged, &d.join("single"));

    // ((0 1) (2 (3 4))) merged as a tree of partials, in another order.
    let part = |i: u64| format!("output/baseline-runs{RUNS}-shards/shard-{i}-of-5.partial");
    geosim(
        d,
        &["merge", &part(3), &part(4), "--partial", "c.partial", "-q"],
    )
    .ok();
    geosim(
        d,
        &[
            "merge",
            &part(2),
            "c.partial",
            "--partial",
            "b.partial",
            "-q",
        ],
    )
    .ok();
    let run = geosim(d, &["merge", &part(1), &part(0), "--partial", "a.partial"]).ok();
    assert!(
        run.stdout.contains("2 of 5 shards") && run.stdout.contains("still missing: 2, 3, 4"),
        "{}",
        run.stdout
    );
    geosim(
        d,
        &["merge", "b.partial", "a.partial", "--out", "tree", "-q"],
    )
    .ok();
    assert_same_folder(&d.join("tree"), &d.join("single"));

    // Refusals, each naming what is wrong.
    geosim(d, &["merge", "a.partial", &part(1)]).fails(2, &["shard 1/5 is in both"]);
    geosim(d, &["merge", "a.partial", &part(3)]).fails(2, &["shards 2, 4 of 5 are missing"]);
    geosim(d, &["merge", "a.partial", "c.partial"]).fails(2, &["shard 2 of 5 is missing"]);
    geosim(d, &["merge", &part(0)]).fails(2, &["shards 1, 2, 3, 4 of 5 are missing"]);
    geosim(
        d,
        &[
            "run",
            "baseline",
            "--runs",
            "1400",
            "--shard",
            "1/5",
            "--out",
            "other.partial",
            "-q",
        ],
    )
    .ok();
    geosim(d, &["merge", &part(0), "other.partial"]).fails(2, &["its run total is 1400, not 1500"]);
    geosim(
        d,
        &[
            "run",
            "baseline",
            "--runs",
            RUNS,
            "--seed",
            "9",
            "--shard",
            "1/5",
            "--out",
            "seed.partial",
            "-q",
        ],
    )
    .ok();
    geosim(d, &["merge", &part(0), "seed.partial"]).fails(2, &["its seed is 9"]);
    geosim(
        d,
        &[
            "run",
            "baseline",
            "--runs",
            RUNS,
            "--shard",
            "1/4",
            "--out",
            "four.partial",
            "-q",
        ],
    )
    .ok();
    geosim(d, &["merge", &part(0), "four.partial"]).fails(2, &["its shard count is 4, not 5"]);
    geosim(
        d,
        &[
            "run",
            "baseline",
            "--runs",
            RUNS,
            "--set",
            "variables.trust.rate=0.2",
            "--shard",
            "1/5",
            "--out",
            "set.partial",
            "-q",
        ],
    )
    .ok();
    geosim(d, &["merge", &part(0), "set.partial"]).fails(2, &["its scenario is"]);
    std::fs::write(d.join("junk.partial"), "not a partial\n").unwrap();
    geosim(d, &["merge", "junk.partial"]).fails(2, &["junk.partial: not a geosim partial result"]);
    let mut damaged = std::fs::read(d.join(part(0))).unwrap();
    let n = damaged.len();
    damaged.truncate(n - 100);
    std::fs::write(d.join("cut.partial"), damaged).unwrap();
    geosim(d, &["merge", "cut.partial"]).fails(2, &["cut.partial: its statistics are damaged"]);
    geosim(d, &["run", "baseline", "--shard", "5/5"]).fails(2, &["shard 5 of 5 does not exist"]);
    geosim(d, &["run", "baseline", "--shard", "0/2", "--deterministic"])
        .fails(2, &["cannot be used with"]);
    geosim(
        d,
        &[
            "run",
            "baseline",
            "--shard",
            "0/2",
            "--set",
            "ensemble.condition=true",
            "-q",
        ],
    )
    .fails(2, &["cannot split a conditioned ensemble"]);
}

#[test]
fn a_sharded_sensitivity_analysis_merges_into_the_single_machine_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let small = crate::support::fixture("small.toml");
    // Morris with stochastic evaluations (runs sharing random numbers across
    // rows) and Sobol on the deterministic run.
    for (method, extra) in [
        ("morris", vec!["--samples", "6", "--runs", "20"]),
        ("sobol", vec!["--samples", "32"]),
    ] {
        let mut base = vec!["sensitivity", small.as_str(), "--method", method];
        base.extend(extra.iter().copied());
        let single = format!("single-{method}");
        let mut args = base.clone();
        args.extend(["--out", single.as_str(), "-q"]);
        geosim(d, &args).ok();
        let mut parts = Vec::new();
        for i in 0..3 {
            let shard = format!("{i}/3");
            let file = format!("{method}-{i}.partial");
            let mut args = base.clone();
            args.extend(["--shard", shard.as_str(), "--out", file.as_str(), "-q"]);
            geosim(d, &args).ok();
            parts.push(file);
        }
        let merged = format!("merged-{method}");
        let mut args = vec!["merge"];
        args.extend(parts.iter().map(String::as_str));
        args.extend(["--out", merged.as_str(), "-q"]);
        geosim(d, &args).ok();
        assert_same_folder(&d.join(&merged), &d.join(&single));
        geosim(d, &["merge", &parts[0], &parts[2]]).fails(2, &["shard 1 of 3 is missing"]);
        geosim(d, &["merge", &parts[0], &parts[0]]).fails(2, &["is in both"]);
    }
    // partials of two different analyses
    geosim(d, &["merge", "morris-0.partial", "sobol-1.partial"])
        .fails(2, &["belongs to another request"]);
}

#[test]
fn a_sharded_sweep_merges_into_the_single_machine_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let small = crate::support::fixture("small.toml");
    let base = [
        "sweep",
        small.as_str(),
        "--param",
        "variables.alignment.bias=-0.2:0.2:3",
        "--param",
        "variables.tension.rate=0.1:0.3:4",
        "--runs",
        "15",
    ];
    let mut args = base.to_vec();
    args.extend(["--out", "single", "-q"]);
    geosim(d, &args).ok();
    for i in 0..5 {
        let shard = format!("{i}/5");
        let file = format!("sweep-{i}.partial");
        let mut args = base.to_vec();
        args.extend(["--shard", shard.as_str(), "--out", file.as_str(), "-q"]);
        geosim(d, &args).ok();
    }
    let parts: Vec<String> = (0..5).map(|i| format!("sweep-{i}.partial")).collect();
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--out", "merged", "-q"]);
    geosim(d, &args).ok();
    assert_same_folder(&d.join("merged"), &d.join("single"));
    geosim(d, &["merge", &parts[1], &parts[2], &parts[3], &parts[4]])
        .fails(2, &["shard 0 of 5 is missing"]);
}
