//! What can go wrong, each with what to fix.
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestError {
    /// A receipt line is malformed (line 0: a receipt given to `ReceiptLog::append`).
    Receipt {
        line: u64,
        reason: String,
    },
    /// A report file is malformed, not canonical, or inconsistent.
    Report(String),
    /// A proof does not lead to the root, or is not for this receipt.
    Proof(String),
    /// Arguments or inputs that cannot make a report or a plan.
    Invalid(String),
    Io(String),
}

impl fmt::Display for AttestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttestError::Receipt { line: 0, reason } => write!(f, "receipt: {reason}"),
            AttestError::Receipt { line, reason } => write!(f, "receipt at line {line}: {reason}"),
            AttestError::Report(reason) => write!(f, "report: {reason}"),
            AttestError::Proof(reason) => write!(f, "proof: {reason}"),
            AttestError::Invalid(reason) => write!(f, "{reason}"),
            AttestError::Io(reason) => write!(f, "i/o: {reason}"),
        }
    }
}

impl std::error::Error for AttestError {}

pub type Result<T> = std::result::Result<T, AttestError>;
