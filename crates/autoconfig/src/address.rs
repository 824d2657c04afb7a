//! An e-mail address taken apart for server lookup.

use crate::AutoconfigError;

/// An e-mail address whose domain is normalised for host names and for logins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EmailAddress {
    /// The part before the @, as written (quotes included).
    pub local_part: String,
    /// The domain in Unicode, lowercased and normalised (`bücher.example`).
    pub domain: String,
    /// The domain as a DNS host name, Punycode for an internationalised one (`xn--bcher-kva.example`).
    pub ascii_domain: String,
}

impl EmailAddress {
    /// Splits `input` at its one @ outside quotes and checks that the domain is a host name with a dot.
    /// White space outside quotes is refused: the caller trims what a person typed.
    pub fn parse(input: &str) -> Result<Self, AutoconfigError> {
        let invalid = |reason| AutoconfigError::InvalidAddress { address: input.to_owned(), reason };
        let at = unquoted_at_sign(input).map_err(invalid)?;
        let (local_part, domain) = (&input[..at], &input[at + 1..]);
        if local_part.is_empty() {
            return Err(invalid("nothing before the @"));
        }
        if domain.is_empty() {
            return Err(invalid("nothing after the @"));
        }
        let ascii_domain =
            idna::domain_to_ascii_strict(domain).map_err(|_| invalid("the domain is not a host name"))?;
        if !ascii_domain.contains('.') {
            return Err(invalid("the domain has no dot"));
        }
        let (unicode_domain, conversion) = idna::domain_to_unicode(&ascii_domain);
        conversion.map_err(|_| invalid("the domain is not a host name"))?;
        Ok(EmailAddress { local_part: local_part.to_owned(), domain: unicode_domain, ascii_domain })
    }

    /// The address as a login: the local part as written, the domain normalised.
    pub fn login_address(&self) -> String {
        format!("{}@{}", self.local_part, self.domain)
    }

    /// A user name template with `%EMAILADDRESS%`, `%EMAILLOCALPART%` and `%EMAILDOMAIN%` filled in.
    pub fn fill_username(&self, template: &str) -> String {
        fill_placeholders(template, &self.login_address(), &self.local_part, &self.domain)
    }

    /// A host name template filled in like [`EmailAddress::fill_username`], with the Punycode domain.
    pub fn fill_hostname(&self, template: &str) -> String {
        let address = format!("{}@{}", self.local_part, self.ascii_domain);
        fill_placeholders(template, &address, &self.local_part, &self.ascii_domain)
    }
}

/// The byte index of the only @ that is not inside a quoted string.
fn unquoted_at_sign(input: &str) -> Result<usize, &'static str> {
    let mut at = None;
    let mut in_quotes = false;
    let mut escaped = false;
    for (index, c) in input.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '@' if !in_quotes => {
                if at.is_some() {
                    return Err("more than one @ outside quotes");
                }
                at = Some(index);
            }
            c if c.is_whitespace() && !in_quotes => return Err("white space outside quotes"),
            c if c.is_control() => return Err("a control character"),
            _ => {}
        }
    }
    if in_quotes {
        return Err("a quote is not closed");
    }
    at.ok_or("no @")
}

/// Replaces each placeholder in one pass, so a value that itself looks like a placeholder stays as it is.
fn fill_placeholders(template: &str, address: &str, local_part: &str, domain: &str) -> String {
    let values = [("%EMAILADDRESS%", address), ("%EMAILLOCALPART%", local_part), ("%EMAILDOMAIN%", domain)];
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('%') {
        filled.push_str(&rest[..start]);
        let from_percent = &rest[start..];
        match values.iter().find(|(placeholder, _)| from_percent.starts_with(placeholder)) {
            Some((placeholder, value)) => {
                filled.push_str(value);
                rest = &from_percent[placeholder.len()..];
            }
            None => {
                filled.push('%');
                rest = &from_percent[1..];
            }
        }
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_local_part_may_hold_an_at_sign_and_spaces() {
        let address = EmailAddress::parse(r#""john @ doe"@Example.COM"#).unwrap();
        assert_eq!(address.local_part, r#""john @ doe""#);
        assert_eq!(address.domain, "example.com");
    }

    #[test]
    fn an_escaped_quote_does_not_close_the_quoted_string() {
        let address = EmailAddress::parse(r#""a\"@b"@example.com"#).unwrap();
        assert_eq!(address.local_part, r#""a\"@b""#);
    }

    #[test]
    fn placeholders_are_filled_once() {
        let address = EmailAddress::parse("%EMAILDOMAIN%@example.com").unwrap();
        assert_eq!(address.fill_username("%EMAILLOCALPART%"), "%EMAILDOMAIN%");
        assert_eq!(address.fill_username("x%EMAILDOMAIN%%"), "xexample.com%");
    }

    #[test]
    fn host_names_get_the_punycode_domain_and_logins_the_unicode_one() {
        let address = EmailAddress::parse("anna@Bücher.example").unwrap();
        assert_eq!(address.fill_hostname("imap.%EMAILDOMAIN%"), "imap.xn--bcher-kva.example");
        assert_eq!(address.fill_username("%EMAILADDRESS%"), "anna@bücher.example");
    }

    #[test]
    fn a_punycode_domain_reads_as_unicode_in_the_login() {
        let address = EmailAddress::parse("anna@xn--bcher-kva.example").unwrap();
        assert_eq!(address.domain, "bücher.example");
        assert_eq!(address.ascii_domain, "xn--bcher-kva.example");
    }
}
