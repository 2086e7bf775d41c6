//! Result folders under faults: a process killed inside the swap, signals
//! while writing, previous folders that cannot be removed, leftovers of
//! earlier runs, concurrent writers of one `--out`, links and permission
//! bits, and keeping the files of a folder (`write_folder_keeping`).
//!
//! The faults are injected with `GEOSIM_FAULT` (see `output/atomic.rs`).

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use geosim::error::Error;
use geosim::output::atomic::{MARKER, write_folder, write_folder_keeping};

use crate::support::fixture;

const BIN: &str = env!("CARGO_BIN_EXE_geosim");

/// A pid above Linux's largest `pid_max` (2^22): never a live process.
const DEAD_PID: u32 = 4_194_399;

/// `geosim run small.toml --seed SEED --out OUT --no-charts --quiet` in
/// `dir`, with `GEOSIM_FAULT` set to `fault` (when not empty).
fn run_small(dir: &Path, out: &str, seed: u64, fault: &str) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .args(["run", &fixture("small.toml"), "--out", out])
        .args(["--seed", &seed.to_string(), "--no-charts", "--quiet"]);
    if fault.is_empty() {
        c.env_remove("GEOSIM_FAULT");
    } else {
        c.env("GEOSIM_FAULT", fault);
    }
    c
}

fn output(mut c: Command) -> Output {
    c.output().unwrap()
}

fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "expected success, got {:?}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The seed recorded in a result folder's summary.json.
fn seed_of(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("summary.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["seed"].as_u64().unwrap()
}

fn assert_complete(dir: &Path, seed: u64) {
    assert!(dir.join(MARKER).is_file(), "{}: no marker", dir.display());
    assert!(dir.join("ensemble.csv").is_file() && dir.join("regimes.csv").is_file());
    assert_eq!(seed_of(dir), seed, "{}", dir.display());
}

fn marked_folder(path: &Path) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::write(path.join(MARKER), "").unwrap();
    std::fs::write(path.join("ensemble.csv"), "x").unwrap();
}

// ------------------------------------------------------------ 1. the swap

#[test]
#[cfg(target_os = "linux")]
fn a_run_killed_inside_the_exchange_leaves_complete_results() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("res");
    assert_ok(&output(run_small(tmp.path(), "res", 1, "")));

    let o = output(run_small(tmp.path(), "res", 2, "after-exchange"));
    assert_eq!(o.status.signal(), Some(9), "the fault point kills the run");
    // Never missing: the exchange put the new results in place in one step.
    assert_complete(&dest, 2);

    // The next run removes what the killed one left (its staging name now
    // holding the previous results, and its lock file).
    assert!(names(tmp.path()).len() > 1);
    assert_ok(&output(run_small(tmp.path(), "res", 3, "")));
    assert_complete(&dest, 3);
    assert_eq!(names(tmp.path()), ["res"]);
}

#[test]
fn a_run_killed_between_the_renames_is_rolled_back_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("res");
    assert_ok(&output(run_small(tmp.path(), "res", 1, "")));

    // The rename protocol (used where the exchange is not available).
    let o = output(run_small(tmp.path(), "res", 2, "no-exchange,after-aside"));
    assert_eq!(o.status.signal(), Some(9), "the fault point kills the run");
    assert!(!dest.exists(), "killed between the two renames");
    let n = names(tmp.path());
    assert!(n.iter().any(|n| n.starts_with(".res.old-")), "{n:?}");

    // The next run first puts the previous results back: they are in place
    // while it is still writing (here it is killed before its own swap).
    let mut next = run_small(tmp.path(), "res", 3, "hang-before-swap")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_hang(&mut next);
    assert_complete(&dest, 1);
    next.kill().unwrap();
    next.wait().unwrap();

    // And a run after that cleans up the killed runs' folders.
    assert_ok(&output(run_small(tmp.path(), "res", 4, "no-exchange")));
    assert_complete(&dest, 4);
    assert_eq!(names(tmp.path()), ["res"]);
}

/// Reads the child's stderr until the `hang-before-swap` line.
fn wait_for_hang(child: &mut std::process::Child) {
    let err = child.stderr.take().unwrap();
    let mut lines = BufReader::new(err).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains("waiting before the swap") => break,
            Some(_) => {}
            None => panic!("the run ended without reaching the swap"),
        }
    }
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
}

// -------------------------------------------------------------- 2. leftovers

/// Starts `c` with SIGINT, SIGTERM and SIGHUP at their default action, as
/// at a terminal (the tests may run as a background job, which ignores
/// SIGINT), except `ignored`.
fn signals_as_at_a_terminal(c: &mut Command, ignored: Option<libc::c_int>) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                let action = if Some(s) == ignored {
                    libc::SIG_IGN
                } else {
                    libc::SIG_DFL
                };
                libc::signal(s, action);
            }
            Ok(())
        })
    }
}

#[test]
fn a_signal_while_writing_removes_the_staging_folder_and_exits_128_plus_n() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("res");
    assert_ok(&output(run_small(tmp.path(), "res", 1, "")));
    for (signal, code) in [
        (libc::SIGINT, 130),
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
    ] {
        let mut c = run_small(tmp.path(), "res", 2, "hang-before-swap");
        let mut child = signals_as_at_a_terminal(&mut c, None)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_hang(&mut child);
        assert!(
            names(tmp.path()).iter().any(|n| n.starts_with(".res.tmp-")),
            "staging folder while writing"
        );
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        // SAFETY: sends a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "signal {signal}: {status:?}");
        assert_eq!(names(tmp.path()), ["res"], "signal {signal}: leftovers");
        assert_complete(&dest, 1);
    }
}

#[test]
fn a_signal_ignored_at_start_stays_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = run_small(tmp.path(), "res", 1, "hang-before-swap");
    // As `nohup` starts a program.
    let mut child = signals_as_at_a_terminal(&mut c, Some(libc::SIGHUP))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_hang(&mut child);
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends signals to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "SIGHUP stays ignored");
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert!(names(tmp.path()).is_empty(), "{:?}", names(tmp.path()));
}

/// Runs of geosim that cannot remove a read-only folder: as this user when
/// it is not root (root may remove anything), else as `nobody`, from copies
/// of the binary and the scenario in `root/bin` (the checkout may be out of
/// `nobody`'s reach), with all of `root` handed to `nobody`.
struct Unprivileged {
    bin: PathBuf,
    scenario: PathBuf,
    as_nobody: bool,
}

impl Unprivileged {
    /// `None` when geosim cannot be run as `nobody` here.
    fn new(root: &Path) -> Option<Unprivileged> {
        use std::os::unix::process::CommandExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Some(Unprivileged {
                bin: BIN.into(),
                scenario: fixture("small.toml").into(),
                as_nobody: false,
            });
        }
        let bin_dir = root.join("bin");
        std::fs::create_dir(&bin_dir).ok()?;
        let u = Unprivileged {
            bin: bin_dir.join("geosim"),
            scenario: bin_dir.join("small.toml"),
            as_nobody: true,
        };
        std::fs::copy(BIN, &u.bin).ok()?;
        std::fs::copy(fixture("small.toml"), &u.scenario).ok()?;
        fn chown_tree(p: &Path) -> std::io::Result<()> {
            std::os::unix::fs::lchown(p, Some(65534), Some(65534))?;
            if std::fs::symlink_metadata(p)?.is_dir() {
                for e in std::fs::read_dir(p)? {
                    chown_tree(&e?.path())?;
                }
            }
            Ok(())
        }
        chown_tree(root).ok()?;
        let probe = Command::new(&u.bin)
            .arg("--version")
            .uid(65534)
            .gid(65534)
            .output()
            .ok()?;
        probe.status.success().then_some(u)
    }

    fn run(&self, dir: &Path, out: &str, seed: u64) -> Output {
        use std::os::unix::process::CommandExt;
        let mut c = Command::new(&self.bin);
        c.current_dir(dir)
            .arg("run")
            .arg(&self.scenario)
            .args([
                "--out",
                out,
                "--seed",
                &seed.to_string(),
                "--no-charts",
                "--quiet",
            ])
            .env_remove("GEOSIM_FAULT");
        if self.as_nobody {
            c.uid(65534).gid(65534);
        }
        c.output().unwrap()
    }
}

#[test]
fn a_previous_folder_that_cannot_be_removed_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let Some(geosim) = Unprivileged::new(tmp.path()) else {
        eprintln!("skipped: cannot run geosim as an unprivileged user here");
        return;
    };
    let dest = work.join("res");
    assert_ok(&geosim.run(&work, "res", 1));
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o555)).unwrap();

    let o = geosim.run(&work, "res", 2);
    assert_ok(&o);
    assert_complete(&dest, 2);
    let leftover: Vec<String> = names(&work)
        .into_iter()
        .filter(|n| n.starts_with(".res.old-"))
        .collect();
    assert_eq!(leftover.len(), 1, "{:?}", names(&work));
    let err = stderr(&o);
    assert!(
        err.contains("warning") && err.contains(&leftover[0]),
        "the folder left behind is named on stderr:\n{err}"
    );

    // A later run tries again, and says so when it still cannot.
    let o = geosim.run(&work, "res", 3);
    assert_ok(&o);
    assert!(stderr(&o).contains(&leftover[0]), "{}", stderr(&o));

    // Once the folders are writable again, the next run removes them all.
    for n in names(&work) {
        std::fs::set_permissions(work.join(n), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let o = geosim.run(&work, "res", 4);
    assert_ok(&o);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(names(&work), ["res"]);
}

#[test]
fn later_runs_remove_their_own_stale_leftovers_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    assert_ok(&output(run_small(t, "res", 1, "")));
    let me = std::process::id();
    // geosim's: a staging folder of a dead process, and a completed old one
    marked_folder(&t.join(format!(".res.tmp-{DEAD_PID}-11")));
    std::fs::create_dir(t.join(format!(".res.tmp-{DEAD_PID}-12"))).unwrap(); // killed before its marker
    marked_folder(&t.join(".res.old-1-13"));
    // not to be touched: a live process's staging folder, unmarked or
    // misnamed folders, other destinations' folders, files and links
    marked_folder(&t.join(format!(".res.tmp-{me}-21")));
    std::fs::create_dir(t.join(format!(".res.tmp-{DEAD_PID}-22"))).unwrap();
    std::fs::write(t.join(format!(".res.tmp-{DEAD_PID}-22/notes.txt")), "mine").unwrap();
    marked_folder(&t.join(format!(".res.tmp-{DEAD_PID}-x")));
    marked_folder(&t.join(format!(".res.tmpx-{DEAD_PID}-23")));
    marked_folder(&t.join(format!(".other.tmp-{DEAD_PID}-24")));
    marked_folder(&t.join(format!(".resx.tmp-{DEAD_PID}-25")));
    std::fs::write(t.join(".res.old-1-26"), "a file").unwrap();
    marked_folder(&t.join("kept"));
    std::os::unix::fs::symlink("kept", t.join(".res.old-1-27")).unwrap();

    assert_ok(&output(run_small(t, "res", 2, "")));
    assert_complete(&t.join("res"), 2);
    let mut want = vec![
        format!(".other.tmp-{DEAD_PID}-24"),
        ".res.old-1-26".to_string(),
        ".res.old-1-27".to_string(),
        format!(".res.tmp-{DEAD_PID}-22"),
        format!(".res.tmp-{DEAD_PID}-x"),
        format!(".res.tmp-{me}-21"),
        format!(".res.tmpx-{DEAD_PID}-23"),
        format!(".resx.tmp-{DEAD_PID}-25"),
        "kept".to_string(),
        "res".to_string(),
    ];
    want.sort();
    assert_eq!(names(t), want);
    assert!(t.join("kept/ensemble.csv").is_file());
}

// ------------------------------------------------------ 3. concurrent runs

#[test]
fn concurrent_runs_into_one_folder_wait_for_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let dest = t.join("X");
    let baseline = |fault: &str, charts: bool| {
        let mut c = Command::new(BIN);
        c.current_dir(t)
            .args(["run", "baseline", "--runs", "200", "--out", "X", "--quiet"])
            .args(if charts {
                &[][..]
            } else {
                &["--no-charts"][..]
            })
            .env("GEOSIM_FAULT", fault)
            .stderr(Stdio::piped());
        c
    };
    let mut waited = 0;
    for round in 0..12 {
        // Half the rounds widen the swap so that the runs overlap in it;
        // half use the rename protocol instead of the exchange.
        let fault = ["slow-swap", "no-exchange,slow-swap", "", "no-exchange"][round % 4];
        // The last rounds write the charts too: many files, a longer fill.
        let charts = round >= 10;
        let a = baseline(fault, charts).spawn().unwrap();
        let b = baseline(fault, charts).spawn().unwrap();
        for o in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
            let err = stderr(&o);
            assert!(o.status.success(), "round {round}: {:?}\n{err}", o.status);
            assert!(
                err.is_empty() || err.contains("is in use by process"),
                "round {round}: {err}"
            );
            waited += usize::from(!err.is_empty());
        }
        assert!(dest.join(MARKER).is_file() && dest.join("summary.json").is_file());
        assert_eq!(names(t), ["X"], "round {round}: leftovers");
    }
    assert!(waited > 0, "in the slow rounds one run waits for the other");
}

// -------------------------------------------------- 4. links and permissions

#[test]
fn a_link_out_is_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::create_dir(t.join("store")).unwrap();
    // a link to a folder that does not exist yet, then to one that does
    std::os::unix::fs::symlink("store/res", t.join("link")).unwrap();
    for seed in [1, 2] {
        assert_ok(&output(run_small(t, "link", seed, "")));
        let meta = std::fs::symlink_metadata(t.join("link")).unwrap();
        assert!(meta.file_type().is_symlink(), "the link stays a link");
        assert_complete(&t.join("store/res"), seed);
        assert_eq!(names(t), ["link", "store"]);
        assert_eq!(names(&t.join("store")), ["res"]);
    }
    // a link to a link, with an absolute target
    std::os::unix::fs::symlink(t.join("link"), t.join("link2")).unwrap();
    assert_ok(&output(run_small(t, "link2", 3, "")));
    assert_complete(&t.join("store/res"), 3);
    assert!(
        std::fs::symlink_metadata(t.join("link2"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(names(&t.join("store")), ["res"]);
}

#[test]
fn an_out_folders_permission_bits_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("res");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    std::fs::create_dir(&dest).unwrap();
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_ok(&output(run_small(tmp.path(), "res", 1, "")));
    assert_eq!(mode(&dest), 0o700, "an empty 0700 folder stays 0700");
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o750)).unwrap();
    assert_ok(&output(run_small(tmp.path(), "res", 2, "")));
    assert_eq!(mode(&dest), 0o750);
    assert_complete(&dest, 2);
}

// ------------------------------------------------------ 5. keeping files

fn write(d: &Path, name: &str, text: &str) -> Result<(), Error> {
    std::fs::write(d.join(name), text).map_err(|e| Error::io("write", d.join(name), e))
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn write_folder_keeping_keeps_the_files_fill_does_not_replace() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("res");
    write_folder(&dest, |d| {
        write(d, "ensemble.csv", "numbers")?;
        write(d, "alignment.png", "old chart")?;
        std::fs::create_dir(d.join("sub")).unwrap();
        write(&d.join("sub"), "deep.txt", "deep")
    })
    .unwrap();

    write_folder_keeping(&dest, true, |d| {
        // the existing files are there to build on
        assert_eq!(read(d.join("ensemble.csv")), "numbers");
        write(d, "alignment.png", "new chart")?;
        write(d, "tension.png", "added chart")
    })
    .unwrap();
    assert_eq!(read(dest.join("ensemble.csv")), "numbers");
    assert_eq!(read(dest.join("alignment.png")), "new chart");
    assert_eq!(read(dest.join("tension.png")), "added chart");
    assert_eq!(read(dest.join("sub/deep.txt")), "deep");
    assert!(dest.join(MARKER).is_file());
    assert_eq!(names(tmp.path()), ["res"]);

    // a failed fill leaves the folder as it was, overwritten file included
    let r = write_folder_keeping(&dest, true, |d| {
        write(d, "alignment.png", "half-drawn")?;
        Err(Error::usage("boom", None))
    });
    assert!(r.is_err());
    assert_eq!(read(dest.join("alignment.png")), "new chart");
    assert_eq!(names(tmp.path()), ["res"]);

    // without keeping, only what fill writes
    write_folder_keeping(&dest, false, |d| write(d, "only.csv", "1")).unwrap();
    assert_eq!(names(&dest), [MARKER, "only.csv"]);

    // a folder geosim did not write is still refused, kept or not
    let foreign = tmp.path().join("thesis");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("chapter1.txt"), "precious").unwrap();
    assert!(write_folder_keeping(&foreign, true, |d| write(d, "a.csv", "x")).is_err());
    assert_eq!(names(&foreign), ["chapter1.txt"]);
}
