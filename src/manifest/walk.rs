//! Finding manifest files: every path given may be a file (read whatever its extension) or a
//! folder, read recursively for `*.yaml` / `*.yml` in sorted order so the result never depends on
//! directory order. Directories whose name starts with a dot (`.git`, `.github`, `.reservoir`)
//! are skipped, and symlinked directories are not followed (no cycles), so `reservoir plan .`
//! works at the root of a GitOps repository.

use super::diagnostics::Diagnostic;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The manifest files under `paths`, in order, each once. Problems (a missing path, a folder
/// with no manifests, an unreadable folder) are returned as diagnostics.
pub fn manifest_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
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
            walk_dir(path, &mut files, &mut problems);
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

fn walk_dir(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            problems.push(Diagnostic::error(format!(
                "cannot read folder \"{}\": {}",
                dir.display(),
                io_reason(&e)
            )));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if !name.starts_with('.') {
                walk_dir(&path, files, problems);
            }
        } else if is_manifest_name(&name) && (ft.is_file() || path.is_file()) {
            files.push(path);
        }
    }
}

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

    #[test]
    fn missing_path_is_a_problem() {
        let (files, problems) = manifest_files(&[PathBuf::from("/no/such/manifest/dir")]);
        assert!(files.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("no such file or folder"));
    }
}
