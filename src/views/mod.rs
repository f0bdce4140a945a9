//! HTML views as maud functions. Pages are phone-first, work without JavaScript, and inline their small CSS.

pub mod admin;
pub mod audit_form;
pub mod audits;
mod form;
pub mod held;
mod layout;
pub mod login;
pub mod reports;
pub mod review;
pub mod staff;

pub use form::{Fields, FormPage, Notice, ReceiptField, form_page, question, thanks_page};
pub use layout::{error_page, error_page_both, layout, layout_with};
