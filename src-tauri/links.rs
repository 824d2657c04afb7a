//! Links in a mail body open in the system browser, and only after the user has seen where they go.
//!
//! The mask engine gives every link `target="_blank"`, and the body frame is sandboxed with
//! `allow-popups` only (no `allow-popups-to-escape-sandbox`), so a click in the body asks the
//! webview for a new window instead of navigating the frame. [`new_window_handler`] refuses every
//! new window and offers http, https and mailto targets to the UI as a `link-requested` event;
//! the UI shows the whole target in its "Open link?" dialog, and `open_link` (in `commands.rs`)
//! checks it again with [`checked_link`] before the [`Browser`] opens it.
//!
//! This module does not stop navigations: the parent's CSP (`frame-src 'self'`) and the body
//! document's own CSP keep the frame from loading anything remote.

use serde::Serialize;
use tauri::webview::{NewWindowFeatures, NewWindowResponse};
use tauri::{AppHandle, Emitter, Manager, Runtime, Url};

/// The event the UI answers with its "Open link?" dialog.
pub const LINK_REQUESTED: &str = "link-requested";

/// The longest link we open. Tracking links in newsletters run to a few kilobytes; a longer one
/// is more likely a way to hide the host off the edge of the dialog than a real address.
pub const MAX_LINK_LENGTH: usize = 8 * 1024;

/// The schemes a mail link may open with: the web and a new message.
const OPENED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Emitted when the body asks to follow a link: `link-requested`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkRequested {
    /// The link's whole target, as the webview resolved it.
    pub url: String,
}

/// Why a link is not opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("This is not a web or e-mail link")]
    Unreadable,
    #[error("Links of the {0}: kind are not opened")]
    Scheme(String),
    #[error("The link carries a user name or password, which is a common way to disguise the real site")]
    Credentials,
    #[error("The link is {0} characters long, more than the {MAX_LINK_LENGTH} opened")]
    TooLong(usize),
}

/// `text` as a link the system browser may open: http, https or mailto, without a user name
/// or password, at most [`MAX_LINK_LENGTH`] long.
pub fn checked_link(text: &str) -> Result<Url, LinkRefused> {
    if text.len() > MAX_LINK_LENGTH {
        return Err(LinkRefused::TooLong(text.len()));
    }
    let url = Url::parse(text).map_err(|_| LinkRefused::Unreadable)?;
    if !OPENED_SCHEMES.contains(&url.scheme()) {
        return Err(LinkRefused::Scheme(url.scheme().to_string()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LinkRefused::Credentials);
    }
    Ok(url)
}

/// What becomes of a new-window request: offered to the user, or only logged. Relative links in
/// a mail resolve against the app's own page (`app_url`), so a link back to the app's origin is
/// no link to offer.
pub fn offer(url: &Url, app_url: Option<&Url>) -> Option<LinkRequested> {
    if !OPENED_SCHEMES.contains(&url.scheme()) {
        eprintln!("Tidings: a {}: link was not offered to open.", url.scheme());
        return None;
    }
    // A mailto: origin is opaque and equals no other.
    if app_url.is_some_and(|app_url| app_url.origin() == url.origin()) {
        eprintln!("Tidings: a relative link (to the app itself) was not offered to open.");
        return None;
    }
    // Links with credentials or too long are offered too: the dialog shows them whole (user name
    // marked), and Open in browser answers with `open_link`'s refusal.
    Some(LinkRequested { url: url.to_string() })
}

/// The new-window handler of the main window: never a new window inside the app; a link the
/// user may follow goes to the UI as `link-requested`.
pub fn new_window_handler<R: Runtime>(
    app: AppHandle<R>,
) -> impl Fn(Url, NewWindowFeatures) -> NewWindowResponse<R> + Send + 'static {
    move |url, _features| {
        let main = app.get_webview_window("main");
        let app_url = main.as_ref().and_then(|window| window.url().ok());
        if let Some(request) = offer(&url, app_url.as_ref()) {
            if let Err(error) = app.emit_to("main", LINK_REQUESTED, request) {
                eprintln!("Tidings: the link could not be offered: {error:#}.");
            }
        }
        NewWindowResponse::Deny
    }
}

/// Where checked links go: the system's default handler in the app (through
/// `tauri-plugin-opener`'s Rust API; the plugin itself is not registered, so the UI has no
/// opener commands); the IPC tests put a recorder here instead.
pub struct Browser {
    open: Box<OpenFn>,
}

/// Opens one link, or says why it could not.
type OpenFn = dyn Fn(&Url) -> Result<(), String> + Send + Sync;

impl Browser {
    /// The system browser (or mail program, for mailto).
    pub fn system() -> Browser {
        Browser::new(|url| {
            tauri_plugin_opener::open_url(url.as_str(), None::<&str>).map_err(|error| error.to_string())
        })
    }

    /// A browser that calls `open` with each link.
    pub fn new(open: impl Fn(&Url) -> Result<(), String> + Send + Sync + 'static) -> Browser {
        Browser { open: Box::new(open) }
    }

    /// Opens an already checked link.
    pub fn open(&self, url: &Url) -> Result<(), String> {
        (self.open)(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn web_and_mail_links_are_offered_others_only_logged() {
        let app = url("tauri://localhost/");
        for offered in ["https://example.com/a?b=c#d", "http://127.0.0.1:9/login", "mailto:a@b.example"] {
            assert_eq!(offer(&url(offered), Some(&app)), Some(LinkRequested { url: offered.into() }));
        }
        for ignored in
            ["file:///etc/passwd", "tauri://localhost/page.html", "about:blank", "ftp://x.example/"]
        {
            assert_eq!(offer(&url(ignored), Some(&app)), None, "{ignored}");
        }
        // On Windows the app's own page is http://tauri.localhost: a relative link in a mail lands there.
        let windows_app = url("http://tauri.localhost/index.html");
        assert_eq!(offer(&url("http://tauri.localhost/page.html"), Some(&windows_app)), None);
    }

    #[test]
    fn only_plain_web_and_mail_links_pass_the_check() {
        for good in ["https://example.com/", "http://example.com/a", "mailto:someone@example.org?subject=x"] {
            assert!(checked_link(good).is_ok(), "{good}");
        }
        let refusals = [
            ("javascript:alert(1)", LinkRefused::Scheme("javascript".into())),
            ("file:///etc/passwd", LinkRefused::Scheme("file".into())),
            ("data:text/html,x", LinkRefused::Scheme("data".into())),
            ("not a link", LinkRefused::Unreadable),
            ("", LinkRefused::Unreadable),
            ("https://paypal.com@evil.example/", LinkRefused::Credentials),
            ("https://user:secret@example.com/", LinkRefused::Credentials),
        ];
        for (text, refusal) in refusals {
            assert_eq!(checked_link(text), Err(refusal), "{text}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_LINK_LENGTH));
        assert_eq!(checked_link(&long), Err(LinkRefused::TooLong(long.len())));
    }
}
