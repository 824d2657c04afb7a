//! Maildir++ on disk for the test server: folder names, folder creation, delivery and ownership.
//!
//! Owns only file-system layout; it does not talk to Dovecot (Dovecot notices new files on its next sync).

use std::fs;
use std::os::unix::fs::chown as chown_path;
use std::path::Path;
use std::process::Command;

use crate::{io_error, Result, TestkitError};

/// The uid/gid that own all test mail (Dovecot's static userdb runs mail processes as them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner {
    uid: u32,
    gid: u32,
}

impl Owner {
    /// Looks `name` up with `id(1)`; `None` when there is no such user.
    pub(crate) fn lookup(name: &str) -> Result<Option<Self>> {
        let id = |flag: &str| -> Result<Option<u32>> {
            let output =
                Command::new("id").args([flag, name]).output().map_err(|e| io_error("running id(1)", e))?;
            Ok(output
                .status
                .success()
                .then(|| String::from_utf8_lossy(&output.stdout).trim().parse().ok())
                .flatten())
        };
        Ok(match (id("-u")?, id("-g")?) {
            (Some(uid), Some(gid)) => Some(Self { uid, gid }),
            _ => None,
        })
    }
}

/// Maps an IMAP mailbox name to its folder path relative to the maildir root.
///
/// `INBOX` (any case) is the root itself; `Archive/2024` is `.Archive.2024` (maildir++ uses `.` as the
/// hierarchy separator, so names containing `.` are refused rather than silently split).
pub fn maildir_folder_for(mailbox: &str) -> Result<String> {
    if mailbox.eq_ignore_ascii_case("INBOX") {
        return Ok(String::new());
    }
    let parts: Vec<&str> = mailbox.split('/').collect();
    let valid = parts.iter().all(|part| !part.is_empty() && !part.contains(['.', '\0', '\n', '\r']));
    if !valid {
        return Err(TestkitError::InvalidMailbox(mailbox.to_owned()));
    }
    Ok(format!(".{}", parts.join(".")))
}

/// Creates `folder` with `cur`, `new` and `tmp`, owned by `owner`.
pub(crate) fn create_folder(folder: &Path, owner: Owner) -> Result<()> {
    for sub in ["cur", "new", "tmp"] {
        let path = folder.join(sub);
        fs::create_dir_all(&path).map_err(|e| io_error(&format!("creating {}", path.display()), e))?;
        chown(&path, owner)?;
    }
    chown(folder, owner)?;
    // A maildir++ subfolder is marked so that it is not mistaken for a root.
    if folder.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
        let marker = folder.join("maildirfolder");
        if !marker.exists() {
            fs::write(&marker, b"").map_err(|e| io_error(&format!("writing {}", marker.display()), e))?;
            chown(&marker, owner)?;
        }
    }
    if let Some(parent) = folder.parent() {
        chown(parent, owner)?;
    }
    Ok(())
}

/// Writes `message` into `tmp/` and renames it into `cur/<name>:2,`, the maildir way (no half files seen).
pub(crate) fn deliver(folder: &Path, name: &str, message: &[u8], owner: Owner) -> Result<()> {
    let tmp = folder.join("tmp").join(name);
    fs::write(&tmp, message).map_err(|e| io_error(&format!("writing {}", tmp.display()), e))?;
    chown(&tmp, owner)?;
    let cur = folder.join("cur").join(format!("{name}:2,"));
    fs::rename(&tmp, &cur).map_err(|e| io_error(&format!("moving {} to cur/", tmp.display()), e))
}

pub(crate) fn chown(path: &Path, owner: Owner) -> Result<()> {
    chown_path(path, Some(owner.uid), Some(owner.gid))
        .map_err(|e| io_error(&format!("chown {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::maildir_folder_for;

    #[test]
    fn maps_mailbox_names_to_maildir_plus_plus_folders() {
        assert_eq!(maildir_folder_for("INBOX").ok().as_deref(), Some(""));
        assert_eq!(maildir_folder_for("inbox").ok().as_deref(), Some(""));
        assert_eq!(maildir_folder_for("Sent").ok().as_deref(), Some(".Sent"));
        assert_eq!(maildir_folder_for("Archive/2024").ok().as_deref(), Some(".Archive.2024"));
        assert!(maildir_folder_for("a.b").is_err());
        assert!(maildir_folder_for("").is_err());
        assert!(maildir_folder_for("/x").is_err());
    }
}
