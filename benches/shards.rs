//! Merging shards, run with `cargo bench --bench shards`: 100,000 baseline
//! runs cut into 64 shards, their partial results written, then read and
//! merged (decode, checks, tree merges, histogram sums) as `geosim merge`
//! does before it writes the results folder. Prints the partials' size and
//! the median of 5 merges; the target is under 1 s for the whole merge.

use std::time::Instant;

use geosim::engine::ensemble::{BLOCK, run_part};
use geosim::output::partial::{self, Header, Partial};
use geosim::scenario;
use geosim::stats::Layout;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let (runs, shards) = (100_000u64, 64u64);
    let s = scenario::load("baseline", &[]).expect("baseline loads");
    let m = &s.model;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let groups = runs.div_ceil(BLOCK);
    let mut paths = Vec::new();
    for i in 0..shards {
        let part = run_part(
            m,
            runs,
            partial::shard_groups(groups, i, shards),
            1,
            2,
            &|_| {},
        )
        .expect("worker threads");
        let p = Partial {
            header: Header {
                format: partial::FORMAT,
                geosim_version: geosim::VERSION.into(),
                scenario: m.name.clone(),
                scenario_sha256: "bench".into(),
                seed: 1,
                runs,
                shards,
                shard_set: vec![i],
                command: String::new(),
                folder: String::new(),
                resolved: String::new(),
            },
            tree: part.tree,
            dist: part.dist,
        };
        let path = dir.path().join(format!("{i}.partial"));
        partial::write(&path, &p).expect("written");
        paths.push(path);
    }
    let bytes: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    println!(
        "{shards} partials of {runs} baseline runs: {:.0} KiB each on average",
        bytes as f64 / shards as f64 / 1024.0
    );
    let layout = Layout::new(m);
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let mut total = partial::read(&paths[0], |_| Ok(layout.clone())).expect("read");
        for p in &paths[1..] {
            let next = partial::read(p, |_| Ok(layout.clone())).expect("read");
            partial::absorb(&mut total, "first", next, "next").expect("same request");
        }
        assert!(total.tree.total().is_some(), "every group merged");
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "merge of {shards} partials (one thread, before writing results): median {:.3} s of 5 (target: the whole `geosim merge` under 1 s)",
        times[2]
    );
}
