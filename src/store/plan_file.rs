//! Plan files (`plan --out FILE`, `apply --plan FILE`, `show FILE`): reading and writing the
//! JSON of a [`SavedPlan`]. The (de)serialization and its checks live in [`crate::plan::saved`],
//! which does no I/O; this module only moves the bytes, writing through the one atomic-write
//! helper ([`super::fs::atomic_write`]).

use crate::plan::{SavedPlan, SavedPlanError};
use std::path::{Path, PathBuf};

/// Why a plan file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot read plan file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write plan file {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: super::fs::FsError,
    },
    #[error(transparent)]
    Invalid(#[from] SavedPlanError),
}

/// Reads a plan saved by [`write`], checking that it is a plan of a version this build reads.
pub fn read(path: &Path) -> Result<SavedPlan, PlanFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(SavedPlan::from_json(&text, path)?)
}

/// Writes `plan` to `path` atomically: readers see the old file or the new one, never a mix.
pub fn write(path: &Path, plan: &SavedPlan) -> Result<(), PlanFileError> {
    // A bare file name is in the current folder.
    let path_in_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => path.to_owned(),
        _ => Path::new(".").join(path),
    };
    super::fs::atomic_write(&path_in_dir, plan.to_json().as_bytes()).map_err(|source| {
        PlanFileError::Write {
            path: path.to_owned(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_plan_reads_back_and_a_missing_one_names_its_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plan.json");
        let now = chrono::Utc::now();
        let desired = crate::manifest::DesiredState {
            customers: Vec::new(),
            limits: crate::manifest::Limits::default(),
            manifest_hash: "0".repeat(64),
        };
        let plan = crate::plan::diff(&desired, &crate::plan::Observation::default());
        let saved = SavedPlan::new(plan, now, chrono::Duration::hours(1));
        write(&path, &saved).expect("writes");
        assert_eq!(read(&path).expect("reads"), saved);

        let missing = read(&dir.path().join("nope.json")).unwrap_err();
        assert!(matches!(missing, PlanFileError::Read { .. }), "{missing}");
        assert!(missing.to_string().contains("nope.json"), "{missing}");

        std::fs::write(&path, "[1]").expect("write");
        let e = read(&path).unwrap_err();
        assert!(e.to_string().contains("is not a reservoir plan"), "{e}");
    }
}
