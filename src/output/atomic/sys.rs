//! The system calls std does not offer: the atomic exchange of two paths,
//! whether a process is alive, and killing this process on the spot (for
//! the fault-injection points of the tests).

use std::io;
use std::path::Path;

/// Atomically exchanges the folders at `a` and `b` (Linux
/// `renameat2(…, RENAME_EXCHANGE)`). `Ok(false)` when the kernel or the
/// file system cannot (ENOSYS, EINVAL, EOPNOTSUPP): the caller falls back.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated strings that outlive the call;
    // renameat2 only reads them. The raw system call is used so that the
    // binary does not need a C library that wraps it (glibc ≥ 2.28).
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::c_long::from(libc::AT_FDCWD),
            a.as_ptr(),
            libc::c_long::from(libc::AT_FDCWD),
            b.as_ptr(),
            libc::c_long::from(libc::RENAME_EXCHANGE),
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOSYS | libc::EINVAL | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Whether process `pid` exists (signal 0 reaches it, or would but for
/// permissions). Without a way to tell, every process counts as alive.
#[cfg(unix)]
pub(super) fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks the pid.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
pub(super) fn alive(_: u32) -> bool {
    true
}

/// Ends this process at once, as `kill -9` would: no destructor, no
/// handler, no core file.
pub(super) fn kill_self() -> ! {
    #[cfg(unix)]
    // SAFETY: sending SIGKILL to this process has no memory effects.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    std::process::abort()
}
