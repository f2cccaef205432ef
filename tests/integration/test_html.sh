#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -f html in a real browser: headless Chromium renders the page of the demo
# inventory (DOM, screenshots light and dark, an A4 PDF) and of VMs named
# like markup (tests/vcsim/scenarios/markup.json).  Checked against the JSON
# report of the same inventory: one <tr data-vm> per VM, the summary counts,
# no script but the page's own ran, and no network request was made.
#
# No network request: Chromium writes a net log (--log-net-log) of every
# request its network stack starts; requests made for the page carry the
# page's file:// site in their network isolation key (or its opaque origin
# as initiator), unlike Chromium's own background requests, which it makes
# whatever the page.  A control page that loads a stylesheet, an image and
# a fetch() must show up in the log by the same test, so a Chromium whose
# log says something else fails here instead of passing blind.  Name
# resolution is mapped to nothing (--host-resolver-rules), so even a request
# the log missed could not leave the machine.  Local files (the page
# itself) are not network requests and never appear in the log.
. "$(dirname "$0")/lib.sh"
require_cmd chromium chromium
require_cmd python3 python3

check=$SRC_DIR/tests/integration/html_check.py
scratch_dir
tmp=$SCRATCH_DIR

# browser NAME ARGS...: one headless Chromium of its own (profile in a temp
# dir; --no-sandbox because tests run as root), net log in $tmp/NAME.netlog.
browser() {
	name=$1
	shift
	rm -rf "$tmp/profile-$name"
	HOME=$tmp timeout 60 chromium --headless --disable-gpu --no-sandbox --no-first-run \
		--user-data-dir="$tmp/profile-$name" --disable-background-networking \
		--disable-component-update --disable-sync --disable-extensions \
		--host-resolver-rules="MAP * ~NOTFOUND" --log-net-log="$tmp/$name.netlog" \
		"$@" 2>"$tmp/$name.chromium.err"
}

# py ARGS...: one html_check.py call; its ok/FAIL lines count as ours.
py() {
	python3 "$check" "$@" >"$tmp/py.out" 2>&1 || true
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		*) fail "$line" ;;
		esac
	done <"$tmp/py.out"
}

# The detector first: a page that does fetch things.
cat >"$tmp/control.html" <<'HTML'
<!DOCTYPE html><html><head><link rel="stylesheet" href="https://vmsc-netcheck.invalid/a.css"></head>
<body><img src="http://vmsc-netcheck.invalid/x.png" alt="">
<script>fetch('https://vmsc-netcheck.invalid/y').catch(function () {});</script></body></html>
HTML
browser control --dump-dom "file://$tmp/control.html" >"$tmp/control.dom"
py net "$tmp/control.netlog" 3

pw=$(password_file html.pw 'html-pw')
for scen in demo markup; do
	start_sim "html-$scen" -scenario "$SRC_DIR/tests/vcsim/scenarios/$scen.json" -username ops \
		-password-file "$pw"
	conn="-s $SIM_URL -u ops --password-file $pw --cacert $SIM_CERT"
	vmsc $conn -f json
	cp "$OUT" "$tmp/$scen.json"
	vmsc $conn -f html -o "$tmp/$scen.html"
	want=$(jq .exitCode "$tmp/$scen.json")
	expect_rc "$want" "$scen: html run exits as the JSON one"

	browser "$scen" --dump-dom "file://$tmp/$scen.html" >"$tmp/$scen.dom"
	[ -s "$tmp/$scen.dom" ] && ok "$scen: Chromium rendered the page" ||
		fail "$scen: no DOM from Chromium: $(tail -3 "$tmp/$scen.chromium.err")"
	py dom "$tmp/$scen.html" "$tmp/$scen.dom" "$tmp/$scen.json"
	py net "$tmp/$scen.netlog"
done

# The demo page as people see it: light, dark, printed on A4.
browser light --window-size=1200,1600 --hide-scrollbars --screenshot="$WORK_DIR/report-demo.png" \
	"file://$tmp/demo.html" >/dev/null
py png "$WORK_DIR/report-demo.png" 1200 light
browser dark --force-dark-mode --window-size=1200,1600 --hide-scrollbars \
	--screenshot="$WORK_DIR/report-demo-dark.png" "file://$tmp/demo.html" >/dev/null
py png "$WORK_DIR/report-demo-dark.png" 1200 dark
browser print --no-pdf-header-footer --print-to-pdf="$WORK_DIR/report-demo.pdf" \
	"file://$tmp/demo.html" >/dev/null
# A4 is 595.28 x 841.89 pt; Chromium writes it in whole device pixels
if grep -aq 'MediaBox \[0 0 59[45][.0-9]* 84[12][.0-9]*\]' "$WORK_DIR/report-demo.pdf"; then
	ok "printed on A4 ($(grep -ac MediaBox "$WORK_DIR/report-demo.pdf") pages)"
else
	fail "PDF pages are not A4: $(grep -ao 'MediaBox \[[^]]*\]' "$WORK_DIR/report-demo.pdf" | head -1)"
fi
for n in light dark print; do py net "$tmp/$n.netlog"; done

finish
