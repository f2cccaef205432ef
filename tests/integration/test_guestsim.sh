#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The simulator's Guest Operations (issue 13, /work/guest-contract.md), driven
# with curl and hand-written SOAP: the managers through ServiceContent,
# credentials, a command run into temporary files, the file transfer over
# HTTPS, the registry, the faults, and the temp-files hook. Checks the
# fixture only (vmsnapcheck is not run).
. "$(dirname "$0")/lib.sh"
require_cmd curl curl

log=$WORK_DIR/requests.log
: >"$log"
start_sim guestsim -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -request-log "$log"
base=${SIM_URL%/sdk}
hostport=${base#https://}
jar=$WORK_DIR/cookies
rm -f "$jar"

# soap BODY: POSTs one SOAP request; the response in $RESP, HTTP status in $CODE.
RESP=$WORK_DIR/resp.xml
soap() {
	CODE=$(curl -sS --cacert "$SIM_CERT" -b "$jar" -c "$jar" -o "$RESP" -w '%{http_code}' \
		-H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: "urn:vim25/6.5"' \
		--data-binary "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soapenv:Body>$1</soapenv:Body></soapenv:Envelope>" \
		"$SIM_URL")
}
# val ELEMENT: the text of the first <ELEMENT ...>text</ELEMENT> in $RESP
val() { sed -n "s|.*<$1[^>]*>\([^<]*\)</$1>.*|\1|p" "$RESP" | head -1; }
has() { grep -q -- "$1" "$RESP"; }

soap '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
gom=$(val guestOperationsManager)
sm=$(val sessionManager)
pc=$(val propertyCollector)
si=$(val searchIndex)
[ -n "$gom" ] && ok "ServiceContent.guestOperationsManager is $gom" || fail "no guestOperationsManager in ServiceContent"

soap "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">$sm</_this><userName>ops</userName><password>x</password></Login>"
[ "$CODE" = 200 ] && ok "login" || fail "login: HTTP $CODE"

soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">$pc</_this><specSet><propSet><type>GuestOperationsManager</type><pathSet>authManager</pathSet><pathSet>fileManager</pathSet><pathSet>processManager</pathSet><pathSet>guestWindowsRegistryManager</pathSet></propSet><objectSet><obj type=\"GuestOperationsManager\">$gom</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
prop() { tr '<' '\n' <"$RESP" | grep -A2 "^name>$1\$" | sed -n 's/^val[^>]*>//p' | head -1; }
am=$(prop authManager) fm=$(prop fileManager) pm=$(prop processManager) rm_=$(prop guestWindowsRegistryManager)
[ -n "$am" ] && [ -n "$fm" ] && [ -n "$pm" ] && [ -n "$rm_" ] &&
	ok "managers: $am $fm $pm $rm_" || fail "GuestOperationsManager properties: $(cat "$RESP")"

vmref() {
	soap "<FindByInventoryPath xmlns=\"urn:vim25\"><_this type=\"SearchIndex\">$si</_this><inventoryPath>DC0/vm/$1</inventoryPath></FindByInventoryPath>"
	val returnval
}
auth() { # auth USER PASSWORD
	printf '<auth xsi:type="NamePasswordAuthentication"><interactiveSession>false</interactiveSession><username>%s</username><password>%s</password></auth>' "$1" "$2"
}
good=$(auth 'CORP\backupcheck' guest-pw)
win=$(vmref guest-win-ok-01)
[ -n "$win" ] || fail "guest-win-ok-01 not found"
vm="<vm type=\"VirtualMachine\">$win</vm>"

# guest.guestOperationsReady from the scenario
ready() {
	soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">$pc</_this><specSet><propSet><type>VirtualMachine</type><pathSet>guest.guestOperationsReady</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$1</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
	val val
}
[ "$(ready "$win")" = true ] && ok "guestOperationsReady true" || fail "guest-win-ok-01 not ready"
notready=$(vmref guest-win-notready-01)
[ "$(ready "$notready")" = false ] && ok "guestOperationsReady false from the scenario" || fail "guest-win-notready-01 ready"

# ---- credentials
soap "<ValidateCredentialsInGuest xmlns=\"urn:vim25\"><_this type=\"GuestAuthManager\">$am</_this>$vm$good</ValidateCredentialsInGuest>"
[ "$CODE" = 200 ] && has ValidateCredentialsInGuestResponse && ok "ValidateCredentialsInGuest accepts the scenario's credentials" ||
	fail "ValidateCredentialsInGuest: HTTP $CODE $(cat "$RESP")"
soap "<ValidateCredentialsInGuest xmlns=\"urn:vim25\"><_this type=\"GuestAuthManager\">$am</_this>$vm$(auth 'CORP\backupcheck' wrong)</ValidateCredentialsInGuest>"
[ "$CODE" = 500 ] && has 'xsi:type="InvalidGuestLogin"' && ok "a wrong guest password: InvalidGuestLogin" ||
	fail "wrong password: HTTP $CODE $(cat "$RESP")"

# fault_of VM OP-XML-AFTER-VM: the xsi:type of the fault an op gets on VM
fault_of() {
	ref=$(vmref "$1")
	soap "<ValidateCredentialsInGuest xmlns=\"urn:vim25\"><_this type=\"GuestAuthManager\">$am</_this><vm type=\"VirtualMachine\">$ref</vm>$good</ValidateCredentialsInGuest>"
	sed -n 's/.*Fault xmlns="urn:vim25" xsi:type="\([A-Za-z]*\)".*/\1/p' "$RESP" | head -1
}
for c in guest-win-badpw-01:InvalidGuestLogin guest-win-notready-01:GuestOperationsUnavailable \
	guest-win-opdisabled-01:OperationDisabledByGuest guest-win-outdated-01:GuestComponentsOutOfDate \
	guest-win-logons-01:TooManyGuestLogons web-01:GuestOperationsUnavailable off-01:InvalidPowerState; do
	f=$(fault_of "${c%%:*}")
	[ "$f" = "${c#*:}" ] && ok "${c%%:*}: $f" || fail "${c%%:*}: fault '$f', expected ${c#*:}"
done

# ---- a command into temporary files
tmp() {
	soap "<CreateTemporaryFileInGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this>$vm$good<prefix>vmsc</prefix><suffix>$1</suffix></CreateTemporaryFileInGuest>"
	val returnval
}
out=$(tmp .out) err=$(tmp .err)
case "$out" in 'C:\Windows\Temp\vmsc'*.out) ok "temporary file in C:/Windows/Temp, named prefix-number-suffix" ;; *) fail "CreateTemporaryFileInGuest: '$out' $(cat "$RESP")" ;; esac
start() { # start VM-XML COMMAND
	soap "<StartProgramInGuest xmlns=\"urn:vim25\"><_this type=\"GuestProcessManager\">$pm</_this>$1$good<spec xsi:type=\"GuestProgramSpec\"><programPath>C:\\Windows\\System32\\cmd.exe</programPath><arguments>/c $2 1&gt; \"$out\" 2&gt; \"$err\"</arguments></spec></StartProgramInGuest>"
	val returnval
}
pid=$(start "$vm" 'vssadmin list writers')
[ -n "$pid" ] && ok "StartProgramInGuest: pid $pid" || fail "StartProgramInGuest: $(cat "$RESP")"
soap "<ListProcessesInGuest xmlns=\"urn:vim25\"><_this type=\"GuestProcessManager\">$pm</_this>$vm$good<pids>$pid</pids></ListProcessesInGuest>"
has '<endTime>' && [ "$(val exitCode)" = 0 ] && ok "ListProcessesInGuest: ended, exitCode 0" ||
	fail "ListProcessesInGuest: $(cat "$RESP")"

soap "<InitiateFileTransferFromGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this>$vm$good<guestFilePath>$out</guestFilePath></InitiateFileTransferFromGuest>"
url=$(val url | sed 's/&amp;/\&/g')
case "$url" in "https://*:${hostport#*:}/guestFile?id="*) ok "transfer URL $url" ;; *) fail "transfer URL '$url'" ;; esac
get=$(printf '%s' "$url" | sed "s|^https://\*:[0-9]*|$base|")
curl -sS --cacert "$SIM_CERT" -b "$jar" -o "$WORK_DIR/writers.txt" "$get"
cmp -s "$WORK_DIR/writers.txt" "$SRC_DIR/tests/data/guest/vssadmin-writers-en.txt" &&
	ok "GET of the URL ('*' replaced) serves the command's output bytes" || fail "transferred output differs"
c=$(curl -sS --cacert "$SIM_CERT" -b "$jar" -o /dev/null -w '%{http_code}' "$get")
[ "$c" = 404 ] && ok "a transfer id works once" || fail "second GET: HTTP $c"
soap "<InitiateFileTransferFromGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this>$vm$good<guestFilePath>$err</guestFilePath></InitiateFileTransferFromGuest>"
c=$(curl -sS --cacert "$SIM_CERT" -o /dev/null -w '%{http_code}' "$(val url | sed "s|^https://\*:[0-9]*|$base|")")
[ "$c" = 401 ] && ok "GET without the session cookie: 401" || fail "GET without cookie: HTTP $c"

# an unknown command fails like cmd.exe
pid=$(start "$vm" 'nosuchtool /x')
soap "<InitiateFileTransferFromGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this>$vm$good<guestFilePath>$err</guestFilePath></InitiateFileTransferFromGuest>"
e=$(curl -sS --cacert "$SIM_CERT" -b "$jar" "$(val url | sed "s|^https://\*:[0-9]*|$base|")")
case "$e" in "'nosuchtool' is not recognized"*) ok "unknown command: cmd.exe's message on stderr" ;; *) fail "unknown command stderr: '$e'" ;; esac

# a command that never ends, until TerminateProcessInGuest
hang=$(vmref guest-win-hang-01)
hvm="<vm type=\"VirtualMachine\">$hang</vm>"
vm0=$vm vm=$hvm
hout=$(tmp .out) herr=$(tmp .err)
out0=$out err0=$err out=$hout err=$herr
pid=$(start "$hvm" 'vssadmin list writers')
soap "<ListProcessesInGuest xmlns=\"urn:vim25\"><_this type=\"GuestProcessManager\">$pm</_this>$hvm$good<pids>$pid</pids></ListProcessesInGuest>"
has '<pid>' && ! has '<endTime>' && ok "hanging command: still running" || fail "hang: $(cat "$RESP")"
soap "<TerminateProcessInGuest xmlns=\"urn:vim25\"><_this type=\"GuestProcessManager\">$pm</_this>$hvm$good<pid>$pid</pid></TerminateProcessInGuest>"
soap "<ListProcessesInGuest xmlns=\"urn:vim25\"><_this type=\"GuestProcessManager\">$pm</_this>$hvm$good<pids>$pid</pids></ListProcessesInGuest>"
has '<endTime>' && ok "TerminateProcessInGuest ends it" || fail "terminate: $(cat "$RESP")"

# a denied privilege
noexec=$(vmref guest-win-noexec-01)
soap "<StartProgramInGuest xmlns=\"urn:vim25\"><_this type=\"GuestProcessManager\">$pm</_this><vm type=\"VirtualMachine\">$noexec</vm>$good<spec xsi:type=\"GuestProgramSpec\"><programPath>C:\\Windows\\System32\\cmd.exe</programPath><arguments>/c whoami /groups</arguments></spec></StartProgramInGuest>"
has 'xsi:type="NoPermission"' && has '<privilegeId>VirtualMachine.GuestOperations.Execute</privilegeId>' &&
	ok "denyPrivilege: NoPermission with privilegeId" || fail "denyPrivilege: $(cat "$RESP")"

# ---- delete, and the hook shows nothing live
for f in "$vm0|$out0" "$vm0|$err0" "$hvm|$hout" "$hvm|$herr"; do
	soap "<DeleteFileInGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this>${f%%|*}$good<filePath>${f#*|}</filePath></DeleteFileInGuest>"
	[ "$CODE" = 200 ] || fail "DeleteFileInGuest ${f#*|}: $(cat "$RESP")"
done
vm=$vm0
soap "<DeleteFileInGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this>$vm$good<filePath>$out0</filePath></DeleteFileInGuest>"
has 'xsi:type="FileNotFound"' && ok "deleting twice: FileNotFound" || fail "second delete: $(cat "$RESP")"
hook=$(curl -sS --cacert "$SIM_CERT" "$base/vcsim/guest-temp-files")
[ "$(printf '%s' "$hook" | jq -c '[.created, .deleted, .live]')" = '[4,4,[]]' ] &&
	ok "temp-files hook: 4 created, 4 deleted, none live" || fail "hook: $hook"

# ---- registry and files
soap "<ListRegistryValuesInGuest xmlns=\"urn:vim25\"><_this type=\"GuestWindowsRegistryManager\">$rm_</_this>$vm$good<keyName><registryPath>HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\VSS</registryPath><wowBitness>WOWNative</wowBitness></keyName><expandStrings>false</expandStrings></ListRegistryValuesInGuest>"
tr '<' '\n' <"$RESP" | grep -A4 '^name>Start$' | grep -q 'GuestRegValueDwordSpec' && has '<value>3</value>' &&
	ok "ListRegistryValuesInGuest: VSS Start is a DWORD 3" || fail "registry values: $(cat "$RESP")"
soap "<ListRegistryKeysInGuest xmlns=\"urn:vim25\"><_this type=\"GuestWindowsRegistryManager\">$rm_</_this>$vm$good<keyName><registryPath>HKLM\\SYSTEM\\CurrentControlSet\\Services\\VSS\\Providers</registryPath><wowBitness>WOWNative</wowBitness></keyName><recursive>false</recursive></ListRegistryKeysInGuest>"
n=$(grep -o '<registryPath>[^<]*Providers\\{[^<]*</registryPath>' "$RESP" | wc -l)
[ "$n" = 2 ] && ok "ListRegistryKeysInGuest: the two provider subkeys" || fail "registry keys: $(cat "$RESP")"
soap "<ListRegistryValuesInGuest xmlns=\"urn:vim25\"><_this type=\"GuestWindowsRegistryManager\">$rm_</_this>$vm$good<keyName><registryPath>HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NoSuch</registryPath><wowBitness>WOWNative</wowBitness></keyName><expandStrings>false</expandStrings></ListRegistryValuesInGuest>"
has 'xsi:type="GuestRegistryKeyInvalid"' && ok "a missing key: GuestRegistryKeyInvalid" || fail "missing key: $(cat "$RESP")"
soap "<InitiateFileTransferFromGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this>$vm$good<guestFilePath>C:\\ProgramData\\VMware\\VMware Tools\\tools.conf</guestFilePath></InitiateFileTransferFromGuest>"
has 'xsi:type="FileNotFound"' && ok "no tools.conf: FileNotFound" || fail "tools.conf: $(cat "$RESP")"

lin=$(vmref guest-linux-freeze-noexec-01)
soap "<ListFilesInGuest xmlns=\"urn:vim25\"><_this type=\"GuestFileManager\">$fm</_this><vm type=\"VirtualMachine\">$lin</vm>$(auth backupcheck guest-pw)<filePath>/usr/sbin/pre-freeze-script</filePath></ListFilesInGuest>"
has 'GuestPosixFileAttributes' && [ "$(val permissions)" = 420 ] &&
	ok "ListFilesInGuest: the freeze script has mode 0644" || fail "ListFilesInGuest: $(cat "$RESP")"

grep -q '^StartProgramInGuest$' "$log" && grep -q '^GET /guestFile$' "$log" &&
	ok "request log names guest ops and transfers" || fail "request log: $(sort -u "$log" | tr '\n' ' ')"
finish
