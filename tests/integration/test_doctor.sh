#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vmsnapcheck doctor: each step OK/FAIL with a hint, exit 0 or 3.
. "$(dirname "$0")/lib.sh"

pw=$(password_file doctor.pw 'doc-pw')
bad=$(password_file doctor-bad.pw 'nope')
start_sim doctor -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -username ops -password-file "$pw"

vmsc_cfg doctor --no-config -s "$SIM_URL" -u ops --password-file "$pw" --cacert "$SIM_CERT"
expect_rc 0 "doctor passes against the simulator"
bad_steps=""
for s in resolve connect tls sdk version login privileges clock; do
	grep -q "^\[ OK \] $s " "$OUT" || bad_steps="$bad_steps $s"
done
[ -z "$bad_steps" ] && ok "doctor: every step OK" || fail "doctor: steps not OK:$bad_steps"
grep -q "API 6.5" "$OUT" && ok "doctor names the API version" || fail "no API version"
grep -q "SHA-256 $SIM_SHA256" "$OUT" && ok "doctor shows the certificate fingerprint" || fail "no fingerprint"

grep -q "certificate .* (TLSv1\.[0-9], [A-Z0-9_-]*)$" "$OUT" && ! grep -q "), SSL " "$OUT" &&
	ok "doctor: protocol and cipher in one parenthesis" || fail "doctor cipher line: $(grep ' certificate ' "$OUT")"

# a wrong path: a 404, and the hint to use /sdk, in doctor and in a check
vmsc_cfg doctor --no-config -s "${SIM_URL%/sdk}/wrong" -u ops --password-file "$pw" --cacert "$SIM_CERT"
expect_rc 3 "doctor: wrong path"
grep -q "^\[FAIL\] sdk .*404" "$OUT" && grep -q "hint: check the URL path (usually /sdk)" "$OUT" &&
	ok "doctor: 404 with a /sdk hint" || fail "doctor: no /sdk hint for a 404"
vmsc -s "${SIM_URL%/sdk}/wrong" -u ops --password-file "$pw" --cacert "$SIM_CERT"
expect_rc 3 "check: wrong path"
expect_err "404 Not Found': check the URL path: vSphere answers at '/sdk'" "check: 404 names /sdk"
expect_err_lines 1 "check: wrong path: one line"

vmsc_cfg doctor --no-config -s "$SIM_URL" -u ops --password-file "$pw"
expect_rc 3 "doctor: untrusted certificate"
grep -q '^\[FAIL\] tls .*not trusted' "$OUT" && ok "tls step fails" || fail "tls step did not fail"
grep -q -- "--thumbprint $SIM_SHA256" "$OUT" && ok "hint names the thumbprint" || fail "no thumbprint hint"
grep -q '\] login' "$OUT" && fail "login attempted after TLS failed" || ok "later steps skipped"

# --thumbprint: SHA-256, or SHA-1 in lower case without colons (govc's forms)
vmsc_cfg doctor --no-config -s "$SIM_URL" -u ops --password-file "$pw" --thumbprint "$SIM_SHA256"
expect_rc 0 "doctor: SHA-256 thumbprint pins the certificate"
grep -q '^\[ OK \] tls .*matches --thumbprint' "$OUT" && ok "tls step names the pin" || fail "pin not named"
sha1_plain=$(printf '%s' "$SIM_SHA1" | tr -d : | tr 'A-F' 'a-f')
vmsc_cfg doctor --no-config -s "$SIM_URL" -u ops --password-file "$pw" --thumbprint "$sha1_plain"
expect_rc 0 "doctor: SHA-1 thumbprint pins the certificate"
vmsc_cfg doctor --no-config -s "$SIM_URL" -u ops --password-file "$pw" \
	--thumbprint "$(wrong_thumbprint "$SIM_SHA256")"
expect_rc 3 "doctor: thumbprint mismatch"
grep -q '^\[FAIL\] tls .*does not match --thumbprint' "$OUT" && ok "mismatch named" || fail "mismatch not named"

vmsc_cfg doctor --no-config -s "$SIM_URL" -u ops --password-file "$bad" -k
expect_rc 3 "doctor: wrong password"
grep -q '^\[WARN\] tls ' "$OUT" && ok "-k is a warning" || fail "-k not a warning"
grep -q "^\[FAIL\] login .*incorrect user name or password" "$OUT" && ok "login step fails" ||
	fail "login step did not fail"

vmsc_cfg doctor --no-config -s https://127.0.0.1:1/sdk -u ops --password-file "$pw"
expect_rc 3 "doctor: refused port"
grep -q "^\[FAIL\] connect .*port 1" "$OUT" && ok "connect step fails" || fail "connect did not fail"

vmsc_cfg doctor --no-config -s https://no-such-host.invalid/sdk -u ops --password-file "$pw"
expect_rc 3 "doctor: unknown host"
grep -q "^\[FAIL\] resolve " "$OUT" && ok "resolve step fails" || fail "resolve did not fail"
finish
