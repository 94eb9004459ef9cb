//! Name checks: ARM SKU names in the shape of their reservation type, ARM region names from the
//! known regions with a did-you-mean, and catalog product and SKU ids.

use super::check::{Ctx, is_gap};
use super::diagnostics::Diagnostic;
use super::model::Choice;
use super::show::{invisible_hint, quoted};
use serde_saphyr::Spanned;

/// An ARM SKU name (`Standard_D4s_v5`): letters, digits, `_`, `-`, `.`, in the shape of its
/// reservation type when the type is known (see [`sku_shape`]); case kept.
pub(super) fn arm_sku(
    ctx: &mut Ctx<'_>,
    v: &Spanned<String>,
    rtype: Option<super::model::ReservationType>,
) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim_ascii();
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
        let hint = invisible_hint(s).unwrap_or_else(|| {
            if s.contains(' ') && s.split(' ').all(|w| !w.is_empty()) {
                format!("ARM SKU names have no spaces: \"{}\"", s.replace(' ', "_"))
            } else {
                "ARM SKU names hold only letters, digits, '_', '-' and '.', e.g. Standard_D4s_v5"
                    .into()
            }
        });
        ctx.push(
            Diagnostic::error(format!(
                "sku {} is not a plausible ARM SKU name",
                quoted(&v.value)
            ))
            .with_hint(hint),
            v,
        );
        return None;
    }
    if let Some(t) = rtype
        && let Err(hint) = sku_shape(t, s)
    {
        let what = match t {
            super::model::ReservationType::Vm => "a virtual machine",
            super::model::ReservationType::Sql => "a SQL Database",
            super::model::ReservationType::Cosmosdb => "a Cosmos DB",
        };
        ctx.push(
            Diagnostic::error(format!(
                "sku {} is not {what} reservation SKU name",
                quoted(&v.value)
            ))
            .with_hint(hint.to_string()),
            v,
        );
        return None;
    }
    Some(s.to_owned())
}

/// Why a SKU name does not have the shape of its reservation type: the hint shown with the
/// diagnostic, with a did-you-mean when the name fits another type or lacks its prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum SkuShape {
    /// The name has another type's prefix.
    #[error("that is a {found} SKU name: did you mean `type: {spelling}`?")]
    OtherType {
        found: &'static str,
        spelling: String,
    },
    #[error("virtual machine reservation SKU names look like Standard_D4s_v5")]
    VmLooksLike,
    /// A VM name without its `Standard_` prefix.
    #[error("did you mean \"Standard_{0}\"?")]
    VmPrefix(String),
    #[error("SQL reservation SKU names look like SQLDB_GP_Compute_Gen5 or SQLMI_GP_Compute_Gen5")]
    SqlLooksLike,
    #[error("Cosmos DB reservation SKU names look like Cosmos_DB_100_RUs")]
    CosmosLooksLike,
}

/// The shape of an ARM SKU name per reservation type, as the reservation catalog spells them:
/// `Standard_D4s_v5` (vm), `SQLDB_GP_Compute_Gen5` / `SQLMI_…` (sql), `Cosmos_DB_100_RUs`
/// (cosmosdb). Only the prefix is checked (any case), so real names are never refused.
pub(super) fn sku_shape(t: super::model::ReservationType, sku: &str) -> Result<(), SkuShape> {
    use super::model::ReservationType as T;
    let lower = sku.to_ascii_lowercase();
    let of = |l: &str| {
        if l.starts_with("standard_") {
            Some(T::Vm)
        } else if l.starts_with("sql") {
            Some(T::Sql)
        } else if l.starts_with("cosmos") {
            Some(T::Cosmosdb)
        } else {
            None
        }
    };
    match of(&lower) {
        Some(found) if found == t => Ok(()),
        Some(found) => Err(SkuShape::OtherType {
            found: match found {
                T::Vm => "virtual machine",
                T::Sql => "SQL",
                T::Cosmosdb => "Cosmos DB",
            },
            spelling: Choice::of(found).raw,
        }),
        None => Err(match t {
            T::Vm if lower.starts_with("standard") || lower.starts_with("basic_") => {
                SkuShape::VmLooksLike
            }
            T::Vm => SkuShape::VmPrefix(super::show::show(sku)),
            T::Sql => SkuShape::SqlLooksLike,
            T::Cosmosdb => SkuShape::CosmosLooksLike,
        }),
    }
}

/// An ARM region name (`eastus`) from the known regions (see `regions`); returned lower-cased.
pub(super) fn region(ctx: &mut Ctx<'_>, v: &Spanned<String>) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim_ascii();
    if s.is_empty() {
        ctx.push(
            Diagnostic::error("region is empty")
                .with_hint("give the SKU's armRegionName, e.g. eastus"),
            v,
        );
        return None;
    }
    if super::regions::is_known(s) {
        return Some(s.to_ascii_lowercase());
    }
    let plausible = s.bytes().all(|b| b.is_ascii_alphanumeric());
    let hint = match (invisible_hint(s), super::regions::did_you_mean(s)) {
        (Some(h), _) => h,
        (None, Some(r)) if !plausible => {
            format!("ARM region names are lower case, without spaces: did you mean \"{r}\"?")
        }
        (None, Some(r)) => format!("did you mean \"{r}\"?"),
        (None, None) => {
            "give the region's ARM name (armRegionName), e.g. eastus or westeurope".into()
        }
    };
    let what = if plausible {
        "is not a known ARM region name"
    } else {
        "is not an ARM region name"
    };
    ctx.push(
        Diagnostic::error(format!("region {} {what}", quoted(&v.value))).with_hint(hint),
        v,
    );
    None
}

/// A catalog product or SKU id: letters and digits only.
pub(super) fn catalog_id(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<String>) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let s = v.value.trim_ascii();
    if s.is_empty() {
        ctx.push(Diagnostic::error(format!("{what} is empty")), v);
        return None;
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let hint = invisible_hint(s).unwrap_or_else(|| {
            "catalog ids hold only letters and digits, e.g. DG7GMGF0DWM3".into()
        });
        ctx.push(
            Diagnostic::error(format!("{what} {} is not a catalog id", quoted(&v.value)))
                .with_hint(hint),
            v,
        );
        return None;
    }
    Some(s.to_owned())
}
