//! HTML views as maud functions. Pages are phone-first, work without JavaScript, and inline their small CSS.

pub mod admin;
mod form;
mod layout;
pub mod staff;

pub use form::{FormPage, form_page, thanks_page};
pub use layout::{error_page, layout, layout_with};
