//! Field checks: each takes a located value from the raw model, pushes a diagnostic when the
//! value is not acceptable, and returns the normalised value. Ids end up in URL paths, so only
//! GUIDs and plain catalog/ARM names pass. A value that could not be read (a gap, see
//! `lenient`) passes silently as `None`: its structural problem is already reported.

use super::desired::SourceRef;
use super::diagnostics::{Diagnostic, Diagnostics, SourceFile};
pub(super) use super::lenient::is_gap;
use super::model::{Choice, ChoiceSet, Number};
use super::parse::line_col;
use super::show::{invisible_hint, quoted};
use serde_saphyr::Spanned;

pub(super) use super::check_money::money_limit;
pub(super) use super::check_names::{arm_sku, catalog_id, region};

/// The file being checked and where its problems go.
pub(super) struct Ctx<'a> {
    pub file: &'a SourceFile,
    pub diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    /// Where a located value is.
    pub(super) fn source<T>(&self, v: &Spanned<T>) -> SourceRef {
        let (line, column) = line_col(&v.referenced).unwrap_or((1, 1));
        SourceRef {
            file: self.file.path.clone(),
            line,
            column,
        }
    }

    /// A diagnostic pointing at a located value.
    pub(super) fn at<T>(&self, d: Diagnostic, v: &Spanned<T>) -> Diagnostic {
        let s = self.source(v);
        d.at(self.file, s.line, s.column)
    }

    /// A number as the user wrote it (`1e3`, not 1000; `"3"` with its quotes), for messages.
    pub(super) fn written(&self, v: &Spanned<Number>) -> String {
        let token = line_col(&v.referenced)
            .map(|(l, c)| {
                let start = self.file.offset(l, c);
                self.file.text[start..start + self.file.token_len(start)].to_owned()
            })
            .unwrap_or_default();
        match &v.value {
            _ if token.is_empty() => quoted_number(&v.value),
            Number::Text(_) if !token.starts_with(['"', '\'']) => quoted(&token),
            _ => super::show::show(&token),
        }
    }

    pub(super) fn push<T>(&mut self, d: Diagnostic, v: &Spanned<T>) {
        let d = self.at(d, v);
        self.diags.push(d);
    }
}

fn quoted_number(n: &Number) -> String {
    match n {
        Number::Text(t) => quoted(t),
        other => super::show::show(&other.to_string()),
    }
}

/// True for a GUID in its hyphenated 8-4-4-4-12 form.
pub(super) fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A customer or subscription id: must be a GUID; returned lower-cased. The caller skips gaps.
pub(super) fn guid(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<String>) -> String {
    let id = v.value.trim_ascii();
    if id.is_empty() {
        ctx.push(
            Diagnostic::error(format!("{what} is empty")).with_hint(guid_hint(what)),
            v,
        );
    } else if !is_guid(id) {
        let braced = id
            .strip_prefix('{')
            .and_then(|i| i.strip_suffix('}'))
            .filter(|i| is_guid(i));
        let hint = match (braced, invisible_hint(id)) {
            (Some(inner), _) => format!("write the GUID without braces: {inner}"),
            (None, Some(h)) => h,
            (None, None) => guid_hint(what).to_owned(),
        };
        ctx.push(
            Diagnostic::error(format!("{what} {} is not a GUID", quoted(&v.value))).with_hint(hint),
            v,
        );
    }
    id.to_ascii_lowercase()
}

fn guid_hint(what: &str) -> &'static str {
    match what {
        "customer id" => "use the customer's tenant id, e.g. 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01",
        _ => "use the subscription id (a GUID) as Partner Center shows it",
    }
}

/// A value from a fixed set; the message lists the allowed values.
pub(super) fn choice<E: ChoiceSet>(ctx: &mut Ctx<'_>, v: &Spanned<Choice<E>>) -> Option<E> {
    if is_gap(v) {
        return None;
    }
    if let Some(e) = v.value.parse() {
        return Some(e);
    }
    let raw = &v.value.raw;
    if raw.trim().is_empty() {
        let d = Diagnostic::error(format!("{} is empty", E::WHAT))
            .with_hint(format!("give one of {}", Choice::<E>::allowed()));
        ctx.push(d, v);
        return None;
    }
    let mut d = Diagnostic::error(format!(
        "{} {} is not one of {}",
        E::WHAT,
        quoted(raw),
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
pub(super) fn quantity(
    ctx: &mut Ctx<'_>,
    what: &str,
    v: &Spanned<Number>,
    max: Option<u32>,
) -> Option<u32> {
    if is_gap(v) {
        return None;
    }
    if v.value == Number::Other(String::new()) {
        ctx.push(
            Diagnostic::error(format!("{what} is empty"))
                .with_hint("give how many units the customer should own at least, e.g. 2"),
            v,
        );
        return None;
    }
    let written = ctx.written(v);
    let Some(q) = v
        .value
        .as_int()
        .filter(|q| (1..=i64::from(u32::MAX)).contains(q))
    else {
        ctx.push(
            Diagnostic::error(format!("{what} {written} is not a positive integer")).with_hint(
                match &v.value {
                    Number::Int(_) => {
                        "declare at least 1 unit; to stop managing an item, remove it".to_owned()
                    }
                    Number::Text(t) if t.trim().parse::<u32>().is_ok_and(|n| n > 0) => {
                        format!("write the number without quotes: {}", t.trim())
                    }
                    _ => "write a whole number of units, e.g. 2".to_owned(),
                },
            ),
            v,
        );
        return None;
    };
    if !written
        .trim_start_matches('+')
        .bytes()
        .all(|b| b.is_ascii_digit())
    {
        ctx.push(
            Diagnostic::error(format!(
                "{what} {written} is not written as a decimal whole number"
            ))
            .with_hint(format!("write {q}")),
            v,
        );
        return None;
    }
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
pub(super) fn limit(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<Number>) -> Option<u32> {
    if is_gap(v) {
        return None;
    }
    if v.value == Number::Other(String::new()) {
        ctx.push(
            Diagnostic::error(format!("limits.{what} is empty"))
                .with_hint("give a positive number of units, or remove the limit"),
            v,
        );
        return None;
    }
    let written = ctx.written(v);
    let Some(q) = v
        .value
        .as_int()
        .filter(|q| (1..=i64::from(u32::MAX)).contains(q))
    else {
        ctx.push(
            Diagnostic::error(format!("limits.{what} {written} is not a positive integer")),
            v,
        );
        return None;
    };
    Some(q as u32)
}

/// Longest renewal window: a term is at most three years.
const MAX_RENEW_BEFORE_DAYS: u64 = 3 * 366;

/// A renewal window (`renew_before`): a humantime duration such as `30d`, `6w` or `2months`,
/// at least a day and at most three years.
pub(super) fn renew_before(
    ctx: &mut Ctx<'_>,
    v: &Spanned<String>,
) -> Option<super::desired::RenewBefore> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim();
    let hint = "write a duration such as 30d, 6w or 2months";
    let d = match humantime::parse_duration(s) {
        Ok(d) => d,
        Err(e) => {
            ctx.push(
                Diagnostic::error(format!(
                    "renew_before {} is not a duration: {e}",
                    quoted(&v.value)
                ))
                .with_hint(hint),
                v,
            );
            return None;
        }
    };
    let days = d.as_secs() / 86_400;
    if !(1..=MAX_RENEW_BEFORE_DAYS).contains(&days) {
        ctx.push(
            Diagnostic::error(format!(
                "renew_before {} is out of range",
                quoted(&v.value)
            ))
            .with_hint(format!(
                "give between 1 day and {MAX_RENEW_BEFORE_DAYS} days (a term is at most 3 years)"
            )),
            v,
        );
        return None;
    }
    Some(super::desired::RenewBefore {
        seconds: d.as_secs(),
    })
}

/// Longest item or customer name.
pub(super) const MAX_NAME_CHARS: usize = 256;

/// An item or customer name: not empty, one line, at most [`MAX_NAME_CHARS`] characters.
/// `blocked_ok: "<reason>"`: the reason, trimmed; an empty one is an error (an acknowledgement
/// must say why). `Some(None)` when the field is absent; `None` when it is invalid.
pub(super) fn blocked_ok(ctx: &mut Ctx<'_>, v: Option<&Spanned<String>>) -> Option<Option<String>> {
    let Some(v) = v else {
        return Some(None);
    };
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim();
    if s.is_empty() || s.chars().any(char::is_control) {
        ctx.push(
            Diagnostic::error("blocked_ok needs a reason on one line").with_hint(
                "say why the block is acceptable, e.g. blocked_ok: \"not sold in RU; see TICKET-12\"",
            ),
            v,
        );
        return None;
    }
    Some(Some(s.to_owned()))
}

pub(super) fn name(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<String>) -> Option<String> {
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
            Diagnostic::error(format!(
                "{what} {} holds control characters",
                quoted(&v.value)
            )),
            v,
        );
        return None;
    }
    if s.chars().count() > MAX_NAME_CHARS {
        ctx.push(
            Diagnostic::error(format!("{what} {} is too long", quoted(&v.value)))
                .with_hint(format!("names are at most {MAX_NAME_CHARS} characters")),
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
