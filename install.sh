#!/bin/sh
# Builds git-credential-ghoauth and installs it with its man pages.
#
#   ./install.sh                  into ~/.local (bin/ and share/man/man1/)
#   ./install.sh --prefix DIR     into DIR/bin and DIR/share/man/man1
set -eu

prefix="${HOME:?HOME is not set}/.local"
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
                  prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")"
if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is not on PATH; install Rust (rustup, or Debian's cargo package) and rerun" >&2
    exit 1
fi
cargo build --release --locked

bin_dir="$prefix/bin"
man_dir="$prefix/share/man/man1"
mkdir -p "$bin_dir" "$man_dir"
install -m 755 target/release/git-credential-ghoauth "$bin_dir/git-credential-ghoauth"
install -m 644 man/*.1 "$man_dir/"

echo "Installed $bin_dir/git-credential-ghoauth and its man pages in $man_dir."
case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "Note: $bin_dir is not on your PATH; add it (e.g. in ~/.profile) so git can find the helper." ;;
esac
echo "Tell git to use it:"
echo "    git config --global credential.helper ghoauth"
echo "and, to sign in to GitHub in the browser, give it your OAuth app (README: Signing in to GitHub):"
echo "    git config --global credential.https://github.com.ghoauthClientId <client id>"
echo "    git config --global credential.https://github.com.ghoauthClientSecret <client secret>"
