#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The simulator's -guest-transfers host modes, checked with curl and openssl
# (vmsnapcheck is not run): the "ESXi host" listener serves its own
# certificate, whose SHA-1 is VCSIM_HOST_SHA1 and what every HostSystem
# reports as summary.config.sslThumbprint; the token alone authorises the GET
# and a vCenter session cookie gets 400; host-wrong-thumbprint reports another
# SHA-1; host-unreachable names a port where nothing listens.
. "$(dirname "$0")/lib.sh"
require_cmd curl curl
require_cmd openssl openssl

scen=$SRC_DIR/tests/vcsim/scenarios/demo.json
log=$WORK_DIR/requests.log
: >"$log"
start_sim hostsim -scenario "$scen" -guest-transfers host -request-log "$log"
base=${SIM_URL%/sdk}
host_url=${VCSIM_HOST_URL:-} host_cert=${VCSIM_HOST_CERT:-} host_sha1=${VCSIM_HOST_SHA1:-}
jar=$WORK_DIR/cookies
rm -f "$jar"

RESP=$WORK_DIR/resp.xml
soap() { # soap BODY: response in $RESP, HTTP status in $CODE
	CODE=$(curl -sS --cacert "$SIM_CERT" -b "$jar" -c "$jar" -o "$RESP" -w '%{http_code}' \
		-H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "urn:vim25/6.5"' \
		--data-binary "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>$1</soapenv:Body></soapenv:Envelope>" \
		"$SIM_URL")
}
val() { sed -n "s|.*<$1[^>]*>\([^<]*\)</$1>.*|\1|p" "$RESP" | head -1; }
login() {
	rm -f "$jar"
	soap '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
	sm=$(val sessionManager) pc=$(val propertyCollector) si=$(val searchIndex) vmgr=$(val viewManager)
	root=$(val rootFolder)
	soap "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">$sm</_this><userName>ops</userName><password>x</password></Login>"
	[ "$CODE" = 200 ] || fail "login: HTTP $CODE"
}
# thumbprints: every HostSystem's summary.config.sslThumbprint, through a
# ContainerView as a client reads them: distinct values in $TPS (one a line),
# the number of hosts in $NHOSTS.
thumbprints() {
	soap "<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">$vmgr</_this><container type=\"Folder\">$root</container><type>HostSystem</type><recursive>true</recursive></CreateContainerView>"
	view=$(val returnval)
	soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">$pc</_this><specSet><propSet><type>HostSystem</type><pathSet>summary.config.sslThumbprint</pathSet></propSet><objectSet><obj type=\"ContainerView\">$view</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options></options></RetrievePropertiesEx>"
	NHOSTS=$(tr '<' '\n' <"$RESP" | grep -c '^obj type="HostSystem"' || true)
	TPS=$(tr '<' '\n' <"$RESP" | grep -A2 '^name>summary.config.sslThumbprint$' | sed -n 's/^val[^>]*>//p' | sort -u)
}
sha1_of() { openssl x509 -noout -fingerprint -sha1 | sed 's/^[^=]*=//'; }

# ---- host: the env file and the certificate
case "$host_url" in https://127.0.0.1:[0-9]*) ok "VCSIM_HOST_URL=$host_url" ;; *) fail "VCSIM_HOST_URL '$host_url'" ;; esac
[ "$host_cert" = "$WORK_DIR/hostsim.env.host.pem" ] && [ -s "$host_cert" ] &&
	ok "VCSIM_HOST_CERT beside the env file" || fail "VCSIM_HOST_CERT '$host_cert'"
[ "$(sha1_of <"$host_cert")" = "$host_sha1" ] && ok "VCSIM_HOST_SHA1 is the SHA-1 of VCSIM_HOST_CERT" ||
	fail "VCSIM_HOST_SHA1 $host_sha1, cert $(sha1_of <"$host_cert")"
[ "$host_sha1" != "$SIM_SHA1" ] && ok "the host certificate is not the vCenter's" || fail "same certificate"
served=$(openssl s_client -connect "${host_url#https://}" </dev/null 2>/dev/null | sha1_of)
[ "$served" = "$host_sha1" ] && ok "the host listener serves VCSIM_HOST_CERT" || fail "served SHA-1 '$served'"
set +e
curl -sS --cacert "$host_cert" -o /dev/null "$host_url/guestFile?id=none" 2>/dev/null
rc_host=$?
curl -sS --cacert "$SIM_CERT" -o /dev/null "$host_url/guestFile?id=none" 2>/dev/null
rc_vc=$?
set -e
[ "$rc_host" = 0 ] && [ "$rc_vc" = 60 ] && ok "curl verifies the host with VCSIM_HOST_CERT, not with VCSIM_CERT" ||
	fail "curl exit $rc_host with the host cert, $rc_vc with the vCenter cert (expected 0, 60)"

# ---- host: every HostSystem reports the host certificate's SHA-1
login
thumbprints
tps=$TPS
[ "$NHOSTS" -gt 0 ] && [ "$tps" = "$host_sha1" ] &&
	ok "summary.config.sslThumbprint of all $NHOSTS HostSystems is VCSIM_HOST_SHA1" ||
	fail "thumbprints of $NHOSTS hosts: '$tps' (expected $host_sha1)"

# ---- host: a transfer is served there by the token alone, never with the cookie
xfer() { # xfer: InitiateFileTransferFromGuest on a Linux VM's tools.conf; URL in $URL
	soap "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">$si</_this><inventoryPath>DC0/vm/guest-linux-ok-01</inventoryPath></FindByInventoryPath>"
	vm=$(val returnval)
	soap "<InitiateFileTransferFromGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">guestOperationsFileManager</_this><vm type=\"VirtualMachine\">$vm</vm><auth xsi:type=\"NamePasswordAuthentication\"><interactiveSession>false</interactiveSession><username>backupcheck</username><password>guest-pw</password></auth><guestFilePath>/etc/vmware-tools/tools.conf</guestFilePath></InitiateFileTransferFromGuest>"
	URL=$(val url | sed 's/&amp;/\&/g')
}
xfer
case "$URL" in "$host_url/guestFile?id="*) ok "transfer URL names the host: $URL" ;; *) fail "transfer URL '$URL': $(cat "$RESP")" ;; esac
c=$(curl -sS --cacert "$host_cert" -o "$WORK_DIR/got" -w '%{http_code}' "$URL")
[ "$c" = 200 ] && cmp -s "$WORK_DIR/got" "$SRC_DIR/tests/data/guest/tools-conf-linux-default.conf" &&
	ok "GET without a cookie serves the bytes" || fail "GET: HTTP $c"
c=$(curl -sS --cacert "$host_cert" -o /dev/null -w '%{http_code}' "$URL")
[ "$c" = 404 ] && ok "a token works once" || fail "second GET: HTTP $c"
xfer
c=$(curl -sS --cacert "$host_cert" -b "$jar" -o "$WORK_DIR/got" -w '%{http_code}' "$URL")
[ "$c" = 400 ] && [ "$(cat "$WORK_DIR/got")" = "vCenter session cookie sent to an ESXi host" ] &&
	ok "GET with the vCenter session cookie: 400" || fail "GET with cookie: HTTP $c $(cat "$WORK_DIR/got")"
xfer
c=$(curl -sS --cacert "$SIM_CERT" -b "$jar" -o /dev/null -w '%{http_code}' "$base/guestFile?${URL#*\?}")
[ "$c" = 404 ] && ok "the vCenter listener does not serve host transfers (404)" || fail "vCenter GET: HTTP $c"
n=$(grep -c '^GET /guestFile (host)$' "$log" || true)
[ "$n" -ge 4 ] && ok "request log: $n 'GET /guestFile (host)' lines" || fail "request log: $n host GETs"

# ---- host-wrong-thumbprint: the HostSystems report another SHA-1
start_sim wrongsim -scenario "$scen" -guest-transfers host-wrong-thumbprint
login
thumbprints
tps=$TPS
served=$(openssl s_client -connect "${VCSIM_HOST_URL#https://}" </dev/null 2>/dev/null | sha1_of)
case "$tps" in
??:*) [ "$tps" != "$served" ] && [ "$served" = "$VCSIM_HOST_SHA1" ] && [ "$tps" = "$VCSIM_HOST_REPORTED_SHA1" ] &&
	ok "host-wrong-thumbprint: HostSystems report $tps, the host serves $served" ||
	fail "host-wrong-thumbprint: reported '$tps', served '$served', env $VCSIM_HOST_SHA1" ;;
*) fail "host-wrong-thumbprint: reported '$tps'" ;;
esac

# ---- host-unreachable: connection refused at the URL's port
start_sim downsim -scenario "$scen" -guest-transfers host-unreachable
set +e
curl -sS --cacert "$VCSIM_HOST_CERT" -o /dev/null --max-time 5 "$VCSIM_HOST_URL/guestFile?id=none" 2>/dev/null
rc=$?
set -e
[ "$rc" = 7 ] && ok "host-unreachable: curl cannot connect to $VCSIM_HOST_URL" || fail "host-unreachable: curl exit $rc"

# ---- vcenter (default): no host variables
start_sim vcsim -scenario "$scen"
grep -q '^VCSIM_HOST' "$WORK_DIR/vcsim.env" && fail "default mode writes VCSIM_HOST_*" ||
	ok "default mode: no VCSIM_HOST_* in the env file"
finish
