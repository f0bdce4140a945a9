//! Reads an `application/x-www-form-urlencoded` body strictly: repeated keys kept, invalid UTF-8 refused.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use percent_encoding::percent_decode;

use crate::error::Error;

/// The posted pairs in order. Repeated keys (checkboxes) stay as separate pairs.
#[derive(Debug, Default)]
pub struct FormBody(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormBody {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(Error::UnsupportedMediaType(
                "Send the form as application/x-www-form-urlencoded.".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await?;
        parse(&bytes).map(FormBody)
    }
}

/// Decodes `a=1&b=x+y` pairs. Unlike lenient decoders, a byte sequence that
/// is not UTF-8 is an error rather than silently replaced text.
pub fn parse(bytes: &[u8]) -> Result<Vec<(String, String)>, Error> {
    bytes
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut kv = part.splitn(2, |b| *b == b'=');
            let key = decode(kv.next().unwrap_or_default())?;
            let value = decode(kv.next().unwrap_or_default())?;
            Ok((key, value))
        })
        .collect()
}

fn decode(raw: &[u8]) -> Result<String, Error> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_decode(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Error::BadRequest("The form data is not valid UTF-8 text.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_plus_and_percent_escapes_are_decoded() {
        let pairs = parse(b"a=1&heard=friend&heard=online&t=x+y%21&e=").unwrap();
        assert_eq!(pairs.len(), 5);
        assert_eq!(pairs[1], ("heard".into(), "friend".into()));
        assert_eq!(pairs[2], ("heard".into(), "online".into()));
        assert_eq!(pairs[3], ("t".into(), "x y!".into()));
        assert_eq!(pairs[4], ("e".into(), String::new()));
    }

    #[test]
    fn chinese_text_round_trips() {
        let pairs = parse("c=%E5%BE%88%E5%A5%BD".as_bytes()).unwrap();
        assert_eq!(pairs[0].1, "很好");
    }

    #[test]
    fn invalid_utf8_is_refused_not_replaced() {
        assert!(matches!(parse(b"c=%FF%FE"), Err(Error::BadRequest(_))));
        assert!(matches!(parse(b"c=\xff"), Err(Error::BadRequest(_))));
    }
}
