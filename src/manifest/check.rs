//! Field checks: each takes a located value from the raw model, pushes a diagnostic when the
//! value is not acceptable, and returns the normalised value. Ids end up in URL paths, so only
//! GUIDs and plain catalog/ARM names pass. A value that could not be read (a gap, see
//! `lenient`) passes silently as `None`: its structural problem is already reported.

use super::desired::SourceRef;
use super::diagnostics::{Diagnostic, Diagnostics, SourceFile};
pub use super::lenient::is_gap;
use super::model::{Choice, ChoiceSet, Number};
use super::parse::line_col;
use serde_saphyr::Spanned;

/// The file being checked and where its problems go.
pub struct Ctx<'a> {
    pub file: &'a SourceFile,
    pub diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    /// Where a located value is.
    pub fn source<T>(&self, v: &Spanned<T>) -> SourceRef {
        let (line, column) = line_col(&v.referenced).unwrap_or((1, 1));
        SourceRef {
            file: self.file.path.clone(),
            line,
            column,
        }
    }

    /// A diagnostic pointing at a located value.
    pub fn at<T>(&self, d: Diagnostic, v: &Spanned<T>) -> Diagnostic {
        let s = self.source(v);
        d.at(self.file, s.line, s.column)
    }

    pub fn push<T>(&mut self, d: Diagnostic, v: &Spanned<T>) {
        let d = self.at(d, v);
        self.diags.push(d);
    }
}

/// True for a GUID in its hyphenated 8-4-4-4-12 form.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A customer or subscription id: must be a GUID; returned lower-cased. The caller skips gaps.
pub fn guid(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<String>) -> String {
    let id = v.value.trim();
    if !is_guid(id) {
        let hint = match what {
            "customer id" => {
                "use the customer's tenant id, e.g. 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01"
            }
            _ => "use the subscription id (a GUID) as Partner Center shows it",
        };
        ctx.push(
            Diagnostic::error(format!("{what} \"{}\" is not a GUID", v.value)).with_hint(hint),
            v,
        );
    }
    id.to_ascii_lowercase()
}

/// A value from a fixed set; the message lists the allowed values.
pub fn choice<E: ChoiceSet>(ctx: &mut Ctx<'_>, v: &Spanned<Choice<E>>) -> Option<E> {
    if is_gap(v) {
        return None;
    }
    if let Some(e) = v.value.parse() {
        return Some(e);
    }
    let raw = &v.value.raw;
    let mut d = Diagnostic::error(format!(
        "{} \"{raw}\" is not one of {}",
        E::WHAT,
        Choice::<E>::allowed()
    ));
    if let Some((s, _)) = E::VALUES
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(raw.trim()) || s.replace('-', "_") == *raw)
    {
        d = d.with_hint(format!("did you mean \"{s}\"?"));
    }
    ctx.push(d, v);
    None
}

/// A quantity: a positive integer, at most `max` (from `limits.max_units_per_item`).
pub fn quantity(
    ctx: &mut Ctx<'_>,
    what: &str,
    v: &Spanned<Number>,
    max: Option<u32>,
) -> Option<u32> {
    if is_gap(v) {
        return None;
    }
    let Some(q) = v
        .value
        .as_int()
        .filter(|q| (1..=i64::from(u32::MAX)).contains(q))
    else {
        ctx.push(
            Diagnostic::error(format!("{what} {} is not a positive integer", v.value)).with_hint(
                if v.value.as_int().is_some() {
                    "declare at least 1 unit; to stop managing an item, remove it"
                } else {
                    "write a whole number of units, e.g. 2"
                },
            ),
            v,
        );
        return None;
    };
    let q = q as u32;
    if let Some(max) = max
        && q > max
    {
        ctx.push(
            Diagnostic::error(format!(
                "{what} {q} is above limits.max_units_per_item ({max})"
            ))
            .with_hint("lower the quantity, or raise the limit if this is intended"),
            v,
        );
        return None;
    }
    Some(q)
}

/// A limit value: a positive integer.
pub fn limit(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<Number>) -> Option<u32> {
    if is_gap(v) {
        return None;
    }
    let Some(q) = v
        .value
        .as_int()
        .filter(|q| (1..=i64::from(u32::MAX)).contains(q))
    else {
        ctx.push(
            Diagnostic::error(format!(
                "limits.{what} {} is not a positive integer",
                v.value
            )),
            v,
        );
        return None;
    };
    Some(q as u32)
}

/// An ARM SKU name (`Standard_D4s_v5`): letters, digits, `_`, `-`, `.`; case kept.
pub fn arm_sku(ctx: &mut Ctx<'_>, v: &Spanned<String>) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim();
    if s.is_empty() {
        ctx.push(
            Diagnostic::error("sku is empty")
                .with_hint("give the SKU's armSkuName, e.g. Standard_D4s_v5"),
            v,
        );
        return None;
    }
    let plausible = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        && s.as_bytes()[0].is_ascii_alphanumeric();
    if !plausible {
        ctx.push(
            Diagnostic::error(format!(
                "sku \"{}\" is not a plausible ARM SKU name",
                v.value
            ))
            .with_hint(
                "ARM SKU names hold only letters, digits, '_', '-' and '.', e.g. Standard_D4s_v5",
            ),
            v,
        );
        return None;
    }
    Some(s.to_owned())
}

/// An ARM region name (`eastus`): letters and digits; returned lower-cased.
pub fn region(ctx: &mut Ctx<'_>, v: &Spanned<String>) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim();
    if s.is_empty() {
        ctx.push(
            Diagnostic::error("region is empty")
                .with_hint("give the SKU's armRegionName, e.g. eastus"),
            v,
        );
        return None;
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let hint = if s.contains(' ') {
            format!(
                "ARM region names have no spaces: \"{}\"",
                s.replace(' ', "").to_ascii_lowercase()
            )
        } else {
            "ARM region names are letters and digits, e.g. eastus".into()
        };
        ctx.push(
            Diagnostic::error(format!(
                "region \"{}\" is not a plausible ARM region name",
                v.value
            ))
            .with_hint(hint),
            v,
        );
        return None;
    }
    Some(s.to_ascii_lowercase())
}

/// A catalog product or SKU id: letters and digits only.
pub fn catalog_id(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<String>) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim();
    if s.is_empty() {
        ctx.push(Diagnostic::error(format!("{what} is empty")), v);
        return None;
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        ctx.push(
            Diagnostic::error(format!("{what} \"{}\" is not a catalog id", v.value))
                .with_hint("catalog ids hold only letters and digits, e.g. DG7GMGF0DWM3"),
            v,
        );
        return None;
    }
    Some(s.to_owned())
}

/// An item or customer name: not empty, one line.
pub fn name(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<String>) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim();
    if s.is_empty() {
        ctx.push(Diagnostic::error(format!("{what} is empty")), v);
        return None;
    }
    if s.chars().any(char::is_control) {
        ctx.push(
            Diagnostic::error(format!("{what} {:?} holds control characters", v.value)),
            v,
        );
        return None;
    }
    Some(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_shape() {
        assert!(is_guid("4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01"));
        assert!(is_guid("4B5F3C2E-0D7A-4C1E-9A55-2F8C7B1E6D01"));
        assert!(!is_guid("contoso"));
        assert!(!is_guid("{4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01}"));
        assert!(!is_guid("4b5f3c2e0d7a4c1e9a552f8c7b1e6d01"));
        assert!(!is_guid("4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d0/"));
    }
}
