//! Result folders appear complete or not at all: files are written into a
//! hidden staging folder beside the destination, which replaces the
//! destination only once everything is written.
//!
//! # Names beside a destination `NAME`
//!
//! | name | what |
//! |---|---|
//! | `.NAME.lock` | the lock file of the writer at work (holds its process id) |
//! | `.NAME.tmp-PID-N` | a staging folder of process `PID` |
//! | `.NAME.old-PID-N` | a previous result folder on its way out |
//!
//! Only folders with these exact names (`PID` and `N` decimal numbers) that
//! are real folders (not links) and either carry the [`MARKER`] or are empty
//! are ever removed or renamed by the clean-up below; nothing else beside
//! the destination is touched.
//!
//! # One writer at a time
//!
//! A writer first takes an advisory lock (`flock`) on `.NAME.lock`. A second
//! writer of the same destination — another process, or another thread of
//! this one — **waits** for the first to finish, after printing
//! "`` `NAME` is in use by process N; waiting for it to finish writing ``" on
//! stderr, and then writes its own results (the last writer's results are
//! the ones that stay). Waiting rather than failing makes two runs into one
//! `--out` behave like the same two runs one after the other. The lock is
//! held from before the checks below until the previous folder is removed,
//! and the lock file is removed when the writer finishes; the kernel releases the lock of
//! a writer that dies. Calling `write_folder` for a destination from inside
//! the `fill` of a write to the same destination would wait for ever.
//!
//! # The swap
//!
//! With the lock held, the writer
//!
//! 1. cleans up after earlier runs (below);
//! 2. refuses a destination that is a file, or a folder that is neither
//!    empty nor marked as geosim's;
//! 3. creates `.NAME.tmp-PID-N`, writes the marker, copies the existing
//!    files when asked to keep them ([`write_folder_keeping`]), runs `fill`,
//!    and gives the folder the permission bits of the folder it replaces;
//! 4. swaps it into place:
//!    - no destination yet: one `rename`;
//!    - on Linux: `renameat2(staging, dest, RENAME_EXCHANGE)` exchanges the
//!      two folders in one step, so the destination is never missing; the
//!      previous results, now at the staging name, are renamed to
//!      `.NAME.old-PID-N` and removed;
//!    - elsewhere, or when the file system refuses the exchange (EINVAL,
//!      ENOSYS, EOPNOTSUPP): rename `dest` → `.NAME.old-PID-N`, then the
//!      staging folder → `dest`, then remove the old folder. A process
//!      killed between the two renames leaves the destination missing and
//!      the old folder beside it, until the next write to that destination
//!      puts it back.
//!
//! # Clean-up by later runs
//!
//! Before writing, a run (holding the lock) removes
//! - staging folders `.NAME.tmp-PID-N` whose process is no longer alive
//!   (or is this process, without having registered that folder), and
//! - old folders `.NAME.old-PID-N` beside a present destination (a swap
//!   that completed);
//!
//! and when the destination is missing it renames the newest old folder
//! back to it (a swap that was interrupted is rolled back).
//!
//! A previous result folder that cannot be removed (a read-only folder, for
//! instance) does not fail the write, whose results are complete and in
//! place: it is reported as a **warning on stderr naming the folder**, and
//! later runs try again (and warn again).
//!
//! # Signals
//!
//! [`install_signal_handlers`] (called by the binary's `main`) handles
//! SIGINT, SIGTERM and SIGHUP: it removes the staging folders and lock files
//! of the writes in progress, then exits with 130, 143 or 129. A signal that
//! arrives during a swap is handled once the swap is done. A signal the
//! process was started with ignored (`nohup`, background jobs of scripts)
//! stays ignored.
//!
//! # Links and permissions
//!
//! A destination that is a symbolic link is written through: the results go
//! to the link's target (links to links followed), the link stays a link.
//! The new folder gets the permission bits of the folder it replaces (Unix).
//!
//! # Fault injection (tests only)
//!
//! The environment variable `GEOSIM_FAULT`, a comma-separated list, is read
//! by this module only, for the tests: `no-exchange` uses the rename
//! protocol even where the exchange works; `after-aside` and
//! `after-exchange` kill the process (SIGKILL) right after that step of the
//! swap; `slow-swap` waits 0.3 s inside the swap; `hang-before-swap` prints
//! the staging folder on stderr and waits up to a minute before the swap.

mod interrupt;
mod lock;
mod sys;

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::Error;
use interrupt::{Kind, with_registry};

pub use interrupt::install_signal_handlers;

/// Marker file in every folder geosim writes: only a folder that has it (or
/// an empty one) may be replaced, so `--out` can never wipe a user's folder.
pub const MARKER: &str = ".geosim-results";

/// The environment variable of the fault-injection points (tests only).
const FAULT_VAR: &str = "GEOSIM_FAULT";

/// Writes a result folder at `dest` through `fill`, which receives the
/// staging folder. On any error the previous `dest` is left untouched.
/// See the module documentation for the lock, the swap and the clean-up.
pub fn write_folder(
    dest: &Path,
    fill: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    write_folder_keeping(dest, false, fill)
}

/// Like [`write_folder`]; when `keep_existing` is true and `dest` is a
/// geosim folder, the staging folder starts as a copy of `dest`'s files, so
/// the new folder keeps every existing file that `fill` does not overwrite
/// (for redrawing some charts of results that have not changed). Files are
/// copied, not hard-linked: `fill` may overwrite a file in place, and that
/// must not touch the folder in use until the swap.
pub fn write_folder_keeping(
    dest: &Path,
    keep_existing: bool,
    fill: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let faults = Faults::from_env();
    let t = resolve(dest)?;
    check(&t, dest)?;
    fs::create_dir_all(&t.parent).map_err(|e| Error::io("create folder", &t.parent, e))?;
    let _lock = lock::DestLock::acquire(t.hidden("lock"), dest)?;
    recover(&t);
    let replaced_mode = check(&t, dest)?;

    let staging = t.hidden(&format!("tmp-{}-{}", std::process::id(), unique()));
    let mut guard = Staging::register(staging.clone());
    fs::create_dir(&staging).map_err(|e| Error::io("create folder", &staging, e))?;
    fs::write(
        staging.join(MARKER),
        "written by geosim; this folder is replaced on the next run\n",
    )
    .map_err(|e| Error::io("write", staging.join(MARKER), e))?;
    if keep_existing && t.dest.join(MARKER).is_file() {
        copy_tree(&t.dest, &staging).map_err(|e| Error::io("keep the files of", &t.dest, e))?;
    }
    if let Some(mode) = replaced_mode {
        // Private while being written when the old folder was; writable
        // by its owner until `fill` is done.
        set_mode(&staging, mode | 0o700)?;
    }
    fill(&staging)?;
    if let Some(mode) = replaced_mode {
        set_mode(&staging, mode)?;
    }
    faults.hang(&staging);
    if let Some(old) = swap(&t, &mut guard, &faults)? {
        remove_old(&old);
    }
    Ok(())
}

/// Where a result folder goes, links followed.
struct Target {
    /// The folder itself (a link's target).
    dest: PathBuf,
    parent: PathBuf,
    name: OsString,
}

impl Target {
    /// `.NAME.<suffix>` beside the destination.
    fn hidden(&self, suffix: &str) -> PathBuf {
        let mut n = OsString::from(".");
        n.push(&self.name);
        n.push(".");
        n.push(suffix);
        self.parent.join(n)
    }
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(q) if !q.as_os_str().is_empty() => q.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Follows `dest` through symbolic links to the folder to write.
fn resolve(dest: &Path) -> Result<Target, Error> {
    let mut path = dest.to_path_buf();
    let mut hops = 0;
    while fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        hops += 1;
        if hops > 40 {
            return Err(Error::io(
                "write results to",
                dest,
                io::Error::other("too many levels of symbolic links"),
            ));
        }
        let link = fs::read_link(&path).map_err(|e| Error::io("read the link", &path, e))?;
        path = parent_of(&path).join(link);
    }
    if path.file_name().is_none() {
        // `.`, `..` or `/`: the folder's own name is needed for the names
        // beside it.
        path = fs::canonicalize(&path).map_err(|e| Error::io("write results to", dest, e))?;
    }
    let Some(name) = path.file_name().map(OsStr::to_os_string) else {
        return Err(Error::usage(
            format!("cannot write results to `{}`", dest.display()),
            Some("name a folder to write the results to".into()),
        ));
    };
    Ok(Target {
        parent: parent_of(&path),
        name,
        dest: path,
    })
}

/// How the destination is named in messages: as given, and the folder it
/// stands for when that differs (a link's target).
fn shown(t: &Target, dest: &Path) -> String {
    if t.dest == dest {
        format!("`{}`", dest.display())
    } else {
        format!("`{}` (→ `{}`)", dest.display(), t.dest.display())
    }
}

/// Refuses a destination that may not be replaced; returns the permission
/// bits of an existing destination folder.
fn check(t: &Target, dest: &Path) -> Result<Option<u32>, Error> {
    let Ok(meta) = fs::symlink_metadata(&t.dest) else {
        return Ok(None);
    };
    if !meta.is_dir() {
        return Err(Error::io(
            "write results to",
            dest,
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a file (not a folder) is in the way",
            ),
        ));
    }
    if !replaceable(&t.dest) {
        return Err(Error::usage(
            format!(
                "refusing to replace {}: the folder exists and was not written by geosim",
                shown(t, dest)
            ),
            Some("choose another --out folder, or empty or remove this one".into()),
        ));
    }
    Ok(Some(mode_of(&meta)))
}

/// True when `dir` may be replaced: it is empty or was written by geosim.
fn replaceable(dir: &Path) -> bool {
    dir.join(MARKER).is_file() || fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_none())
}

/// A real folder (not a link) that geosim may remove.
fn ours(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) && replaceable(path)
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_: &fs::Metadata) -> u32 {
    0o755
}

#[cfg(unix)]
fn set_mode(dir: &Path, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io("set the permissions of", dir, e))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<(), Error> {
    Ok(())
}

/// The staging folder: registered for the signal handler, and removed
/// unless the write completed, even on a panic.
struct Staging(Option<PathBuf>);

impl Staging {
    fn register(path: PathBuf) -> Staging {
        with_registry(|r| r.add(&path, Kind::Folder));
        Staging(Some(path))
    }

    /// The swap took the folder over (the caller updates the registry).
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            with_registry(|r| {
                r.remove(&p);
                let _ = remove_tree(&p);
            });
        }
    }
}

/// Puts the staging folder at the destination; returns where the previous
/// folder went, to be removed. Runs with the signal registry locked, so a
/// signal is handled before or after, never between the steps.
fn swap(t: &Target, guard: &mut Staging, faults: &Faults) -> Result<Option<PathBuf>, Error> {
    let Some(staging) = guard.0.clone() else {
        return Ok(None);
    };
    let dest = &t.dest;
    with_registry(|reg| {
        if fs::symlink_metadata(dest).is_err() {
            fs::rename(&staging, dest).map_err(|e| Error::io("move results into", dest, e))?;
            reg.remove(&staging);
            guard.disarm();
            return Ok(None);
        }
        let old = t.hidden(&format!("old-{}-{}", std::process::id(), unique()));
        let exchanged = !faults.has("no-exchange")
            && sys::exchange(&staging, dest).map_err(|e| Error::io("replace", dest, e))?;
        if exchanged {
            // The new results are in place; the previous ones are at the
            // staging name, still registered for the signal handler.
            guard.disarm();
            faults.point("after-exchange");
            faults.pause();
            if fs::rename(&staging, &old).is_err() {
                return Ok(Some(staging));
            }
            reg.remove(&staging);
            reg.add(&old, Kind::Folder);
            return Ok(Some(old));
        }
        fs::rename(dest, &old).map_err(|e| Error::io("replace", dest, e))?;
        faults.point("after-aside");
        faults.pause();
        if let Err(e) = fs::rename(&staging, dest) {
            // Put the previous results back; should that fail too, the next
            // write to this destination does it.
            let _ = fs::rename(&old, dest);
            return Err(Error::io("move results into", dest, e));
        }
        reg.remove(&staging);
        guard.disarm();
        reg.add(&old, Kind::Folder);
        Ok(Some(old))
    })
}

/// Removes a previous result folder; a failure is a warning, not an error,
/// since the new results are complete and in place.
fn remove_old(old: &Path) {
    let r = remove_tree(old);
    with_registry(|reg| reg.remove(old));
    if let Err(e) = r {
        warn_not_removed(old, &e);
    }
}

fn warn_not_removed(path: &Path, e: &io::Error) {
    warn(&format!(
        "the previous results were replaced, but their folder `{}` could not be removed ({e}); \
         remove it by hand",
        path.display()
    ));
}

fn warn(message: &str) {
    let _ = writeln!(io::stderr().lock(), "warning: {message}");
}

/// Removes a folder geosim wrote, its marker last, so that a folder only
/// partly removed is still recognised (and removed) by a later run.
fn remove_tree(path: &Path) -> io::Result<()> {
    let mut first_error = None;
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        let p = entry.path();
        let r = if entry.file_type()?.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        if let Err(e) = r {
            first_error.get_or_insert(e);
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    match fs::remove_file(path.join(MARKER)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(path)
}

/// Copies the files of `from` (not its marker) into `to`, folders and
/// links included.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == MARKER {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let ty = entry.file_type()?;
        if ty.is_dir() {
            fs::create_dir(&dst)?;
            copy_tree(&src, &dst)?;
            fs::set_permissions(&dst, fs::metadata(&src)?.permissions())?;
        } else if ty.is_file() {
            fs::copy(&src, &dst)?;
        } else if ty.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
        }
    }
    Ok(())
}

/// What a hidden name beside the destination is.
#[derive(Debug, PartialEq, Eq)]
enum Role {
    Staging,
    Old,
}

/// Parses `.NAME.tmp-PID-N` and `.NAME.old-PID-N` into (role, PID, N).
fn parse_hidden(file: &OsStr, name: &OsStr) -> Option<(Role, u32, u64)> {
    let rest = file
        .as_encoded_bytes()
        .strip_prefix(b".")?
        .strip_prefix(name.as_encoded_bytes())?
        .strip_prefix(b".")?;
    let (role, rest) = if let Some(r) = rest.strip_prefix(b"tmp-") {
        (Role::Staging, r)
    } else {
        (Role::Old, rest.strip_prefix(b"old-")?)
    };
    let rest = std::str::from_utf8(rest).ok()?;
    let (pid, n) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    Some((role, pid.parse().ok()?, n.parse().ok()?))
}

/// The same hidden name with a fresh `N`.
fn restamped(path: &Path) -> PathBuf {
    let Some(file) = path.file_name().and_then(OsStr::to_str) else {
        return path.to_path_buf();
    };
    let Some((head, _)) = file.rsplit_once('-') else {
        return path.to_path_buf();
    };
    path.with_file_name(format!("{head}-{}", unique()))
}

/// Cleans up after earlier runs into `t` (the lock is held): see the module
/// documentation.
fn recover(t: &Target) {
    let Ok(entries) = fs::read_dir(&t.parent) else {
        return;
    };
    let me = std::process::id();
    let mut olds: Vec<(u64, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let Some((role, pid, n)) = parse_hidden(&entry.file_name(), &t.name) else {
            continue;
        };
        let path = entry.path();
        if !ours(&path) {
            continue;
        }
        match role {
            Role::Old => olds.push((n, path)),
            Role::Staging => {
                let stale = if pid == me {
                    !with_registry(|r| r.contains(&path))
                } else {
                    !sys::alive(pid)
                };
                if stale && let Err(e) = remove_tree(&path) {
                    warn(&format!(
                        "could not remove `{}`, left by an interrupted run ({e}); remove it by hand",
                        path.display()
                    ));
                }
            }
        }
    }
    olds.sort();
    if fs::symlink_metadata(&t.dest).is_err()
        && let Some((_, newest)) = olds.pop()
        && let Err(e) = fs::rename(&newest, &t.dest)
    {
        warn(&format!(
            "could not put the previous results `{}` back at `{}` ({e})",
            newest.display(),
            t.dest.display()
        ));
    }
    for (_, old) in olds {
        if let Err(e) = remove_tree(&old) {
            warn_not_removed(&old, &e);
        }
    }
}

/// A number that grows with the clock and is never the same twice in this
/// process, for hidden names.
fn unique() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX / 2));
    let prev = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
            Some(now.max(l + 1))
        })
        .unwrap_or(0);
    now.max(prev + 1)
}

/// The fault-injection points of the tests (`GEOSIM_FAULT`).
struct Faults(String);

impl Faults {
    fn from_env() -> Faults {
        Faults(std::env::var(FAULT_VAR).unwrap_or_default())
    }

    fn has(&self, point: &str) -> bool {
        self.0.split(',').any(|p| p.trim() == point)
    }

    /// Dies here, as a process killed by `kill -9` would.
    fn point(&self, point: &str) {
        if self.has(point) {
            sys::kill_self();
        }
    }

    fn pause(&self) {
        if self.has("slow-swap") {
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn hang(&self, staging: &Path) {
        if self.has("hang-before-swap") {
            let _ = writeln!(
                io::stderr().lock(),
                "{FAULT_VAR}: waiting before the swap of {}",
                staging.display()
            );
            for _ in 0..600 {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// A folder name from a scenario name: no separators, no `..`, no leading dot.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // No separators, no leading dot: the name can be neither `..` nor
    // hidden, so a `..` inside it (a window `2024-11..2025-09`) is harmless.
    let trimmed = cleaned.trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "scenario".to_string()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_cannot_escape() {
        assert_eq!(safe_name("baseline"), "baseline");
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert!(!safe_name("../x").contains('/'));
        assert!(!safe_name("..").is_empty() && safe_name("..") != "..");
        assert!(!safe_name(".hidden").starts_with('.'));
        assert_eq!(
            safe_name("baseline-sobol-alignment@2030-12"),
            "baseline-sobol-alignment@2030-12"
        );
        assert_eq!(safe_name("x-2024-11..2025-09"), "x-2024-11..2025-09");
        assert_eq!(safe_name("a b/c"), "a_b_c");
        assert_eq!(safe_name(""), "scenario");
    }

    #[test]
    fn failed_fill_keeps_previous_results() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        write_folder(&dest, |d| {
            std::fs::write(d.join("a.csv"), "old").map_err(|e| Error::io("write", d, e))
        })
        .unwrap();
        let r = write_folder(&dest, |d| {
            std::fs::write(d.join("a.csv"), "new").unwrap();
            Err(Error::usage("boom", None))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(dest.join("a.csv")).unwrap(), "old");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "staging folder must be removed");
    }

    #[test]
    fn a_folder_not_written_by_geosim_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("thesis");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("chapter1.txt"), "precious").unwrap();
        let r = write_folder(&dest, |d| {
            std::fs::write(d.join("a.csv"), "x").map_err(|e| Error::io("write", d, e))
        });
        assert!(r.is_err());
        assert_eq!(
            std::fs::read_to_string(dest.join("chapter1.txt")).unwrap(),
            "precious"
        );
        // an empty folder, and a folder geosim wrote, are replaced
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write_folder(&empty, |d| {
            std::fs::write(d.join("a.csv"), "1").map_err(|e| Error::io("write", d, e))
        })
        .unwrap();
        write_folder(&empty, |d| {
            std::fs::write(d.join("a.csv"), "2").map_err(|e| Error::io("write", d, e))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(empty.join("a.csv")).unwrap(), "2");
    }

    #[test]
    fn a_panic_while_writing_leaves_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let r = std::panic::catch_unwind(|| write_folder(&dest, |_| panic!("boom")));
        assert!(r.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    fn write_a(d: &Path, text: &str) -> Result<(), Error> {
        std::fs::write(d.join("a.csv"), text).map_err(|e| Error::io("write", d, e))
    }

    fn read_a(d: &Path) -> String {
        std::fs::read_to_string(d.join("a.csv")).unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn hidden_names_are_parsed_exactly() {
        let n = OsStr::new("res");
        let p = |f: &str| parse_hidden(OsStr::new(f), n);
        assert_eq!(p(".res.tmp-12-345"), Some((Role::Staging, 12, 345)));
        assert_eq!(p(".res.old-1-2"), Some((Role::Old, 1, 2)));
        for other in [
            ".res.lock",
            ".res.tmp-12",
            ".res.tmp-12-",
            ".res.tmp--3",
            ".res.tmp-1-2-3",
            ".res.tmp-a-2",
            ".res.tmp-+1-2",
            ".res.old-1-2x",
            ".resx.tmp-1-2",
            ".re.tmp-1-2",
            "res.tmp-1-2",
            ".res.new-1-2",
            ".res.tmp-99999999999-2",
        ] {
            assert_eq!(p(other), None, "{other}");
        }
        let r = restamped(Path::new("/x/.res.tmp-12-345"));
        let (role, pid, stamp) = parse_hidden(r.file_name().unwrap(), n).unwrap();
        assert_eq!((role, pid), (Role::Staging, 12));
        assert_ne!(stamp, 345);
    }

    #[test]
    fn an_interrupted_swap_is_rolled_back_and_a_completed_one_finished() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        // killed between `dest → old` and `staging → dest`: the previous
        // results wait beside a missing destination
        write_folder(&dest, |d| write_a(d, "previous")).unwrap();
        std::fs::rename(&dest, dir.path().join(".res.old-7-100")).unwrap();
        // the next write fails, but has put them back first
        let r = write_folder(&dest, |_| Err(Error::usage("boom", None)));
        assert!(r.is_err());
        assert_eq!(read_a(&dest), "previous");
        assert_eq!(names(dir.path()), ["res"]);

        // of several old folders beside a missing destination, the newest
        // goes back and the others are removed
        std::fs::rename(&dest, dir.path().join(".res.old-7-300")).unwrap();
        std::fs::create_dir(dir.path().join(".res.old-7-200")).unwrap();
        let r = write_folder(&dest, |_| Err(Error::usage("boom", None)));
        assert!(r.is_err());
        assert_eq!(read_a(&dest), "previous");
        assert_eq!(names(dir.path()), ["res"]);

        // killed after both renames: the old folder beside a present
        // destination is removed
        write_folder(dir.path().join("elsewhere").as_path(), |d| {
            write_a(d, "old")
        })
        .unwrap();
        std::fs::rename(
            dir.path().join("elsewhere"),
            dir.path().join(".res.old-7-400"),
        )
        .unwrap();
        write_folder(&dest, |d| write_a(d, "new")).unwrap();
        assert_eq!(read_a(&dest), "new");
        assert_eq!(names(dir.path()), ["res"]);
    }

    #[test]
    fn the_rename_protocol_replaces_like_the_exchange() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        write_folder(&dest, |d| write_a(d, "1")).unwrap();
        let t = resolve(&dest).unwrap();
        let staging = t.hidden("tmp-1-1");
        std::fs::create_dir(&staging).unwrap();
        write_a(&staging, "2").unwrap();
        let mut guard = Staging::register(staging.clone());
        let old = swap(&t, &mut guard, &Faults("no-exchange".into()))
            .unwrap()
            .unwrap();
        assert_eq!(read_a(&dest), "2");
        assert_eq!(read_a(&old), "1");
        remove_old(&old);
        drop(guard);
        assert_eq!(names(dir.path()), ["res"]);
    }

    #[test]
    fn writers_of_one_folder_in_one_process_take_turns() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let inside = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            for i in 0..4 {
                let (dest, inside) = (&dest, &inside);
                s.spawn(move || {
                    write_folder(dest, |d| {
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "one at a time");
                        std::thread::sleep(Duration::from_millis(50));
                        inside.fetch_sub(1, Ordering::SeqCst);
                        write_a(d, &i.to_string())
                    })
                    .unwrap();
                });
            }
        });
        assert!(["0", "1", "2", "3"].contains(&read_a(&dest).as_str()));
        assert_eq!(names(dir.path()), ["res"]);
    }
}
