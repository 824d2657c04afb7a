//! A visual-voicemail account from the carrier's STATUS SMS, as the user pastes it.
//!
//! The SMS (parsed by `tidings-voicemail`) carries the IMAP server, port, user and password, and
//! the box's limits. This module turns it into a [`NewAccount`] for [`crate::add`] plus the
//! [`VoicemailBox`] kept with the account, and refuses an SMS that cannot set up an account
//! (a SYNC notice, an error return code, a blocked box, missing server fields) with a sentence
//! that says what is wrong. It does not connect anywhere.

use tidings_imap::Dialect;
use tidings_store::{ConnectionSecurity, VoicemailBox};
use tidings_voicemail::sms::{self, ProvisioningStatus, ReturnCode, StatusSms, VvmSms};

use crate::{AccountsError, ManualServer, NewAccount};

/// Implicit TLS is assumed on this port; any other port gets STARTTLS, never plaintext.
const IMPLICIT_TLS_PORT: u16 = 993;

/// Everything a STATUS SMS gives to set up an account (no `Debug`: it holds the password).
pub struct SmsAccount {
    /// Ready for [`crate::add`]; `voicemail` is set.
    pub new: NewAccount,
    /// The parsed SMS, for showing its fields before connecting.
    pub status: StatusSms,
}

/// Reads a pasted STATUS SMS. The e-mail address is the SMS user when it is one, else
/// `user@server`; the port's security is implicit TLS on 993 and STARTTLS otherwise.
pub fn account_from_status_sms(text: &str) -> Result<SmsAccount, AccountsError> {
    let invalid = |message: String| AccountsError::InvalidInput(message);
    let status = match sms::parse(text).map_err(|error| invalid(error.to_string()))? {
        VvmSms::Status(status) => *status,
        VvmSms::Sync(_) => {
            return Err(invalid(
                "this is a SYNC SMS (a notice that the mailbox changed); paste the STATUS SMS, which \
                 carries the server settings"
                    .into(),
            ))
        }
    };
    if let Some(reason) = refusal(status.return_code) {
        return Err(invalid(format!("the carrier's SMS reports an error: {reason}")));
    }
    match status.provisioning_status {
        ProvisioningStatus::Blocked => {
            return Err(invalid("the carrier has blocked this voicemail box (st=B)".into()))
        }
        ProvisioningStatus::Unknown => {
            return Err(invalid("the carrier does not know this subscriber (st=U)".into()))
        }
        ProvisioningStatus::New | ProvisioningStatus::Ready | ProvisioningStatus::Provisioned => {}
    }
    let missing = |what: &str, field: &str| invalid(format!("the STATUS SMS has no {what} (`{field}=`)"));
    let host =
        status.server.clone().filter(|host| !host.is_empty()).ok_or_else(|| missing("IMAP server", "srv"))?;
    let user =
        status.imap_user.clone().filter(|user| !user.is_empty()).ok_or_else(|| missing("user name", "u"))?;
    let password = status
        .imap_password
        .as_ref()
        .map(|secret| secret.expose().to_owned())
        .filter(|password| !password.is_empty())
        .ok_or_else(|| missing("password", "pw"))?;
    let port = status.imap_port.unwrap_or(IMPLICIT_TLS_PORT);
    let security =
        if port == IMPLICIT_TLS_PORT { ConnectionSecurity::Tls } else { ConnectionSecurity::Starttls };
    let email = if user.contains('@') { user.clone() } else { format!("{user}@{host}") };
    let voicemail = VoicemailBox {
        declared_dialect: declared_dialect(&status.prefix).name().to_owned(),
        sms_prefix: status.prefix.clone(),
        languages: status.languages.clone(),
        max_greeting_seconds: status.max_greeting_seconds,
        max_voice_signature_seconds: status.max_voice_signature_seconds,
        tui_password_length: status.tui_password_length.as_ref().map(|range| (*range.start(), *range.end())),
        tui_number: status.tui_number.clone(),
        password_change_supported: status.password_change_supported,
        greeting_change_supported: status.greeting_change_supported,
    };
    let new = NewAccount {
        email,
        password,
        server: Some(ManualServer { host, port: Some(port), security, username: Some(user) }),
        accept_certificate: None,
        allow_plaintext: false,
        voicemail: Some(voicemail),
    };
    Ok(SmsAccount { new, status })
}

/// The dialect an SMS prefix implies. Verizon's VVM3 has its own prefix; OMTP and T-Mobile's CVVM
/// share `VVM`, and a CVVM server shows itself by its unprefixed commands at login.
fn declared_dialect(prefix: &str) -> Dialect {
    if prefix.eq_ignore_ascii_case("VZWVVM") {
        Dialect::Vvm3
    } else {
        Dialect::OmtpVvm13
    }
}

/// Why a return code other than success means no account can be made.
fn refusal(code: ReturnCode) -> Option<String> {
    Some(match code {
        ReturnCode::Success => return None,
        ReturnCode::SystemError => "system error (rc=1); ask the carrier to send the SMS again later".into(),
        ReturnCode::SubscriberError => "subscriber error (rc=2)".into(),
        ReturnCode::MailboxUnknown => "the voicemail box is unknown (rc=3)".into(),
        ReturnCode::VvmNotActivated => "visual voicemail is not activated for this line (rc=4)".into(),
        ReturnCode::VvmNotProvisioned => "visual voicemail is not provisioned for this line (rc=5)".into(),
        ReturnCode::VvmClientUnknown => "the carrier does not know this client (rc=6)".into(),
        ReturnCode::VvmMailboxNotInitialised => {
            "the voicemail box is not initialised yet (rc=7); set it up by calling voicemail once".into()
        }
        ReturnCode::Other(code) => format!("return code {code}"),
    })
}

/// The dialect to use with account `voicemail`'s server: what the server showed when it shows a
/// voicemail dialect, else what the STATUS SMS declared, else what the server showed.
pub fn effective_dialect(shown: Dialect, voicemail: Option<&VoicemailBox>) -> Dialect {
    if shown.is_voicemail() {
        return shown;
    }
    voicemail.and_then(|vvm| Dialect::from_name(&vvm.declared_dialect)).unwrap_or(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "//VVM:STATUS:st=R;rc=0;srv=1:vvm.example.net;tui=+15550100;dn=+15550199;ipt=143;\
                          spt=25;u=15551234567;pw=s3cret;lang=1|2|3;g_len=60;vs_len=10;pw_len=4-9;pm=Y;gm=N";

    #[test]
    fn a_status_sms_becomes_an_omtp_account_with_its_limits() {
        let account = account_from_status_sms(STATUS).unwrap();
        assert_eq!(account.new.email, "15551234567@vvm.example.net");
        assert_eq!(account.new.password, "s3cret");
        let server = account.new.server.as_ref().unwrap();
        assert_eq!(server.host, "vvm.example.net");
        assert_eq!(server.port, Some(143));
        assert_eq!(server.security, ConnectionSecurity::Starttls);
        assert_eq!(server.username.as_deref(), Some("15551234567"));
        let vvm = account.new.voicemail.unwrap();
        assert_eq!(vvm.declared_dialect, "omtp-vvm13");
        assert_eq!(vvm.languages, ["1", "2", "3"]);
        assert_eq!(vvm.max_greeting_seconds, Some(60));
        assert_eq!(vvm.max_voice_signature_seconds, Some(10));
        assert_eq!(vvm.tui_password_length, Some((4, 9)));
        assert_eq!(vvm.tui_number.as_deref(), Some("+15550100"));
        assert_eq!(vvm.password_change_supported, Some(true));
        assert_eq!(vvm.greeting_change_supported, Some(false));
    }

    #[test]
    fn port_993_is_implicit_tls_and_an_address_user_is_the_email() {
        let account = account_from_status_sms(
            "//VZWVVM:STATUS:st=R;rc=0;srv=vvm.example.com;ipt=993;u=ann@vvm.example.com;pw=x",
        )
        .unwrap();
        assert_eq!(account.new.email, "ann@vvm.example.com");
        assert_eq!(account.new.server.as_ref().unwrap().security, ConnectionSecurity::Tls);
        assert_eq!(account.new.voicemail.unwrap().declared_dialect, "vvm3");
    }

    #[test]
    fn unusable_sms_are_refused_with_the_reason() {
        let cases = [
            ("hello", "not a visual voicemail SMS"),
            ("//VVM:SYNC:ev=NM;id=3;c=1;t=v;s=+1555", "SYNC SMS"),
            ("//VVM:STATUS:st=R;rc=3;srv=a;u=b;pw=c", "unknown (rc=3)"),
            ("//VVM:STATUS:st=B;rc=0;srv=a;u=b;pw=c", "blocked"),
            ("//VVM:STATUS:st=R;rc=0;u=b;pw=c", "no IMAP server (`srv=`)"),
            ("//VVM:STATUS:st=R;rc=0;srv=a;pw=c", "no user name (`u=`)"),
            ("//VVM:STATUS:st=R;rc=0;srv=a;u=b", "no password (`pw=`)"),
            ("//VVM:STATUS:st=R;rc=0;srv=a;u=b;pw=c;ipt=http", "ipt"),
        ];
        for (text, reason) in cases {
            match account_from_status_sms(text) {
                Err(AccountsError::InvalidInput(message)) => {
                    assert!(message.contains(reason), "{text}: {message:?} lacks {reason:?}")
                }
                Err(other) => panic!("{text}: {other:?}"),
                Ok(_) => panic!("{text} was accepted"),
            }
        }
    }

    #[test]
    fn a_declared_voicemail_dialect_wins_only_over_a_plain_server() {
        let vvm = account_from_status_sms(STATUS).unwrap().new.voicemail;
        assert_eq!(effective_dialect(Dialect::Imap4rev1, vvm.as_ref()), Dialect::OmtpVvm13);
        assert_eq!(effective_dialect(Dialect::Cvvm, vvm.as_ref()), Dialect::Cvvm);
        assert_eq!(effective_dialect(Dialect::Imap4rev1, None), Dialect::Imap4rev1);
    }
}
