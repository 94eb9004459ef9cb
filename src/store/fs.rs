//! File-system primitives of the directory store: opening state files without following
//! symlinks, refusing files owned by another user, the one atomic-write helper (write a temporary
//! file beside the target, fsync, rename over it, fsync the directory) and directory fsync.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a state file or directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("cannot use {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} is owned by user id {owner}, not by the current user (id {current}); \
         refusing to use state another user can change"
    )]
    NotOwned {
        path: PathBuf,
        owner: u32,
        current: u32,
    },
    #[error("{path} is a symbolic link; state files and the state directory must not be links")]
    Symlink { path: PathBuf },
}

impl FsError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FsError + '_ {
        move |source| FsError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Options that never follow a symlink in the last path component (`O_NOFOLLOW` on unix).
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options
}

/// Opens `path` with `options` without following a symlink, and checks that the file is owned by
/// the current user.
pub fn open_state_file(path: &Path, options: &mut OpenOptions) -> Result<File, FsError> {
    let file = no_follow(options)
        .open(path)
        .map_err(|e| symlink_or_io(path, e))?;
    check_owner_of(path, &file)?;
    Ok(file)
}

/// Reads a whole state file (not through a symlink, owned by the current user); `Ok(None)` when
/// it does not exist.
pub fn read_state_file(path: &Path) -> Result<Option<Vec<u8>>, FsError> {
    let mut options = OpenOptions::new();
    options.read(true);
    let mut file = match open_state_file(path, &mut options) {
        Ok(f) => f,
        Err(FsError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut out).map_err(FsError::io(path))?;
    Ok(Some(out))
}

fn symlink_or_io(path: &Path, e: std::io::Error) -> FsError {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return FsError::Symlink {
            path: path.to_owned(),
        };
    }
    FsError::Io {
        path: path.to_owned(),
        source: e,
    }
}

/// Refuses a directory that is a symlink or is not owned by the current user.
pub fn check_dir(path: &Path) -> Result<(), FsError> {
    let meta = std::fs::symlink_metadata(path).map_err(FsError::io(path))?;
    if meta.file_type().is_symlink() {
        return Err(FsError::Symlink {
            path: path.to_owned(),
        });
    }
    check_owner(path, &meta)
}

fn check_owner_of(path: &Path, file: &File) -> Result<(), FsError> {
    let meta = file.metadata().map_err(FsError::io(path))?;
    check_owner(path, &meta)
}

#[cfg(unix)]
fn check_owner(path: &Path, meta: &std::fs::Metadata) -> Result<(), FsError> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let current = unsafe { libc::geteuid() };
    if meta.uid() != current {
        return Err(FsError::NotOwned {
            path: path.to_owned(),
            owner: meta.uid(),
            current,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), FsError> {
    Ok(())
}

/// Replaces `path` atomically with `bytes`: a temporary file in the same directory, fsynced, then
/// renamed over `path` (a symlink at `path` is replaced, never followed), then the directory
/// fsynced. Readers see the old or the new content, never a mix.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(FsError::io(dir))?;
    tmp.write_all(bytes).map_err(FsError::io(path))?;
    tmp.as_file().sync_all().map_err(FsError::io(path))?;
    tmp.persist(path).map_err(|e| FsError::Io {
        path: path.to_owned(),
        source: e.error,
    })?;
    sync_dir(dir)
}

/// Fsyncs a directory (so a created or renamed entry survives a crash).
pub fn sync_dir(dir: &Path) -> Result<(), FsError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(FsError::io(dir))
}

/// Creates `dir` (and parents) if missing, fsyncing its parent when it was created.
pub fn ensure_dir(dir: &Path) -> Result<(), FsError> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(FsError::io(dir))?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent)?;
    }
    Ok(())
}
