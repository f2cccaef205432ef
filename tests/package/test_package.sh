#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package (cpack -G DEB in the build directory): lintian reports
# no error, it unpacks into a temporary root whose binary runs and whose man
# page renders, systemd-analyze accepts its units without a word, and the
# bash completion offers options and rule ids.
set -u
build=${BUILD_DIR:?BUILD_DIR}
fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }

for tool in cpack lintian dpkg-deb systemd-analyze man bash; do
	command -v "$tool" >/dev/null 2>&1 || { echo "skip - $tool not installed (scripts/deps.sh --test)"; exit 77; }
done
[ -f /usr/share/bash-completion/bash_completion ] ||
	{ echo "skip - bash-completion not installed (scripts/deps.sh --test)"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# a package of its own, so a package built by hand is not what is tested
(cd "$build" && cpack -G DEB -B "$tmp/out") >"$tmp/cpack.log" 2>&1 ||
	{ cat "$tmp/cpack.log"; echo "not ok - cpack -G DEB"; exit 1; }
deb=$(ls "$tmp"/out/vmsnapcheck_*_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && ok "cpack built $(basename "$deb")" || { not_ok "no .deb"; exit 1; }

lintian --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1
if grep -q '^E:' "$tmp/lintian.log"; then
	cat "$tmp/lintian.log"
	not_ok "lintian reports errors"
else
	ok "lintian: no errors ($(grep -c '^W:' "$tmp/lintian.log") warnings)"
fi

deps=$(dpkg-deb -f "$deb" Depends)
case $deps in
*libcurl4*libgsoap*) ok "dependencies from dpkg-shlibdeps: $deps" ;;
*) not_ok "Depends lacks the shared libraries: '$deps'" ;;
esac

root=$tmp/root
dpkg-deb -x "$deb" "$root" || { not_ok "dpkg-deb -x"; exit 1; }
for f in usr/bin/vmsnapcheck usr/share/man/man1/vmsnapcheck.1.gz \
	usr/lib/systemd/system/vmsnapcheck.service usr/lib/systemd/system/vmsnapcheck.timer \
	usr/share/bash-completion/completions/vmsnapcheck \
	usr/share/doc/vmsnapcheck/examples/vmsnapcheck.ini.example usr/share/doc/vmsnapcheck/copyright; do
	[ -e "$root/$f" ] && ok "ships /$f" || not_ok "does not ship /$f"
done

v=$("$root/usr/bin/vmsnapcheck" --version 2>&1)
case $v in
"vmsnapcheck "[0-9]*) ok "--version: $v" ;;
*) not_ok "--version printed '$v'" ;;
esac
# the example config is a config the tool accepts
if "$root/usr/bin/vmsnapcheck" --config "$root/usr/share/doc/vmsnapcheck/examples/vmsnapcheck.ini.example" \
	--list-rules >/dev/null 2>"$tmp/cfg.err"; then
	ok "the example config loads"
else
	not_ok "the example config does not load: $(cat "$tmp/cfg.err")"
fi

if MANWIDTH=80 man -l "$root/usr/share/man/man1/vmsnapcheck.1.gz" 2>"$tmp/man.err" | grep -q 'CONFIGURATION FILE' &&
	[ ! -s "$tmp/man.err" ]; then
	ok "man page renders"
else
	not_ok "man page does not render cleanly: $(cat "$tmp/man.err")"
fi

# verify against the host's units for the targets ours refer to; any word
# from systemd-analyze (an unknown key, a bad value) is a failure
cp -an /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/" 2>/dev/null
out=$(systemd-analyze verify --man=no --root="$root" \
	"$root/usr/lib/systemd/system/vmsnapcheck.service" \
	"$root/usr/lib/systemd/system/vmsnapcheck.timer" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
	ok "systemd-analyze verify accepts the units"
else
	not_ok "systemd-analyze verify: $out"
fi

# completion: rule ids after `explain`, options after -, asked of the binary
complete_words() {
	PATH="$root/usr/bin:$PATH" bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_vmsnapcheck vmsnapcheck "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' \
		"$root/usr/share/bash-completion/completions/vmsnapcheck" "$@"
}
c=$(complete_words vmsnapcheck explain quiesce-e)
[ "$c" = quiesce-enableuuid ] && ok "completes rule ids" || not_ok "explain quiesce-e completes to '$c'"
c=$(complete_words vmsnapcheck --inc)
[ "$c" = --include-powered-off ] && ok "completes options" || not_ok "--inc completes to '$c'"
c=$(complete_words vmsnapcheck -f ht)
[ "$c" = html ] && ok "completes formats" || not_ok "-f ht completes to '$c'"
c=$(complete_words vmsnapcheck --require fi)
[ "$c" = filesystem ] && ok "completes --require levels" || not_ok "--require fi completes to '$c'"

echo "$fails failed"
[ $fails -eq 0 ]
