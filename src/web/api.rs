//! The JSON API: list and describe forms, and take responses with the same checks as the HTML form.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::AppState;
use super::api_token::SubmitClient;
use super::auth::ClientAddr;
use crate::answers::{self, FieldErrors, RawAnswers, Scope};
use crate::db::responses::{Checks, Submission};
use crate::error::{ApiError, Error};
use crate::i18n::Lang;
use crate::intake::checks::{Candidate, Respondent};
use crate::survey::{Kind, Survey};

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms", get(list_forms))
        .route("/forms/{form_id}", get(describe_form))
        .route("/forms/{form_id}/responses", post(submit))
        .fallback(|| async {
            ApiError(Error::NotFound(
                "There is no API endpoint at this address.".into(),
            ))
        })
}

async fn list_forms(State(state): State<AppState>) -> Json<Value> {
    let forms: Vec<Value> = state
        .catalog
        .iter()
        .filter(|s| !s.is_audit())
        .map(|s| json!({ "id": s.id, "version": s.version, "title": s.title, "languages": s.languages }))
        .collect();
    Json(Value::Array(forms))
}

async fn describe_form(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let survey = state.customer_survey(&form_id)?;
    Ok(Json(definition_json(&survey)))
}

/// The definition as JSON: enough for another client to draw and check the form.
pub fn definition_json(s: &Survey) -> Value {
    let questions: Vec<Value> = s
        .groups
        .iter()
        .flat_map(|g| g.questions.iter().map(move |q| (g, q)))
        .map(|(g, q)| {
            let mut out = json!({
                "name": q.name,
                "group": g.name,
                "type": q.kind.type_name(),
                "label": q.label,
                "required": q.required,
            });
            let extra = [
                ("hint", q.hint.as_ref().map(|h| json!(h))),
                ("choices", q.kind.choices().map(|c| json!(c))),
                ("relevant", q.relevant.as_ref().map(|e| json!(e.source()))),
                (
                    "constraint",
                    q.constraint.as_ref().map(|e| json!(e.source())),
                ),
                ("indicator", q.indicator.as_ref().map(|i| json!(i))),
                ("default", (!q.default.is_empty()).then(|| json!(q.default))),
            ];
            let range = match &q.kind {
                Kind::Integer { min, max } => Some((json!(min), json!(max))),
                Kind::Decimal { min, max } => Some((json!(min), json!(max))),
                Kind::Rating => Some((json!(1), json!(5))),
                Kind::Nps => Some((json!(0), json!(10))),
                _ => None,
            };
            if let Some(map) = out.as_object_mut() {
                for (key, value) in extra {
                    if let Some(v) = value {
                        map.insert(key.into(), v);
                    }
                }
                if let Some((min, max)) = range {
                    map.insert("min".into(), min);
                    map.insert("max".into(), max);
                }
                if let Kind::Text { multiline } = q.kind {
                    map.insert("multiline".into(), multiline.into());
                }
            }
            out
        })
        .collect();
    json!({
        "id": s.id,
        "version": s.version,
        "hash": s.hash,
        "title": s.title,
        "default_language": s.default_lang,
        "languages": s.languages,
        "groups": s.groups.iter().map(|g| json!({
            "name": g.name,
            "label": g.label,
            "relevant": g.relevant.as_ref().map(|e| e.source()),
        })).collect::<Vec<_>>(),
        "questions": questions,
    })
}

#[derive(Debug, Deserialize)]
struct Body {
    store: Option<String>,
    lang: Option<String>,
    answers: Map<String, Value>,
}

/// Takes one response from a client with a `submit` token (checked from the headers
/// before the body is read). A store-bound token stores for its store only, and the
/// token's own limits apply: see `api_limits`.
#[tracing::instrument(skip_all, fields(form = %form_id, token = client.id))]
async fn submit(
    State(state): State<AppState>,
    SubmitClient(client): SubmitClient,
    Path(form_id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    body: Result<Json<Body>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let survey = state.customer_survey(&form_id)?;
    let Json(body) = body?;
    let lang = match body.lang.as_deref() {
        None => survey.default_lang,
        Some(code) => Lang::parse(code)
            .filter(|l| survey.languages.contains(l))
            .ok_or_else(|| {
                let offered: Vec<&str> = survey.languages.iter().map(|l| l.code()).collect();
                field_error(
                    "lang",
                    format!(
                        "'{code}' is not a language of this form; use one of: {}",
                        offered.join(", ")
                    ),
                )
            })?,
    };
    let store = crate::stores::resolve(&state.db, client.store_for(body.store)?)
        .await
        .map_err(|e| match e {
            Error::BadRequest(message) => field_error("store", message.to_string()),
            other => ApiError(other),
        })?;
    let raw = raw_answers(&body.answers, lang)?;
    let checked = answers::check(&survey, &raw, Scope::All, lang);
    if !checked.errors.is_empty() {
        return Err(ApiError(Error::Invalid(checked.errors)));
    }
    // Keys are the client's own: namespaced by token, so two integrations that happen to
    // use the same key never see each other's response.
    let key = idempotency_key(&headers)?.map(|k| format!("api:{}:t{}:{k}", survey.id, client.id));
    // Taken just before storing and given back unless a response is stored, so only
    // stored responses count against the token. Refused, a retry of a stored key is
    // still answered with its response (a kiosk retrying inside its gap), looked up
    // only then, so the common path costs no extra read.
    let permit = match client.reserve(&state) {
        Ok(permit) => permit,
        Err(refused) => {
            if let Some(k) = &key
                && let Some((public_id, held)) =
                    crate::db::responses::by_key(&state.db.read, k).await?
            {
                return Ok((
                    StatusCode::OK,
                    Json(json!({ "id": public_id, "held": held })),
                ));
            }
            return Err(refused);
        }
    };
    // A trusted token's own system vouches for its respondents; anyone else's answers
    // go through the quality checks (the API has no page timing, so not "too fast").
    let candidate = Candidate {
        survey: &survey,
        answers: &checked.answers,
        store: store.as_deref(),
        who: Respondent {
            address: &addr,
            device: None,
            elapsed_secs: None,
        },
    };
    let flags = if client.trusted {
        Vec::new()
    } else {
        state
            .intake
            .flags(&state.db.read, state.settings.today(), &candidate)
            .await?
    };
    let (submitted_at, day) = state.settings.received_now();
    let stored = state
        .db
        .writer
        .submit(Submission {
            survey: survey.clone(),
            store: store.clone(),
            lang: lang.code(),
            answers: checked.answers.clone(),
            submission_key: key,
            submitted_at,
            day,
            checks: Checks {
                receipt: None,
                flags,
            },
        })
        .await
        .map_err(Error::from)?;
    tracing::debug!(
        token = client.id,
        trusted = client.trusted,
        created = stored.created,
        "response received by the API"
    );
    let status = if stored.created {
        permit.stored(std::time::Instant::now());
        if !client.trusted {
            state.intake.remember(&candidate);
        }
        StatusCode::CREATED
    } else {
        // An idempotent replay: nothing new was stored.
        drop(permit);
        StatusCode::OK
    };
    // A held response is stored and counts once a manager accepts it.
    Ok((
        status,
        Json(json!({ "id": stored.public_id, "held": stored.held })),
    ))
}

fn field_error(field: &str, message: String) -> ApiError {
    ApiError(Error::Invalid(FieldErrors::from([(
        field.to_owned(),
        message,
    )])))
}

/// An optional `Idempotency-Key` header: a retried request with the same key stores once.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k.to_owned()))
        }
        _ => Err(ApiError(Error::BadRequest(
            "The Idempotency-Key header must be 1–100 visible ASCII characters.".into(),
        ))),
    }
}

/// JSON answers as the form values they stand for, so both paths share one check.
fn raw_answers(answers: &Map<String, Value>, lang: Lang) -> ApiResult<RawAnswers> {
    let mut raw = RawAnswers::new();
    let mut errors = FieldErrors::new();
    for (name, value) in answers {
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
            _ => None,
        };
        let values = match value {
            Value::Null => Some(Vec::new()),
            Value::Array(items) => items.iter().map(scalar).collect(),
            v => scalar(v).map(|s| vec![s]),
        };
        match values {
            Some(v) => {
                raw.insert(name.clone(), v);
            }
            None => {
                let msg = match lang {
                    Lang::Zh => "必须是字符串、数字、true/false，或由它们组成的列表。",
                    Lang::En => "Must be a string, a number, true/false, or a list of those.",
                };
                errors.insert(name.clone(), msg.to_owned());
            }
        }
    }
    if errors.is_empty() {
        Ok(raw)
    } else {
        Err(ApiError(Error::Invalid(errors)))
    }
}
