//! HTML views as maud functions. Pages are phone-first, work without JavaScript, and inline their small CSS.

mod form;
mod layout;

pub use form::{FormPage, form_page, thanks_page};
pub use layout::{error_page, layout};
