//! Renders the self-contained `dovecot.conf` of one test server.
//!
//! Owns the configuration text only; it writes no files and starts nothing. The settings follow
//! recipes/dovecot-test.sh and recipes/dovecot-tls-test.sh (Dovecot 2.3, one setting per line in blocks).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What varies between test servers.
pub(crate) struct Settings<'a> {
    /// The temp dir that holds run/, state/, mail/, passwd and the log.
    pub root: &'a Path,
    pub imap_port: u16,
    /// The implicit-TLS listener port; `None` disables the listener.
    pub imaps_port: Option<u16>,
    /// `(cert, key)` PEM files; `Some` turns on `ssl = yes` (STARTTLS on the plain port).
    pub tls_files: Option<(PathBuf, PathBuf)>,
    pub id_log: bool,
    /// `quota_rule` of Dovecot's quota plugin (count backend, IMAP QUOTA on); `None` = no quota.
    pub quota_rule: Option<&'a str>,
}

/// True when `value` can sit in a `user:{PLAIN}password` passwd-file line unchanged.
pub(crate) fn is_passwd_file_safe(value: &str) -> bool {
    !value.is_empty() && !value.contains([':', '\n', '\r'])
}

pub(crate) fn render(s: &Settings<'_>) -> String {
    let root = s.root.display();
    let mut conf = String::new();
    // `writeln!` into a String cannot fail; the results are ignored for that reason.
    let _ = writeln!(
        conf,
        "protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=vmail gid=vmail home={root}/mail/%u
}}
service anvil {{
  chroot =
}}"
    );
    if s.id_log {
        let _ = writeln!(conf, "imap_id_log = *");
    }
    if let Some(rule) = s.quota_rule {
        // The count backend keeps usage in the mailbox indexes and needs virtual sizes
        // (Dovecot 2.3 "Quota: count"); imap_quota adds the QUOTA capability and GETQUOTAROOT.
        let _ = writeln!(
            conf,
            "mail_plugins = $mail_plugins quota
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
plugin {{
  quota = count:User quota
  quota_rule = {rule}
  quota_vsizes = yes
}}"
        );
    }
    match &s.tls_files {
        Some((cert, key)) => {
            let _ = writeln!(
                conf,
                "ssl = yes\nssl_cert = <{}\nssl_key = <{}\nssl_min_protocol = TLSv1.2",
                cert.display(),
                key.display()
            );
        }
        None => {
            let _ = writeln!(conf, "ssl = no\ndisable_plaintext_auth = no");
        }
    }
    let (imaps_port, imaps_ssl) = match s.imaps_port {
        Some(port) => (port, "\n    ssl = yes"),
        None => (0, ""),
    };
    let _ = writeln!(
        conf,
        "service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}{imaps_ssl}
  }}
}}",
        imap = s.imap_port
    );
    conf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(root: &Path, tls: bool) -> Settings<'_> {
        Settings {
            root,
            imap_port: 1143,
            imaps_port: tls.then_some(1993),
            tls_files: tls.then(|| (root.join("tls/chain.pem"), root.join("tls/key.pem"))),
            id_log: true,
            quota_rule: None,
        }
    }

    #[test]
    fn plain_config_disables_ssl_and_the_imaps_listener() {
        let conf = render(&settings(Path::new("/tmp/x"), false));
        assert!(conf.contains("ssl = no\n"));
        assert!(conf.contains("disable_plaintext_auth = no\n"));
        assert!(conf.contains("port = 1143\n"));
        assert!(conf.contains("port = 0\n"));
        assert!(conf.contains("mail_location = maildir:/tmp/x/mail/%u/Maildir\n"));
    }

    #[test]
    fn tls_config_has_cert_and_an_ssl_imaps_listener() {
        let conf = render(&settings(Path::new("/tmp/x"), true));
        assert!(conf.contains("ssl = yes\nssl_cert = </tmp/x/tls/chain.pem\n"));
        assert!(conf.contains("ssl_min_protocol = TLSv1.2\n"));
        assert!(conf.contains("port = 1993\n    ssl = yes\n"));
    }

    #[test]
    fn quota_is_off_unless_a_rule_is_given() {
        let root = Path::new("/tmp/x");
        assert!(!render(&settings(root, false)).contains("quota"));
        let conf = render(&Settings { quota_rule: Some("*:storage=10M"), ..settings(root, false) });
        assert!(conf.contains("mail_plugins = $mail_plugins quota\n"));
        assert!(conf.contains("protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n"));
        assert!(
            conf.contains("  quota = count:User quota\n  quota_rule = *:storage=10M\n  quota_vsizes = yes\n")
        );
    }

    #[test]
    fn passwd_file_rejects_separators() {
        assert!(is_passwd_file_safe("correct horse"));
        assert!(!is_passwd_file_safe("a:b"));
        assert!(!is_passwd_file_safe("a\nb"));
        assert!(!is_passwd_file_safe(""));
    }
}
