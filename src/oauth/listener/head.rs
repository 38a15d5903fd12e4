//! Reading one request head from a stranger on the loopback port: bounded
//! in bytes and in time, and parsed strictly (the request line and `Host`).

use std::io::Read;
use std::net::TcpStream;
use std::time::Instant;

/// A browser's request line and headers are a few hundred bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// A request's head, as far as the listener cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    pub target: String,
    pub host: Option<String>,
}

pub(super) enum HeadError {
    TooLarge,
    /// The client closed, stalled or failed before the head ended.
    Incomplete,
}

/// Up to and including the blank line that ends the head, never more than
/// [`MAX_HEAD_BYTES`], and all of it before `deadline`.
pub(super) fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Vec<u8>, HeadError> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(HeadError::Incomplete);
        }
        let read = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(HeadError::Incomplete),
            Ok(read) => read,
        };
        let searched_from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..read]);
        if let Some(end) = find_end_of_head(&head[searched_from..]) {
            head.truncate(searched_from + end);
            return Ok(head);
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
    }
}

fn find_end_of_head(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// Parses an HTTP/1.x request head: the request line and the `Host`
/// header. Two `Host` headers, or a line that is not text, are refused.
pub fn parse_head(head: &[u8]) -> Result<RequestHead, &'static str> {
    if head.len() > MAX_HEAD_BYTES {
        return Err("head too large");
    }
    let text = std::str::from_utf8(head).map_err(|_| "not text")?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().ok_or("no request line")?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("request line is not METHOD TARGET VERSION");
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') || method.is_empty() {
        return Err("not an HTTP/1 request for a path");
    }
    let mut host = None;
    for line in lines.take_while(|line| !line.is_empty()) {
        let (name, value) = line.split_once(':').ok_or("header without a colon")?;
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err("two Host headers");
            }
            host = Some(value.trim().to_string());
        }
    }
    Ok(RequestHead {
        method: method.to_string(),
        target: target.to_string(),
        host,
    })
}
