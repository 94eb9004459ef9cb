//! The exit statuses of a run (DESIGN §2): what a plan's or an apply's outcome means for the
//! process. Commands return an [`ExitStatus`]; `cli::main` turns it into the process's exit
//! code, in one place.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success, no changes (0).
    Success,
    /// An error, blocked items that are not acknowledged, a partial or refused apply (1).
    Error,
    /// `plan --detailed-exitcode` found changes, or a view found what it reports (2).
    Changes,
    /// A second Ctrl-C stopped apply at once (130, the shell's code for SIGINT).
    Interrupted,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Error => 1,
            ExitStatus::Changes => 2,
            ExitStatus::Interrupted => 130,
        }
    }

    /// [`ExitStatus::Error`] when `failed`, else [`ExitStatus::Success`].
    pub fn failed_if(failed: bool) -> ExitStatus {
        if failed {
            ExitStatus::Error
        } else {
            ExitStatus::Success
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// Compares with a numeric exit code (as scripts and tests see it).
impl PartialEq<u8> for ExitStatus {
    fn eq(&self, code: &u8) -> bool {
        self.code() == *code
    }
}

/// Serialized as its number (`"exit_code": 1` in the JSON events).
impl serde::Serialize for ExitStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus;

    #[test]
    fn statuses_are_the_documented_codes() {
        assert_eq!(ExitStatus::Success, 0);
        assert_eq!(ExitStatus::Error, 1);
        assert_eq!(ExitStatus::Changes, 2);
        assert_eq!(ExitStatus::Interrupted, 130);
        assert_eq!(ExitStatus::failed_if(true), ExitStatus::Error);
        assert_eq!(
            serde_json::to_string(&ExitStatus::Changes).expect("serializes"),
            "2"
        );
    }
}
