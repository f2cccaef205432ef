#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 1,000 generated VMs: all listed, over several pages, no per-VM requests.
. "$(dirname "$0")/lib.sh"

log=$WORK_DIR/requests.log
pw=$(password_file paging.pw secret)
start_sim paging -vms 1000 -request-log "$log"
conn="-s $SIM_URL -u user --password-file $pw --cacert $SIM_CERT"

: >"$log"
vmsc $conn -f json --page-size 100 -v
[ "$RC" -le 2 ] && ok "1000-VM run completes (exit $RC)" || fail "1000-VM run exit $RC"
n=$(jq '.vms | length' "$OUT")
[ "$n" -eq 1000 ] && ok "all 1000 VMs listed" || fail "$n VMs listed"
u=$(jq '[.vms[].moid] | unique | length' "$OUT")
[ "$u" -eq 1000 ] && ok "each VM exactly once" || fail "$u distinct VMs"
first=$(grep -c '^RetrievePropertiesEx$' "$log" || true)
cont=$(grep -c '^ContinueRetrievePropertiesEx$' "$log" || true)
total=$(wc -l <"$log")
# one RetrievePropertiesEx per view: the VMs' and the Datastores'
[ "$first" -eq 2 ] && [ "$cont" -ge 9 ] && ok "paged: 2 RetrievePropertiesEx + $cont Continue" ||
	fail "paging: $first RetrievePropertiesEx, $cont Continue"
# fixed requests (session, view, task history) + one per page: never one per VM
[ "$total" -le $((cont + 15)) ] && ok "$total requests for 1000 VMs" || fail "$total requests"
expect_err "ContinueRetrievePropertiesEx" "-v prints request counts by kind"
expect_err "RetrievePropertiesEx (datastores) 1" "-v shows the Datastore view's requests apart"
# the client's count matches the server's: pages asked ahead are counted once
ccount=$(grep -o 'ContinueRetrievePropertiesEx[ (datastores)]* [0-9]*' "$ERR" |
	awk '{s += $NF} END {print s + 0}')
[ "$ccount" = "$cont" ] && ok "-v counts $cont Continue, as the server saw" ||
	fail "-v counts '$ccount' Continue, the server saw $cont"

# the next page is asked for while one is read, on a second connection
: >"$log"
vmsc $conn -f json --page-size 100 --debug
n=$(jq '.vms | length' "$OUT")
u=$(jq '[.vms[].moid] | unique | length' "$OUT")
ahead=$(grep -c 'next page asked ahead' "$ERR" || true)
conns=$(grep -c '^\* Connected to' "$ERR" || true)
[ "$n" -eq 1000 ] && [ "$u" -eq 1000 ] && [ "$ahead" -ge 9 ] && [ "$conns" -eq 2 ] &&
	ok "pages asked ahead ($ahead) on a second connection, every VM once" ||
	fail "asked ahead: $ahead, connections: $conns, VMs: $n ($u distinct)"
[ "$(grep -c '^ContinueRetrievePropertiesEx$' "$log")" -eq "$cont" ] &&
	ok "asking ahead sends no extra request" || fail "asking ahead changed the request count"
vmsc $conn -f json --page-size 100 --debug --connections 1
ahead=$(grep -c 'next page asked ahead' "$ERR" || true)
conns=$(grep -c '^\* Connected to' "$ERR" || true)
[ "$(jq '.vms | length' "$OUT")" -eq 1000 ] && [ "$ahead" -eq 0 ] && [ "$conns" -eq 1 ] &&
	ok "--connections 1: one connection, nothing asked ahead" ||
	fail "--connections 1: asked ahead $ahead, connections $conns"
vmsc $conn --connections 3
expect_rc 3 "--connections 3 refused"
expect_err "use 1 (one page at a time) or 2" "--connections range explained"

# globs: name-only pass, then the matches in pages, still no per-VM requests
: >"$log"
vmsc $conn -f json --page-size 100 'vm-00[0-4]*'
n=$(jq '.vms | length' "$OUT")
total=$(wc -l <"$log")
[ "$n" -eq 499 ] && ok "glob selects 499 VMs" || fail "glob selected $n VMs"
[ "$total" -le 30 ] && ok "glob run used $total requests" || fail "glob run used $total requests"

# the server may return fewer objects than asked: still complete
: >"$log"
vmsc $conn -f json --page-size 1000
n=$(jq '.vms | length' "$OUT")
[ "$n" -eq 1000 ] && ok "page size 1000 still lists all" || fail "$n VMs with page size 1000"
# many datastores: the Datastore view is paged too, never one request per datastore
start_sim paging-ds -vms 50 -datastores 250 -page-max 20 -request-log "$log"
conn="-s $SIM_URL -u user --password-file $pw --cacert $SIM_CERT"
: >"$log"
vmsc $conn -f json --page-size 100 -v
[ "$RC" -le 2 ] && ok "250-datastore run completes (exit $RC)" || fail "250-datastore run exit $RC"
dsfirst=$(grep -o ' RetrievePropertiesEx (datastores) [0-9]*' "$ERR" | awk '{print $NF}')
dscont=$(grep -o 'ContinueRetrievePropertiesEx (datastores) [0-9]*' "$ERR" | awk '{print $NF}')
total=$(wc -l <"$log")
[ "$dsfirst" = 1 ] && [ "${dscont:-0}" -ge 12 ] && [ "$dscont" -le 13 ] &&
	ok "datastores paged: 1 + $dscont Continue for 251 datastores by 20" ||
	fail "datastore paging: $dsfirst first, $dscont Continue"
# 50 VMs by 20 = 3 pages, 251 datastores by 20 = 13 pages, + fixed requests
[ "$total" -le 40 ] && ok "$total requests for 50 VMs and 251 datastores" ||
	fail "$total requests for 50 VMs and 251 datastores"
finish
