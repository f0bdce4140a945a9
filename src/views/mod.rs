//! HTML views as maud functions. Pages are phone-first, work without JavaScript, and inline their small CSS.

pub mod admin;
pub mod audit_form;
pub mod audits;
pub mod case_page;
pub mod case_public;
pub mod cases;
mod form;
mod form_store;
pub mod held;
mod layout;
pub mod login;
pub mod report_cases;
pub mod reports;
pub mod review;
pub mod staff;
pub mod users;
pub mod webhooks;

pub use form::{Fields, FormPage, Notice, ReceiptField, form_page, question, thanks_page};
pub use form_store::FIELD as STORE_FIELD;
pub use layout::{error_page, error_page_both, layout, layout_with};
