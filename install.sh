#!/bin/sh
# Installs git-credential-ghoauth with its man pages and completions: from
# an unpacked release archive, the binary beside this script (no Rust
# needed); from a git checkout, a binary it builds with cargo.
#
#   ./install.sh                       into ~/.local (bin/, share/man/man1/, and
#                                      bash, zsh and fish completions in share/)
#   ./install.sh --prefix DIR          into DIR/bin and DIR/share/...
#   ./install.sh --configure           also configure git for github.com with the
#                                      app built into the binary (--version says
#                                      whether it has one)
#   ./install.sh --client-id ID [--client-secret-stdin] [--host H]
#                                      also configure git for that GitHub host;
#                                      the secret comes from stdin, or from
#                                      GHOAUTH_CLIENT_SECRET (--client-secret S
#                                      works, but shows S in the process list)
#   ./install.sh --uninstall [--logout]
#                                      remove what an install put there and
#                                      this helper's git config for every
#                                      host; it first offers (or, with
#                                      --logout, goes on) to log out and
#                                      revoke every token it obtained
#   ./install.sh --binary PATH         install PATH instead of building
#
# Running it again is harmless: files are replaced, config is set once.
set -eu

prefix="${HOME:?HOME is not set}/.local"
host=github.com
client_id=""
client_secret="${GHOAUTH_CLIENT_SECRET:-}"
binary=""
uninstall=false
logout=false
configure=false
need() { [ $# -ge 2 ] || { echo "install.sh: $1 needs a value (try --help)" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) need "$@"; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --host) need "$@"; host=$2; shift 2 ;;
        --client-id) need "$@"; client_id=$2; shift 2 ;;
        --configure) configure=true; shift ;;
        --client-secret) need "$@"; client_secret=$2; shift 2
            echo "install.sh: warning: --client-secret is visible to every local user in the process list; prefer GHOAUTH_CLIENT_SECRET or --client-secret-stdin" >&2 ;;
        --client-secret-stdin) IFS= read -r client_secret || [ -n "$client_secret" ] || {
            echo "install.sh: --client-secret-stdin: standard input held no secret" >&2; exit 2; }; shift ;;
        --binary) need "$@"; binary=$2; shift 2 ;;
        --uninstall) uninstall=true; shift ;;
        --logout) logout=true; shift ;;
        -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done

# Paths given are the caller's: make them absolute before changing into
# this script's folder.
absolute() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
prefix=$(absolute "$prefix")
[ -z "$binary" ] || binary=$(absolute "$binary")

# root with a user's HOME (a sudo that keeps HOME) would leave root's files
# in that HOME, a git config among them, which the helper then refuses to
# read: say what to run instead.
if [ "$(id -u)" = 0 ] && [ -d "$HOME" ]; then
    home_owner=$(ls -nd "$HOME" | awk '{ print $3 }')
    case "$prefix/" in
        "$HOME"/*)
            if [ "$home_owner" != 0 ]; then
                echo "install.sh: this runs as root, but HOME ($HOME) belongs to uid $home_owner: root-owned files there would not be that user's. Run it as that user, without sudo (./install.sh), or install for every user with sudo -H ./install.sh --prefix /usr/local" >&2
                exit 1
            fi
            ;;
    esac
fi

cd "$(dirname "$0")"
bin_dir="$prefix/bin"
man_dir="$prefix/share/man/man1"
installed="$bin_dir/git-credential-ghoauth"
# Where each shell looks for completions under a prefix.
bash_completion="$prefix/share/bash-completion/completions/git-credential-ghoauth"
zsh_completion="$prefix/share/zsh/site-functions/_git-credential-ghoauth"
fish_completion="$prefix/share/fish/vendor_completions.d/git-credential-ghoauth.fish"

if $uninstall; then
    if [ -x "$installed" ]; then
        # Revoking needs each app's settings, so it comes before they go.
        if ! $logout && [ -t 0 ]; then
            printf 'Log out of every host and revoke the tokens this helper obtained? [y/N] '
            read -r answer || answer=""
            case "$answer" in [yY]*) logout=true ;; esac
        fi
        if $logout; then
            "$installed" logout --all || echo "install.sh: some tokens were not revoked (see above)" >&2
        else
            echo "Tokens this helper obtained stay in your keyring; to revoke them, run first: $installed logout --all"
        fi
        "$installed" unconfigure --all
    fi
    rm -f "$installed" "$bash_completion" "$zsh_completion" "$fish_completion"
    for page in man/*.1; do
        rm -f "$man_dir/$(basename "$page")"
    done
    echo "Removed $installed, its man pages from $man_dir, and its shell completions."
    exit 0
fi

if [ -z "$binary" ] && [ ! -f Cargo.toml ] && [ -x ./git-credential-ghoauth ]; then
    # An unpacked release archive: the binary is beside this script.
    binary=./git-credential-ghoauth
fi
if [ -z "$binary" ]; then
    if [ ! -f Cargo.toml ]; then
        echo "install.sh: found neither a git-credential-ghoauth binary beside this script nor the sources to build one; run it from an unpacked release archive or a git checkout" >&2
        exit 1
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "install.sh: cargo is not on PATH; install Rust 1.89 or later and rerun: from rustup (https://rustup.rs), or on Debian 12 with 'apt install rustc-web cargo-web' (1.96; Debian's plain cargo package is too old); or install from a release archive, which needs no Rust" >&2
        exit 1
    fi
    cargo build --release --locked
    binary=target/release/git-credential-ghoauth
fi

mkdir -p "$bin_dir" "$man_dir" "$(dirname "$bash_completion")" "$(dirname "$zsh_completion")" "$(dirname "$fish_completion")"
install -m 755 "$binary" "$installed"
install -m 644 man/*.1 "$man_dir/"
install -m 644 man/completions/git-credential-ghoauth.bash "$bash_completion"
install -m 644 man/completions/_git-credential-ghoauth "$zsh_completion"
install -m 644 man/completions/git-credential-ghoauth.fish "$fish_completion"
echo "Installed $installed, its man pages in $man_dir, and bash, zsh and fish completions."
case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "Note: $bin_dir is not on your PATH; add it (e.g. in ~/.profile) so git can find the helper." ;;
esac

if [ -n "$client_id" ]; then
    if [ -n "$client_secret" ]; then
        GHOAUTH_CLIENT_SECRET=$client_secret "$installed" configure --host "$host" --client-id "$client_id"
    else
        "$installed" configure --host "$host" --client-id "$client_id"
    fi
elif case $("$installed" --version) in *'built-in github.com app'*) true ;; *) false ;; esac; then
    # This build carries an app for github.com: one command is the set-up.
    if $configure; then
        "$installed" configure
    else
        echo "This build has an app built in for github.com; set git up for it with:"
        echo "    $installed configure"
        echo "or, for your own GitHub App limited to the repositories you pick:"
        echo "    $installed setup"
    fi
elif $configure; then
    echo "install.sh: --configure: this build has no app built in for github.com; run '$installed setup' instead" >&2
    exit 1
else
    echo "Set it up for github.com (it creates your own GitHub App, installs it and signs in):"
    echo "    $installed setup"
    echo "or with an OAuth app you registered (docs/setup.md: By hand, with an OAuth app):"
    echo "    $installed configure --client-id <client id> --client-secret-stdin"
    echo "or, for every host it should only store credentials for:"
    echo "    git config --global credential.helper ghoauth"
fi
