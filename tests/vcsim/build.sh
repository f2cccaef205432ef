#!/bin/sh
# Build the vCenter simulator fixture (tests/vcsim) offline, in GOPATH mode,
# against Debian's golang-go and golang-github-vmware-govmomi-dev.
#
#   tests/vcsim/build.sh OUTDIR      -> OUTDIR/vcsim-fixture
#
# Works without $HOME (CI) and without network. Exits non-zero on failure.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

GO=${GO:-go}
if ! command -v "$GO" >/dev/null 2>&1; then
    for g in /usr/lib/go/bin/go /usr/bin/go; do
        if [ -x "$g" ]; then GO=$g; break; fi
    done
fi
if ! command -v "$GO" >/dev/null 2>&1; then
    echo "$0: go not found (install golang-go)" >&2
    exit 1
fi

# The gocode tree that golang-github-vmware-govmomi-dev installs.
gopath=${VCSIM_GOPATH:-/usr/share/gocode}
if [ ! -d "$gopath/src/github.com/vmware/govmomi/simulator" ]; then
    echo "$0: govmomi simulator not found under $gopath (install golang-github-vmware-govmomi-dev)" >&2
    exit 1
fi

mkdir -p "$out/gocache" "$out/gotmp"

# GOPATH mode: the package is built from its directory; nothing is fetched.
cd "$src"
env GO111MODULE=off \
    GOPATH="$gopath" \
    GOCACHE="$out/gocache" \
    GOTMPDIR="$out/gotmp" \
    GOFLAGS= \
    GOPROXY=off \
    GOTOOLCHAIN=local \
    CGO_ENABLED=0 \
    HOME="${HOME:-$out}" \
    "$GO" build -p 2 -trimpath -o "$out/vcsim-fixture.tmp" .
mv -f "$out/vcsim-fixture.tmp" "$out/vcsim-fixture"
