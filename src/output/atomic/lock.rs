//! The advisory lock that serialises writers of one destination: the lock
//! file `.NAME.lock` beside it, locked with `flock` (std's `File::lock`)
//! and holding the writer's process id for the message a waiting writer
//! prints.
//!
//! The lock file is removed when the writer finishes, so no run leaves it
//! behind. Removing a lock file is safe only because a writer that obtains
//! the lock checks that the file it locked is still the one at the path
//! (same device and inode); if the previous holder removed it meanwhile,
//! it opens the path again. (Elsewhere than on Unix the file is kept.)

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::interrupt::{Kind, with_registry};
use crate::error::Error;

/// A held lock; dropping it removes the lock file and releases the lock.
pub(super) struct DestLock {
    path: PathBuf,
    /// `None` when the file system cannot lock files: the write goes on
    /// unserialised rather than not at all.
    _held: Option<File>,
}

impl DestLock {
    /// Takes the lock at `path` for `dest`, waiting (after a message on
    /// stderr naming the holder) while another writer holds it.
    pub(super) fn acquire(path: PathBuf, dest: &Path) -> Result<DestLock, Error> {
        let mut announced = false;
        loop {
            let mut file = open(&path).map_err(|e| Error::io("create", &path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    if !announced {
                        announce(&mut file, dest);
                        announced = true;
                    }
                    if let Err(e) = file.lock() {
                        return unlocked_or(path, e);
                    }
                }
                Err(TryLockError::Error(e)) => return unlocked_or(path, e),
            }
            if still_linked(&file, &path) {
                let _ = file
                    .set_len(0)
                    .and_then(|()| file.seek(SeekFrom::Start(0)))
                    .and_then(|_| writeln!(file, "{}", std::process::id()));
                with_registry(|r| r.add(&path, Kind::LockFile));
                return Ok(DestLock {
                    path,
                    _held: Some(file),
                });
            }
        }
    }
}

impl Drop for DestLock {
    fn drop(&mut self) {
        with_registry(|r| {
            r.remove(&self.path);
            // Removed while still locked: see the module documentation.
            if cfg!(unix) {
                let _ = std::fs::remove_file(&self.path);
            }
        });
        // `self._held` closes after this, which releases the lock.
    }
}

/// A file system without locks (some network and FUSE file systems) does
/// not stop the write; any other failure does.
fn unlocked_or(path: PathBuf, e: io::Error) -> Result<DestLock, Error> {
    let unsupported = e.kind() == io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if is_no_lock_code(code));
    if unsupported {
        Ok(DestLock { path, _held: None })
    } else {
        Err(Error::io("lock", path, e))
    }
}

#[cfg(unix)]
fn is_no_lock_code(code: i32) -> bool {
    code == libc::ENOLCK || code == libc::EOPNOTSUPP || code == libc::ENOSYS
}

#[cfg(not(unix))]
fn is_no_lock_code(_: i32) -> bool {
    false
}

fn open(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A symlink planted at the lock's name is not followed.
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    opts.open(path)
}

/// Whether `path` still names the file `file` has open.
#[cfg(unix)]
fn still_linked(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_linked(_: &File, _: &Path) -> bool {
    true
}

/// The process id in the lock file, if written.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Tells the user why the run pauses.
fn announce(file: &mut File, dest: &Path) {
    // The holder writes its id right after taking the lock: give it a
    // moment when it has only just taken it.
    let mut pid = holder(file);
    for _ in 0..50 {
        if pid.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(4));
        pid = holder(file);
    }
    let holder = match pid {
        Some(pid) if pid == std::process::id() => "another thread of this process".to_string(),
        Some(pid) => format!("process {pid}"),
        None => "another process".to_string(),
    };
    let _ = writeln!(
        io::stderr().lock(),
        "`{}` is in use by {holder}; waiting for it to finish writing",
        dest.display()
    );
}
