//! The error every command returns: a closed `code` the UI switches on, and a message for people.

use serde::Serialize;
use tidings_store::StoreError;

/// What went wrong, as the UI tells it apart (mirrored in `ui/src/lib/ipc.ts`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The message or account asked for is not in the cache.
    NotFound,
    /// The cache could not be read or written.
    Cache,
}

/// An error crossing IPC.
#[derive(Debug, Serialize)]
pub struct IpcError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A sentence for the user.
    pub message: String,
}

impl IpcError {
    pub fn not_found(message: impl Into<String>) -> IpcError {
        IpcError { code: ErrorCode::NotFound, message: message.into() }
    }
}

impl From<StoreError> for IpcError {
    fn from(error: StoreError) -> IpcError {
        IpcError { code: ErrorCode::Cache, message: error.to_string() }
    }
}
