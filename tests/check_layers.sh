#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The layers (docs/hacking.md): only src/vsphere/ may include gSOAP, curl or
# libxml2's reader; the config layer knows no rule; only the JUnit writer
# uses libxml2 (its xmlTextWriter).  Prints each offending line.
set -u
src=${1:?usage: check_layers.sh SOURCE_DIR}/src
inc=${1}/include
bad=0
check() { # what, pattern, files...
	what=$1 pat=$2
	shift 2
	hits=$(grep -nE "$pat" "$@" 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "$what:"
		echo "$hits"
		bad=1
	fi
}
outside_vsphere=$(find "$src" "$inc" -name '*.[ch]' ! -path "$src/vsphere/*")
# shellcheck disable=SC2086
check "gSOAP or curl outside src/vsphere" \
	'#[[:space:]]*include[[:space:]]*[<"](stdsoap2\.h|curl/|curlapi\.h|vimH\.h|vimStub\.h|soapH\.h|.*\.nsmap|vsphere/internal\.h)' \
	$outside_vsphere
# shellcheck disable=SC2086
check "libxml2 outside src/vsphere and the JUnit writer" '#[[:space:]]*include[[:space:]]*[<"]libxml/' \
	$(echo "$outside_vsphere" | grep -v '/src/report/junit\.c$')
check "the config layer includes the rule table" 'rules\.h' "$src"/config/*.c "$inc"/vmsnapcheck/config.h
# shellcheck disable=SC2086
check "a lower layer includes the CLI" '#[[:space:]]*include.*vmsnapcheck/(cli|probe|doctor)\.h' \
	"$src"/core/*.c "$src"/config/*.c "$src"/rules/*.c "$src"/report/*.c "$src"/vsphere/*.c
[ $bad -eq 0 ] && echo "layers ok"
exit $bad
