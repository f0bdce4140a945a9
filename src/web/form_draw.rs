//! Drawing the customer form's pages for one request: the page, its status, a notice and the no-store header.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::answers::{self, FieldErrors, RawAnswers, Scope};
use crate::i18n::Lang;
use crate::survey::{ReceiptMode, Survey};
use crate::views::{self, FormPage, Notice};

/// What stays the same across the pages drawn for one request.
pub struct Draw<'a> {
    pub survey: &'a Arc<Survey>,
    pub lang: Lang,
    pub raw: &'a RawAnswers,
    pub seen: &'a [String],
    pub token: &'a str,
    pub store: Option<&'a str>,
    pub receipt: &'a str,
    /// A valid code came with the link: it is carried, not asked for.
    pub receipt_fixed: bool,
    /// The registered stores, when the first page asks the customer to choose one.
    pub stores: Option<&'a [crate::db::stores::Store]>,
}

impl Draw<'_> {
    pub fn page(&self, page: usize, errors: &FieldErrors, status: StatusCode) -> Response {
        self.page_with(page, errors, status, None)
    }

    pub fn page_with(
        &self,
        page: usize,
        errors: &FieldErrors,
        status: StatusCode,
        notice: Option<Notice>,
    ) -> Response {
        let s = self.survey;
        let checked = answers::check(s, self.raw, Scope::Group(page), self.lang);
        let applies: Vec<usize> = (0..s.groups.len())
            .filter(|g| *g == page || checked.relevant_groups[*g])
            .collect();
        let page_number = applies.iter().position(|g| *g == page).unwrap_or(0) + 1;
        let markup = views::form_page(&FormPage {
            survey: s,
            lang: self.lang,
            page,
            page_number,
            page_total: applies.len(),
            is_last: page_number == applies.len(),
            visible: s.groups[page]
                .questions
                .iter()
                .filter(|q| checked.relevant.contains(&q.name))
                .collect(),
            values: self.raw,
            seen: self.seen,
            errors,
            token: self.token,
            store: self.store,
            notice,
            receipt: (s.receipt != ReceiptMode::Off).then_some(views::ReceiptField {
                value: self.receipt,
                required: s.receipt == ReceiptMode::Required,
                editable: !self.receipt_fixed,
            }),
            stores: self.stores,
        });
        let mut response = (status, markup).into_response();
        // The page carries a one-time token and possibly answers: keep it out of caches.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
