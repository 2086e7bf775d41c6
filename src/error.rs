//! The program's error type and its exit codes: 2 for anything the user can
//! fix in the scenario or the arguments, 1 for I/O failures.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::scenario::LoadError;
use crate::scenario::source::ScenarioErrors;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scenario(ScenarioErrors),

    /// A request that is well-formed but cannot be honoured (too large, bad flag value).
    #[error("{message}")]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Io { .. } => 1,
            _ => 2,
        }
    }

    pub fn usage(message: impl Into<String>, help: Option<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help,
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Invalid(errors) => Error::Scenario(errors),
            LoadError::Io { path, source } => Error::io("read", path, source),
        }
    }
}
