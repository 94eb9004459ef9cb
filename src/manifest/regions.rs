//! The ARM region names `validate` knows, so `region: eastus3` or `region: East US` is caught
//! offline, with a did-you-mean, before any call.
//!
//! Source: the region names (`name`, not `displayName`) that `az account list-locations` prints
//! for the Azure public cloud, plus those of Azure China (21Vianet, the `china` endpoint) and Azure
//! Government, as published in Microsoft's region list; compiled and last reviewed 2026-11-29.
//! It includes the EUAP (early access) regions and every region of the embedded sandbox's demo
//! world (`src/sandbox/catalog.rs`, checked by a test). When Azure opens a region, add it here.

/// Every known ARM region name, lower case, sorted.
pub(super) const REGIONS: &[&str] = &[
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "brazilus",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "centraluseuap",
    "chilecentral",
    "chinaeast",
    "chinaeast2",
    "chinaeast3",
    "chinanorth",
    "chinanorth2",
    "chinanorth3",
    "denmarkeast",
    "eastasia",
    "eastus",
    "eastus2",
    "eastus2euap",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "usdodcentral",
    "usdodeast",
    "usgovarizona",
    "usgovtexas",
    "usgovvirginia",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/// True for a known ARM region name (any case).
pub(super) fn is_known(name: &str) -> bool {
    REGIONS
        .binary_search(&name.to_ascii_lowercase().as_str())
        .is_ok()
}

/// The known region a user probably meant: the display name or a differently spelt name of a
/// region (`East US`, `east-us`, `EastUS2`), else the closest name.
pub(super) fn did_you_mean(name: &str) -> Option<&'static str> {
    let squashed: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    if let Some(r) = REGIONS.iter().find(|r| **r == squashed) {
        return Some(r);
    }
    REGIONS
        .iter()
        .map(|r| (strsim::jaro_winkler(&squashed, r), *r))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_lower_case_and_holds_the_sandbox_regions() {
        assert!(REGIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(REGIONS.iter().all(|r| *r == r.to_ascii_lowercase()));
        for (region, _) in crate::sandbox::catalog::REGIONS {
            assert!(is_known(region), "{region} is a sandbox region");
        }
    }

    #[test]
    fn typos_and_display_names_get_a_suggestion() {
        assert!(is_known("EastUS"));
        assert!(!is_known("eastus3"));
        assert_eq!(did_you_mean("East US"), Some("eastus"));
        assert_eq!(did_you_mean("East US 2"), Some("eastus2"));
        assert_eq!(did_you_mean("eastus3"), Some("eastus"));
        assert_eq!(did_you_mean("westeruope"), Some("westeurope"));
        assert_eq!(did_you_mean("mars"), None);
    }
}
