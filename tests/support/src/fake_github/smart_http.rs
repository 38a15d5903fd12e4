//! git's smart HTTP through `git http-backend`, with Basic auth checked
//! against the tokens the fake issued.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn smart_http(
    state: &Mutex<State>,
    repos: &Path,
    method: &str,
    path: &str,
    query: &str,
    authorization: Option<&str>,
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    git_protocol: Option<&str>,
    body: &[u8],
) -> Reply {
    let pushing = query.contains("service=git-receive-pack") || path.ends_with("/git-receive-pack");
    let login = basic_credentials(authorization).and_then(|(_, password)| {
        let state = state.lock().unwrap();
        state
            .tokens
            .get(&password)
            .filter(|t| t.works() && (t.github_app || t.scopes.split(',').any(|s| s == "repo")))
            .map(|t| t.login.clone())
    });
    let members = path
        .split_once(".git/")
        .map(|(repository, _)| repository.trim_start_matches('/').to_ascii_lowercase())
        .and_then(|repository| state.lock().unwrap().private.get(&repository).cloned());
    if login.is_none() && (pushing || authorization.is_some() || members.is_some()) {
        let mut reply = Reply::text(401, "Invalid username or token.");
        reply
            .headers
            .push(("WWW-Authenticate".into(), "Basic realm=\"GitHub\"".into()));
        return reply;
    }
    if let (Some(members), Some(login)) = (&members, &login) {
        match members.get(&login.to_ascii_lowercase()) {
            None => return Reply::text(404, "Repository not found."),
            Some(Permission::Pull) if pushing => {
                return Reply::text(403, &format!("Permission to {path} denied to {login}."));
            }
            Some(_) => {}
        }
    }
    // A public repository takes pushes from its owner and collaborators
    // with write access only.
    if let (None, Some(login), true) = (&members, &login, pushing) {
        let key = path
            .split_once(".git/")
            .map(|(repository, _)| repository.trim_start_matches('/').to_ascii_lowercase())
            .unwrap_or_default();
        if public_permission(&state.lock().unwrap(), &key, login) == Permission::Pull {
            return Reply::text(403, &format!("Permission to {key}.git denied to {login}."));
        }
    }
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", repos)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", method)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(login) = &login {
        command.env("REMOTE_USER", login);
    }
    if let Some(content_type) = content_type {
        command.env("CONTENT_TYPE", content_type);
    }
    if let Some(encoding) = content_encoding {
        command.env("HTTP_CONTENT_ENCODING", encoding);
    }
    if let Some(protocol) = git_protocol {
        command.env("GIT_PROTOCOL", protocol);
    }
    let mut child = command.spawn().expect("git http-backend");
    let mut stdin = child.stdin.take().unwrap();
    let input = body.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = bounded_output(child, Duration::from_secs(60));
    let _ = writer.join();
    let Some(output) = output else {
        return Reply::text(504, "git http-backend took too long");
    };
    cgi_reply(&output)
}

pub(super) fn bounded_output(child: std::process::Child, limit: Duration) -> Option<Vec<u8>> {
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(limit) {
        Ok(Ok(output)) => Some(output.stdout),
        _ => {
            // SAFETY: kill(2) on the pid of the child spawned just above.
            #[cfg(unix)]
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL)
            };
            // Elsewhere the waiting thread is left to end with the process.
            #[cfg(not(unix))]
            let _ = pid;
            None
        }
    }
}

/// A CGI response: headers (with an optional `Status:`), a blank line, the body.
pub(super) fn cgi_reply(output: &[u8]) -> Reply {
    let split = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, 4))
        .or_else(|| {
            output
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|at| (at, 2))
        });
    let Some((at, gap)) = split else {
        return Reply::text(502, "git http-backend said nothing useful");
    };
    let mut reply = Reply {
        status: 200,
        headers: Vec::new(),
        body: output[at + gap..].to_vec(),
    };
    for line in String::from_utf8_lossy(&output[..at]).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        if name.eq_ignore_ascii_case("Status") {
            reply.status = value
                .split_whitespace()
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(500);
        } else {
            reply.headers.push((name.to_string(), value));
        }
    }
    reply
}
