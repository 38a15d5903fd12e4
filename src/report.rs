//! The helper's only voice: one line on stderr. stdout belongs to git.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

/// Writes `git-credential-ghoauth: <message>` on stderr as a single write,
/// so that parallel gits sharing a terminal do not interleave half lines.
/// Problems and their fixes, and the sign-in's own prompts (the address to
/// open, the code to type) alike.
pub fn say(message: impl Display) {
    let line = format!("git-credential-ghoauth: {message}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// A note that is no failure (where credentials went, say): said only when
/// stderr is a terminal. git's own helper tests, and scripts, treat any
/// stderr as a failure; a person at a push still sees it, since git hands
/// the helper its terminal. `status` says the same thing every time.
// Only Linux's `auto` store has a note to give today.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn note(message: impl Display) {
    if std::io::stderr().is_terminal() {
        say(message);
    }
}

/// Text from a server (or any other stranger), made safe to print on a
/// terminal: no escape sequences, no line breaks, no characters that
/// reorder what follows them, and not too long.
pub fn printable(text: &str) -> String {
    const LIMIT: usize = 300;
    let mut clean: String = text
        .chars()
        .map(|c| if is_unprintable(c) { ' ' } else { c })
        .take(LIMIT)
        .collect();
    if text.chars().count() > LIMIT {
        clean.push('…');
    }
    clean
}

/// Bytes from a keyring or a request (a user name, a host), made safe to
/// print the same way.
pub fn printable_bytes(bytes: &[u8]) -> String {
    printable(&String::from_utf8_lossy(bytes))
}

/// A proxy setting (`[protocol://][user[:password]@]host[:port]`) as it
/// may be printed. A proxy URL has no path, so everything up to the last
/// `@` is user information, even where a broken value holds `/`, `?` or
/// `#` there: the password becomes `***`, the user name stays.
pub fn proxy_without_password(proxy: &str) -> String {
    let after_scheme = proxy.find("://").map_or(0, |at| at + 3);
    let Some(at) = proxy[after_scheme..].rfind('@') else {
        return proxy.to_string();
    };
    let userinfo = &proxy[after_scheme..after_scheme + at];
    match userinfo.split_once(':') {
        Some((user, _password)) => format!(
            "{}{user}:***{}",
            &proxy[..after_scheme],
            &proxy[after_scheme + at..]
        ),
        None => proxy.to_string(),
    }
}

/// Control characters, and the invisible ones that change how a terminal
/// lays out the text around them (bidirectional overrides, zero widths).
fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        assert_eq!(printable("bad\x1b[31m\nthing"), "bad [31m thing");
        assert_eq!(printable("bob\x1b]0;PWNED\x07"), "bob ]0;PWNED ");
        assert_eq!(printable("a\u{202E}b\u{2066}c"), "a b c");
        assert!(printable(&"x".repeat(1000)).chars().count() <= 301);
    }

    #[test]
    fn a_proxys_password_is_masked_up_to_the_last_at_whatever_it_holds() {
        for (proxy, shown) in [
            (
                "http://user:pa/ss@proxy.corp:3128",
                "http://user:***@proxy.corp:3128",
            ),
            ("user:p?a#s/s@proxy.corp:3128", "user:***@proxy.corp:3128"),
            ("http://u:a@b@proxy.corp", "http://u:***@proxy.corp"),
            ("http://alice@proxy.corp", "http://alice@proxy.corp"),
            ("proxy.corp:3128", "proxy.corp:3128"),
            ("socks5://:only@h", "socks5://:***@h"),
            (
                "http://alice:Pr0xyPassw0rd@proxy.corp:3128/",
                "http://alice:***@proxy.corp:3128/",
            ),
            ("alice:p@ss:w@proxy.corp:3128", "alice:***@proxy.corp:3128"),
        ] {
            assert_eq!(proxy_without_password(proxy), shown, "{proxy}");
        }
    }
}
