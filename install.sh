#!/bin/sh
# Installs the ngb binary for this machine, verified against the release's SHA256SUMS.
#
#   curl -fsSL https://github.com/nanogridbot/nanogridbot/releases/latest/download/install.sh | sh
#
# Options (or the environment variable in brackets):
#   --base URL|DIR   where the release files are [NGB_RELEASE_BASE]; a local directory works offline
#   --version V      a given release, e.g. 0.2.0 (default: the latest) [NGB_VERSION]
#   --dir DIR        where to put ngb [NGB_INSTALL_DIR]; default /usr/local/bin as root, else ~/.local/bin
#
# POSIX sh only: it runs under dash, busybox and macOS's sh.
set -eu

DEFAULT_BASE="https://github.com/nanogridbot/nanogridbot/releases"

say() { printf '%s\n' "$*"; }
fail() { printf 'ngb install: %s\n' "$*" >&2; exit 1; }

base="${NGB_RELEASE_BASE:-}"
version="${NGB_VERSION:-}"
dest="${NGB_INSTALL_DIR:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --base) [ $# -ge 2 ] || fail "--base needs a URL or a directory"; base="$2"; shift 2 ;;
    --version) [ $# -ge 2 ] || fail "--version needs a version such as 0.2.0"; version="$2"; shift 2 ;;
    --dir) [ $# -ge 2 ] || fail "--dir needs a directory"; dest="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
done

detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$os" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW*|MSYS*|CYGWIN*) fail "on Windows, download ngb-windows-x64.exe from the release page instead" ;;
    *) fail "no ngb build for the operating system '$os'" ;;
  esac
  case "$arch" in
    x86_64|amd64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) fail "no ngb build for the processor '$arch' (builds: x64, arm64)" ;;
  esac
  printf 'ngb-%s-%s' "$os" "$arch"
}

# fetch SOURCE-NAME OUTPUT: from the local directory or the URL in $base.
fetch() {
  if [ -d "$base" ]; then
    [ -f "$base/$1" ] || fail "$base/$1 does not exist"
    cp "$base/$1" "$2"
  elif command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$base/$1" || fail "could not download $base/$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$base/$1" || fail "could not download $base/$1"
  else
    fail "neither curl nor wget is installed; install one, or pass --base with a local directory"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    fail "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

target=$(detect_target)
if [ -z "$base" ]; then
  if [ -n "$version" ]; then base="$DEFAULT_BASE/download/v$version"; else base="$DEFAULT_BASE/latest/download"; fi
elif [ -n "$version" ] && [ ! -d "$base" ]; then
  base="$base/v$version"
fi
base="${base%/}"

if [ -z "$dest" ]; then
  if [ "$(id -u)" = 0 ]; then dest=/usr/local/bin; else dest="${HOME:?HOME is not set}/.local/bin"; fi
fi
mkdir -p "$dest" || fail "cannot create $dest"

work=$(mktemp -d 2>/dev/null || mktemp -d -t ngb-install)
trap 'rm -rf "$work"' EXIT INT TERM

say "downloading $target from $base"
fetch SHA256SUMS "$work/SHA256SUMS"
fetch "$target" "$work/ngb"

expected=$(awk -v f="$target" '$2 == f || $2 == "*" f { print $1; exit }' "$work/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS has no line for $target"
actual=$(sha256_of "$work/ngb")
[ "$actual" = "$expected" ] || fail "checksum mismatch for $target (expected $expected, got $actual): not installed"

chmod 755 "$work/ngb"
"$work/ngb" --version >/dev/null 2>&1 || fail "the downloaded $target does not run on this machine: not installed"

# Copy next to the destination first, then rename: an interrupted install never leaves half a binary.
cp "$work/ngb" "$dest/.ngb.install.$$" || fail "cannot write to $dest"
mv -f "$dest/.ngb.install.$$" "$dest/ngb"
say "installed $("$dest/ngb" --version) to $dest/ngb"

case ":${PATH:-}:" in
  *":$dest:"*) ;;
  *) say "note: $dest is not on your PATH; add it, e.g.  export PATH=\"$dest:\$PATH\"" ;;
esac
say "next: ngb init    (guided set-up), then: ngb serve"
