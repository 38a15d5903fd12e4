//! git's URL matching for `<section>.<url>.<key>` config, done here for
//! what `git config --get-urlmatch` cannot give: it returns only the last
//! value of a multi-valued key (and git refuses `--get-all` with it).
//!
//! The rules are those of git's urlmatch.c: the scheme, the host (a `*`
//! label matches any one label) and the port must match, a user in the
//! config URL must be the URL's, and the config URL's path must be a
//! prefix of the URL's path at a `/`. Of all that match, the longest host
//! wins, then the longest path, then the one that names a user; a key with
//! no URL matches everything and loses to any that has one.

/// How closely a config URL matches: compared field by field, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Specificity {
    host: usize,
    path: usize,
    user: bool,
}

struct Parts<'a> {
    scheme: String,
    user: Option<&'a str>,
    host: String,
    port: Option<u16>,
    path: &'a str,
}

fn parse(url: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, host_port)) => (Some(user.split(':').next().unwrap_or(user)), host_port),
        None => (None, authority),
    };
    // An IPv6 host holds colons of its own; an empty port is the scheme's.
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, "")) => (host, None),
        Some((host, port)) if !port.contains(']') => (host, Some(port.parse().ok()?)),
        _ => (host_port, None),
    };
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    Some(Parts {
        port: port.or(default_port),
        scheme,
        user,
        host: host.to_ascii_lowercase(),
        path,
    })
}

fn host_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host): (Vec<_>, Vec<_>) =
        (pattern.split('.').collect(), host.split('.').collect());
    pattern.len() == host.len()
        && pattern
            .iter()
            .zip(&host)
            .all(|(wanted, label)| *wanted == "*" || wanted == label)
}

/// How `pattern` (the `<url>` of a config key; empty for a key with none)
/// matches `url`, or `None` when it does not apply to it.
pub fn specificity(pattern: &str, url: &str) -> Option<Specificity> {
    if pattern.is_empty() {
        return Some(Specificity::default());
    }
    let (wanted, given) = (parse(pattern)?, parse(url)?);
    if wanted.scheme != given.scheme
        || wanted.port != given.port
        || !host_matches(&wanted.host, &given.host)
        || wanted.user.is_some_and(|user| Some(user) != given.user)
    {
        return None;
    }
    let prefix = wanted.path.trim_end_matches('/');
    let path_matches = prefix.is_empty()
        || given.path == prefix
        || given
            .path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'));
    path_matches.then_some(Specificity {
        host: wanted.host.len(),
        path: prefix.len(),
        user: wanted.user.is_some(),
    })
}

/// Every value of a multi-valued key that applies to `url`, in the order
/// git would read them: the values under the most specific matching URL,
/// an empty value resetting the list as git's own lists do. `entries` are
/// `(config URL, value)` in file order.
pub fn all_values<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    url: &str,
) -> Vec<String> {
    let mut best: Option<Specificity> = None;
    let mut values = Vec::new();
    for (pattern, value) in entries {
        let Some(found) = specificity(pattern, url) else {
            continue;
        };
        match best {
            Some(best) if found < best => continue,
            Some(best) if found == best => {}
            _ => {
                best = Some(found);
                values.clear();
            }
        }
        match value.is_empty() {
            true => values.clear(),
            false => values.push(value.to_string()),
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_applies_follows_gits_rules() {
        let url = "https://alice@github.com/acme/repo.git";
        assert!(specificity("https://github.com", url).is_some());
        assert!(specificity("https://GitHub.com/", url).is_some());
        assert!(specificity("https://github.com:443", url).is_some());
        assert!(specificity("https://*.com", url).is_some());
        assert!(specificity("https://github.com/acme", url).is_some());
        assert!(specificity("https://alice@github.com", url).is_some());
        assert!(specificity("http://github.com", url).is_none());
        assert!(specificity("https://github.com:8443", url).is_none());
        assert!(specificity("https://bob@github.com", url).is_none());
        assert!(specificity("https://github.com/acme-corp", url).is_none());
        assert!(specificity("https://github.com/ACME", url).is_none());
        assert!(specificity("https://gist.github.com", url).is_none());
        assert!(specificity("https://*.github.com", url).is_none());
        // IPv6 hosts hold colons that are no port separator.
        assert!(specificity("http://[::1]", "http://[::1]/callback").is_some());
        assert!(specificity("http://[::1]:8080", "http://[::1]:8080/x").is_some());
        assert!(specificity("http://[::1]:8080", "http://[::1]/x").is_none());
        // The default port, written or not; a path equal to the config's.
        assert!(specificity("http://127.0.0.1", "http://127.0.0.1:80/x").is_some());
        assert!(specificity("https://github.com/acme", "https://github.com/acme").is_some());
        // An empty port is the scheme's own.
        assert!(specificity("https://github.com:", "https://github.com/x").is_some());
    }

    #[test]
    fn the_longest_host_then_path_then_a_user_wins() {
        let url = "https://alice@github.com/acme/repo.git";
        let of = |pattern| specificity(pattern, url).unwrap();
        assert!(of("") < of("https://*.com"));
        assert!(of("https://*.com") < of("https://github.com"));
        assert!(of("https://github.com") < of("https://github.com/acme"));
        assert!(of("https://github.com/acme") < of("https://alice@github.com/acme"));
        assert!(of("https://alice@github.com") < of("https://github.com/acme"));
    }

    #[test]
    fn every_value_under_the_best_url_in_order_with_resets() {
        let url = "https://github.com";
        let entries = [
            ("", "http://127.0.0.1:9/callback"),
            ("https://github.com", "http://127.0.0.1:1/callback"),
            ("https://ghe.example.com", "http://127.0.0.1:5/callback"),
            ("https://github.com", "http://127.0.0.1:2/callback"),
            ("https://github.com", "http://127.0.0.1:3/callback"),
        ];
        assert_eq!(
            all_values(entries, url),
            [1, 2, 3].map(|port| format!("http://127.0.0.1:{port}/callback"))
        );
        let reset = [
            ("https://github.com", "http://127.0.0.1:1/callback"),
            ("https://github.com", ""),
            ("https://github.com", "http://127.0.0.1:3/callback"),
        ];
        assert_eq!(all_values(reset, url), ["http://127.0.0.1:3/callback"]);
        assert_eq!(
            all_values([("", "http://127.0.0.1:9/callback")], url),
            ["http://127.0.0.1:9/callback"]
        );
        assert!(all_values([("https://gitlab.com", "x")], url).is_empty());
        // A less specific key after a more specific one changes nothing.
        let later_generic = [
            ("https://github.com", "http://127.0.0.1:1/callback"),
            ("", "http://127.0.0.1:9/callback"),
        ];
        assert_eq!(
            all_values(later_generic, url),
            ["http://127.0.0.1:1/callback"]
        );
    }
}
