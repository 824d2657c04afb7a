//! The ISPDB files shipped in `assets/autoconfig/`, compiled in and parsed once.

use std::sync::OnceLock;

use crate::document::ProviderConfig;

macro_rules! shipped_files {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../../assets/autoconfig/", $file)))),*]
    };
}

/// Every file of `assets/autoconfig/`, by name (a test keeps this list and the folder the same).
const SHIPPED_FILES: &[(&str, &str)] = shipped_files![
    "aol.com.xml",
    "fastmail.com.xml",
    "gmail.com.xml",
    "gmx.com.xml",
    "gmx.net.xml",
    "icloud.com.xml",
    "libero.it.xml",
    "mail.ru.xml",
    "mailbox.org.xml",
    "outlook.com.xml",
    "posteo.de.xml",
    "seznam.cz.xml",
    "t-online.de.xml",
    "web.de.xml",
    "yahoo.com.xml",
    "yandex.ru.xml",
    "zoho.com.xml",
];

/// A shipped provider: its display name and its configuration.
pub(crate) struct ShippedProvider {
    pub name: String,
    pub config: ProviderConfig,
}

/// The shipped provider that serves `ascii_domain`, if any.
pub(crate) fn provider_for(ascii_domain: &str) -> Option<&'static ShippedProvider> {
    shipped_providers().iter().find(|provider| provider.config.domains.iter().any(|d| d == ascii_domain))
}

fn shipped_providers() -> &'static [ShippedProvider] {
    static PROVIDERS: OnceLock<Vec<ShippedProvider>> = OnceLock::new();
    PROVIDERS.get_or_init(|| SHIPPED_FILES.iter().map(|&(file, xml)| parse_shipped(file, xml)).collect())
}

/// The shipped files are tested to parse and to have a display name, so a failure here is a build
/// that skipped its tests.
fn parse_shipped(file: &str, xml: &str) -> ShippedProvider {
    let config = ProviderConfig::parse(xml).unwrap_or_else(|error| panic!("shipped {file}: {error}"));
    let name = config.display_name.clone().unwrap_or_else(|| panic!("shipped {file} has no <displayName>"));
    ShippedProvider { name, config }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::address::EmailAddress;
    use crate::Source;

    #[test]
    fn every_file_in_the_folder_is_shipped() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/autoconfig");
        let mut on_disk: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".xml"))
            .collect();
        on_disk.sort();
        let shipped: Vec<&str> = SHIPPED_FILES.iter().map(|(file, _)| *file).collect();
        assert_eq!(on_disk, shipped);
    }

    #[test]
    fn every_shipped_file_yields_imap_candidates_for_each_of_its_domains() {
        for provider in shipped_providers() {
            assert!(!provider.name.is_empty());
            assert!(!provider.config.domains.is_empty(), "{} lists no <domain>", provider.name);
            for domain in &provider.config.domains {
                let email = EmailAddress::parse(&format!("someone@{domain}")).unwrap();
                assert_eq!(
                    &email.ascii_domain, domain,
                    "{} lists a domain that is not normalised",
                    provider.name
                );
                let source = Source::Shipped { provider: provider.name.clone() };
                let candidates = provider.config.candidates(&email, &source).unwrap();
                assert!(!candidates.is_empty());
            }
        }
    }

    #[test]
    fn no_domain_is_claimed_by_two_files() {
        let mut claimed_by = BTreeMap::new();
        for (&(file, _), provider) in SHIPPED_FILES.iter().zip(shipped_providers()) {
            for domain in &provider.config.domains {
                if let Some(other) = claimed_by.insert(domain.as_str(), file) {
                    panic!("{domain} is claimed by {other} and {file}");
                }
            }
        }
    }

    #[test]
    fn each_file_is_named_after_one_of_its_domains() {
        for (&(file, _), provider) in SHIPPED_FILES.iter().zip(shipped_providers()) {
            let domain = file.strip_suffix(".xml").unwrap();
            assert!(provider.config.domains.iter().any(|d| d == domain), "{file} does not list {domain}");
        }
    }
}
