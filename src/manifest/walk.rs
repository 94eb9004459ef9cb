//! Finding manifest files: every path given may be a file (read whatever its extension) or a
//! folder, read recursively for `*.yaml` / `*.yml` in sorted order so the result never depends on
//! directory order. Directories whose name starts with a dot (`.git`, `.github`, `.reservoir`)
//! are skipped, so `reservoir plan .` works at the root of a GitOps repository. Symlinks are
//! followed, each folder read once; a symlink that leads back into a folder being read, a
//! dangling symlink and a symlink loop are warnings naming the link, never skipped silently.

use super::diagnostics::Diagnostic;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The manifest files under `paths`, in order, each once. Problems (a missing path, a folder
/// with no manifests, an unreadable folder) are returned as diagnostics.
pub(super) fn manifest_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                problems.push(Diagnostic::error(format!(
                    "cannot read \"{}\": {}",
                    path.display(),
                    io_reason(&e)
                )));
                continue;
            }
        };
        let before = files.len();
        if meta.is_dir() {
            let mut walk = Walk {
                files: &mut files,
                problems: &mut problems,
                visited: BTreeSet::new(),
                stack: Vec::new(),
            };
            walk.dir(path);
            if files.len() == before {
                problems.push(
                    Diagnostic::error(format!(
                        "no manifests (*.yaml, *.yml) in \"{}\"",
                        path.display()
                    ))
                    .with_hint("folders whose name starts with a dot are skipped"),
                );
            }
        } else {
            files.push(path.clone());
        }
        // The same file named twice (directly and through its folder) is read once.
        let mut i = before;
        while i < files.len() {
            let key = std::fs::canonicalize(&files[i]).unwrap_or_else(|_| files[i].clone());
            if seen.insert(key) {
                i += 1;
            } else {
                files.remove(i);
            }
        }
    }
    (files, problems)
}

struct Walk<'a> {
    files: &'a mut Vec<PathBuf>,
    problems: &'a mut Vec<Diagnostic>,
    /// Every folder read, canonical.
    visited: BTreeSet<PathBuf>,
    /// The folders being read (canonical), outermost first.
    stack: Vec<PathBuf>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path) {
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !self.visited.insert(canonical.clone()) {
            return; // read already, through another path
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.problems.push(Diagnostic::error(format!(
                    "cannot read folder \"{}\": {}",
                    dir.display(),
                    io_reason(&e)
                )));
                return;
            }
        };
        self.stack.push(canonical);
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_symlink() {
                self.symlink(&path, &name);
            } else if ft.is_dir() {
                if !name.starts_with('.') {
                    self.dir(&path);
                }
            } else if is_manifest_name(&name) && ft.is_file() {
                self.files.push(path);
            }
        }
        self.stack.pop();
    }

    fn symlink(&mut self, path: &Path, name: &str) {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                // Only links that could be a manifest or a folder of them are worth a word.
                let could_be_manifest = is_manifest_name(name) || !name.contains('.');
                if name.starts_with('.') || !could_be_manifest {
                    return;
                }
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    format!("dangling symlink (its target \"{target}\" does not exist)")
                } else if e.raw_os_error() == Some(LOOP_ERRNO) {
                    format!("symlink loop (\"{target}\" leads back to itself)")
                } else {
                    format!("symlink to \"{target}\" cannot be read: {}", io_reason(&e))
                };
                self.problems.push(
                    Diagnostic::warning(format!("{why}: \"{}\" is not read", path.display()))
                        .with_hint("fix or remove the link")
                        .in_file(path),
                );
                return;
            }
        };
        if meta.is_dir() {
            if name.starts_with('.') {
                return;
            }
            let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            if self.stack.contains(&canonical) {
                self.problems.push(
                    Diagnostic::warning(format!(
                        "symlink loop: \"{}\" leads back to \"{}\", a folder being read; \
                         not followed again",
                        path.display(),
                        canonical.display()
                    ))
                    .with_hint("the folder's manifests are read once")
                    .in_file(path),
                );
                return;
            }
            self.dir(path);
        } else if meta.is_file() && is_manifest_name(name) {
            self.files.push(path.to_path_buf());
        }
    }
}

/// `ELOOP`: too many levels of symbolic links.
#[cfg(target_os = "linux")]
const LOOP_ERRNO: i32 = 40;
#[cfg(not(target_os = "linux"))]
const LOOP_ERRNO: i32 = 62;

fn is_manifest_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_skips_dot_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in [
            "b.yaml",
            "a.yml",
            "notes.txt",
            "sub/c.yaml",
            ".github/w.yml",
            ".git/x.yaml",
        ] {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "version: 1\n").unwrap();
        }
        let (files, problems) = manifest_files(&[root.to_path_buf(), root.join("b.yaml")]);
        assert!(problems.is_empty());
        let names: Vec<_> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml", "sub/c.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_folders_are_followed_and_broken_links_named() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/a.yaml"), "version: 1\n").unwrap();
        std::fs::create_dir_all(root.join("repo")).unwrap();
        symlink(root.join("real"), root.join("repo/linked")).unwrap();
        symlink(root.join("nowhere.yaml"), root.join("repo/dangling.yaml")).unwrap();
        symlink(root.join("repo/self.yaml"), root.join("repo/self.yaml")).unwrap();
        symlink(root.join("repo"), root.join("repo/back")).unwrap();
        let (files, problems) = manifest_files(&[root.join("repo")]);
        let names: Vec<_> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["repo/linked/a.yaml"]);
        let text: Vec<_> = problems.iter().map(|p| p.message.clone()).collect();
        assert_eq!(problems.len(), 3, "{text:#?}");
        assert!(problems.iter().all(|p| !p.is_error()), "{text:#?}");
        assert!(text[0].starts_with("symlink loop: ") && text[0].contains("repo/back"));
        assert!(text[1].starts_with("dangling symlink") && text[1].contains("dangling.yaml"));
        assert!(text[2].starts_with("symlink loop (") && text[2].contains("self.yaml"));
    }

    #[test]
    fn missing_path_is_a_problem() {
        let (files, problems) = manifest_files(&[PathBuf::from("/no/such/manifest/dir")]);
        assert!(files.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("no such file or folder"));
    }
}
