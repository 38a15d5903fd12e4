//! The fake's repositories: public ones made with one commit, private
//! ones with their members, organisations that enforce SAML SSO, and how
//! the repository API behaves.

use super::*;

impl FakeGitHub {
    /// `owner` enforces SAML SSO, and `login`'s tokens are not authorized
    /// for it: its repositories' API answers 403 with `X-GitHub-SSO`.
    pub fn require_sso(&self, owner: &str, login: &str) {
        self.state
            .lock()
            .unwrap()
            .sso_required
            .insert((owner.to_ascii_lowercase(), login.to_ascii_lowercase()));
    }

    /// Makes `<owner>/<name>` private, seen only by `members`, each with
    /// its permission: others get 404 from git and from the API, as from
    /// github.com, and a push with pull access gets 403.
    pub fn make_private(&self, owner_and_name: &str, members: &[(&str, Permission)]) {
        let members = members
            .iter()
            .map(|(login, permission)| (login.to_ascii_lowercase(), *permission))
            .collect();
        self.state
            .lock()
            .unwrap()
            .private
            .insert(owner_and_name.to_ascii_lowercase(), members);
    }

    pub fn set_repository_api(&self, behaviour: RepositoryApi) {
        self.state.lock().unwrap().repository_api = behaviour;
    }

    pub fn set_repository_api_latency(&self, latency: Duration) {
        self.state.lock().unwrap().repository_api_latency = latency;
    }

    /// How many `GET /repos/{owner}/{repo}` requests reached the fake.
    pub fn repository_api_requests(&self) -> usize {
        self.seen()
            .iter()
            .filter(|(host, method, path)| {
                method == "GET"
                    && (path.starts_with("/api/v3/repos/")
                        || (is_api_host(host) && path.starts_with("/repos/")))
            })
            .count()
    }

    /// A public repository `<owner>/<name>.git` with one commit on main.
    pub fn create_repo(&self, owner_and_name: &str) -> String {
        let bare = self.repos.join(format!("{owner_and_name}.git"));
        let seed = self.repos.join(format!("{owner_and_name}.seed"));
        git(
            &self.repos,
            &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
        );
        git(
            &self.repos,
            &["init", "-q", "-b", "main", seed.to_str().unwrap()],
        );
        std::fs::write(seed.join("README.md"), "hello\n").unwrap();
        git(&seed, &["add", "README.md"]);
        git(&seed, &["commit", "-q", "-m", "first"]);
        git(&seed, &["push", "-q", bare.to_str().unwrap(), "main"]);
        std::fs::remove_dir_all(&seed).unwrap();
        format!("{}/{owner_and_name}.git", self.base_url)
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=Fake", "-c", "user.email=fake@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null())
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?} failed");
}
