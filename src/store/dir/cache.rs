//! [`DirCache`]: the directory cache backend — one JSON file per entry at
//! `<state>/cache/<namespace>/<key>.json`, replaced atomically.

use crate::store::cache::{Cache, CacheEntry, CacheError, CacheKey, check_address};
use crate::store::fs::{atomic_write, ensure_dir, read_state_file};
use crate::store::state_dir::StateDir;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DirCache {
    state: StateDir,
}

fn store_err(what: &Path, e: impl std::error::Error + Send + Sync + 'static) -> CacheError {
    CacheError::Store {
        what: what.display().to_string(),
        source: Box::new(e),
    }
}

impl DirCache {
    pub fn new(state_dir: &Path) -> DirCache {
        DirCache {
            state: StateDir::new(state_dir),
        }
    }

    fn path(&self, namespace: &str, key: &str) -> Result<PathBuf, CacheError> {
        check_address(namespace, key)?;
        let mut p = self.state.cache_dir();
        p.extend(namespace.split('/'));
        Ok(p.join(format!("{key}.json")))
    }

    fn walk(&self, dir: &Path, ns: &str, out: &mut Vec<CacheKey>) -> Result<(), CacheError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(store_err(dir, e)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let child_ns = if ns.is_empty() {
                name.clone()
            } else {
                format!("{ns}/{name}")
            };
            if kind.is_dir() {
                self.walk(&entry.path(), &child_ns, out)?;
            } else if let Some(key) = name.strip_suffix(".json")
                && !ns.is_empty()
                && check_address(ns, key).is_ok()
            {
                out.push(CacheKey {
                    namespace: ns.to_owned(),
                    key: key.to_owned(),
                });
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Cache for DirCache {
    async fn put(&self, namespace: &str, key: &str, entry: &CacheEntry) -> Result<(), CacheError> {
        let path = self.path(namespace, key)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        ensure_dir(dir).map_err(|e| store_err(&path, e))?;
        let text = serde_json::to_vec_pretty(entry).map_err(|e| store_err(&path, e))?;
        atomic_write(&path, &text).map_err(|e| store_err(&path, e))
    }

    async fn list(&self, namespace: &str) -> Result<Vec<CacheKey>, CacheError> {
        let mut dir = self.state.cache_dir();
        if !namespace.is_empty() {
            check_address(namespace, "x")?;
            dir.extend(namespace.split('/'));
        }
        let mut out = Vec::new();
        self.walk(&dir, namespace, &mut out)?;
        out.sort();
        Ok(out)
    }

    async fn entry(&self, namespace: &str, key: &str) -> Result<Option<CacheEntry>, CacheError> {
        let path = self.path(namespace, key)?;
        let Some(bytes) = read_state_file(&path).map_err(|e| store_err(&path, e))? else {
            return Ok(None);
        };
        // A damaged entry is a miss.
        Ok(serde_json::from_slice(&bytes).ok())
    }
}
