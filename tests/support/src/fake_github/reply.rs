//! What the fake answers with: a status, headers and a body, and the
//! shapes GitHub's replies take.

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Reply {
    pub(super) fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub(super) fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: body.as_bytes().to_vec(),
        }
    }

    pub(super) fn redirect(location: &str) -> Reply {
        Reply {
            status: 302,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }

    /// The token endpoint's reply: JSON when asked for, else form-encoded,
    /// always with status 200, errors included.
    pub(super) fn token_endpoint(pairs: &[(&str, String)], json: bool) -> Reply {
        if json {
            // Counts (expires_in, interval) are JSON numbers, as GitHub sends them.
            let value = |v: &String| match v.parse::<u64>() {
                Ok(number) if !v.is_empty() => serde_json::Value::from(number),
                _ => serde_json::Value::String(v.clone()),
            };
            let object: serde_json::Map<String, serde_json::Value> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), value(v)))
                .collect();
            Reply::json(200, &serde_json::Value::Object(object).to_string())
        } else {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            Reply {
                status: 200,
                headers: vec![(
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded; charset=utf-8".into(),
                )],
                body: body.into_bytes(),
            }
        }
    }
}
