//! The error of a refused write, shared by validation, permissions and the protocol (which
//! re-exports it): its own module, so that none of them has to import another for it.

use serde::{Deserialize, Serialize};

/// Why a mutation was refused: a machine code, a German message for people, and the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl FieldError {
    pub fn new(code: &str, message: impl Into<String>, field: Option<&str>) -> FieldError {
        FieldError {
            code: code.to_owned(),
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {} ({})", self.message, self.code),
            None => write!(f, "{} ({})", self.message, self.code),
        }
    }
}
