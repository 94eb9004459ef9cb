//! Ids of the sandbox's demo world (customers and their subscriptions; docs/demo-world.md).

pub(crate) const CONTOSO: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
pub(crate) const FABRIKAM: &str = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";
pub(crate) const NORTHWIND: &str = "2c9e4b7a-1f6d-4a8e-9b3c-5d7f0e1a2b03";
pub(crate) const ADATUM: &str = "8e3f5a1b-6c2d-4e9f-a0b4-7c1d3e5f6a04";
pub(crate) const TAILSPIN: &str = "1a7b3c5d-9e0f-4a2b-8c4d-6e8f0a2b4c05";
pub(crate) const ALL_CUSTOMERS: [&str; 5] = [CONTOSO, FABRIKAM, NORTHWIND, ADATUM, TAILSPIN];

pub(crate) const CONTOSO_PLAN: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";
pub(crate) const CONTOSO_LEGACY: &str = "3c8e2f10-5a6b-4d7c-9e8f-0a1b2c3d4e11";
pub(crate) const FABRIKAM_PLAN: &str = "b4d6f8a0-2c4e-4f6a-8b0c-1d3e5f7a9b12";
pub(crate) const FABRIKAM_SUSPENDED: &str = "c5e7a9b1-3d5f-4a7b-9c1d-2e4f6a8b0c13";
pub(crate) const NORTHWIND_PLAN: &str = "d6f8b0c2-4e6a-4b8c-a0d2-3f5a7b9c1d14";
pub(crate) const NORTHWIND_LEGACY: &str = "e7a9c1d3-5f7b-4c9d-b1e3-4a6b8c0d2e15";
pub(crate) const ADATUM_PLAN: &str = "f8b0d2e4-6a8c-4d0e-8c2f-5b7c9d1e3f16";
pub(crate) const TAILSPIN_PLAN: &str = "0a1c3e5f-7b9d-4e1f-9d3a-6c8d0e2f4a17";
