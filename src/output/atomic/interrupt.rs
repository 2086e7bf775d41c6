//! What SIGINT, SIGTERM and SIGHUP do: remove the staging folders and lock
//! files this process has registered, then exit with 128 + the signal
//! number (130, 143, 129).
//!
//! The handler is `signal-hook`'s iterator: the signal handler proper only
//! writes to a pipe, and the cleanup runs on an ordinary thread, where
//! removing a folder tree is allowed. The cleanup and the swap of a result
//! folder take the same mutex ([`with_registry`]), so a signal never lands
//! between the steps of a swap, and a thread that is still writing cannot
//! report an error and exit with another code while the cleanup runs (its
//! staging guard waits for the mutex, and the process exits first).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What a registered path is, so folders go before lock files.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    /// A staging folder, or a previous result folder being removed.
    Folder,
    /// A destination's lock file.
    LockFile,
}

/// The paths removed on a signal.
#[derive(Default)]
pub(super) struct Registry(Vec<(PathBuf, Kind)>);

impl Registry {
    pub(super) fn add(&mut self, path: &Path, kind: Kind) {
        self.0.push((path.to_path_buf(), kind));
    }

    pub(super) fn remove(&mut self, path: &Path) {
        self.0.retain(|(p, _)| p != path);
    }

    pub(super) fn contains(&self, path: &Path) -> bool {
        self.0.iter().any(|(p, _)| p == path)
    }

    /// Removes every registered folder, then every lock file.
    fn clean_up(&mut self) {
        for (path, _) in self.0.iter().filter(|(_, k)| *k == Kind::Folder) {
            // Moved out of the way first, so a thread still writing into it
            // cannot add files while the tree is being removed; the new
            // name is another of this process's staging names, which a
            // later run removes if this removal fails.
            let doomed = super::restamped(path);
            let target = match std::fs::rename(path, &doomed) {
                Ok(()) => doomed,
                Err(_) => path.clone(),
            };
            for _ in 0..3 {
                if super::remove_tree(&target).is_ok() || !target.exists() {
                    break;
                }
            }
        }
        for (path, _) in self.0.iter().filter(|(_, k)| *k == Kind::LockFile) {
            let _ = std::fs::remove_file(path);
        }
        self.0.clear();
    }
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry(Vec::new()));

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` with the registry locked: a signal that arrives meanwhile is
/// handled only after `f` returns.
pub(super) fn with_registry<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    f(&mut registry())
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (Unix; elsewhere the
/// default behaviour stays). A signal this process was started with
/// ignored (`nohup`, or SIGINT for a background job of a script) stays
/// ignored. Call it once, early in `main`.
pub fn install_signal_handlers() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
            .into_iter()
            .filter(|&s| !ignored(s))
            .collect();
        if wanted.is_empty() {
            return;
        }
        let Ok(mut signals) = signal_hook::iterator::Signals::new(wanted) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("geosim-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let mut reg = registry();
                    reg.clean_up();
                    // The registry stays locked: no other thread can start
                    // a swap or report an error before the process ends.
                    std::process::exit(128 + signal);
                }
            });
    }
}

/// Whether `signal` is ignored (SIG_IGN) in this process.
#[cfg(unix)]
fn ignored(signal: i32) -> bool {
    // SAFETY: with a null new action, sigaction only writes the current
    // action into `old`, a zeroed (valid) `sigaction` owned here.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}
