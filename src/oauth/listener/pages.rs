//! What the listener answers: the small HTML page a browser tab ends on,
//! and plain replies to junk. Nothing here reads a request.

use std::io::Write;
use std::net::TcpStream;

use super::{CallbackError, READ_TIMEOUT};

/// The small HTML page the browser tab shows at the end.
#[derive(Debug, Clone)]
pub struct Page {
    pub succeeded: bool,
    pub message: String,
}

pub(super) fn respond_failure(stream: TcpStream, failure: &CallbackError) {
    respond_page(
        stream,
        &Page {
            succeeded: false,
            message: failure.to_string(),
        },
    );
}

pub(super) fn respond_page(stream: TcpStream, page: &Page) {
    let status = if page.succeeded { 200 } else { 400 };
    respond(
        stream,
        status,
        "text/html; charset=utf-8",
        &[],
        &render(page),
    );
}

/// Writes a whole response and closes the connection; a client that has
/// gone away is no concern of ours.
pub(super) fn respond(
    mut stream: TcpStream,
    status: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &str,
) {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        431 => "Request Header Fields Too Large",
        _ => "",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(body);
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

pub(super) fn render(page: &Page) -> String {
    let (title, colour) = if page.succeeded {
        ("Signed in", "#1a7f37")
    } else {
        ("Sign-in failed", "#cf222e")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} – git-credential-ghoauth</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:36em;margin:4em auto\">\
         <h1 style=\"color:{colour}\">{title}</h1><p>{}</p>\
         <p>You can close this tab and return to the terminal.</p></body></html>\n",
        escape_html(&page.message)
    )
}

pub(super) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
