// Guest Operations (issue 13): the stock simulator runs guest operations only
// in docker containers. The fixture registers its own GuestOperationsManager
// (authManager, fileManager, processManager, guestWindowsRegistryManager)
// whose answers come from each VM's scenario "guest" object: credentials,
// registry keys, files and command outputs. Programs never run: a command
// line is matched against the scenario's commands and its outputs are
// written to the redirection targets. File transfers from the guest are
// served over the fixture's own HTTPS listener (/guestFile?id=TOKEN) or,
// with -guest-transfers host, an "ESXi host" listener (esxhost.go), and
// /vcsim/guest-temp-files tells the tests whether a client left temporary
// files behind. See README.md (Guest operations) and /work/guest-contract.md.

package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// ---- scenario format ------------------------------------------------------

// GuestSpec: the "guest" object of a VM (or a scenario guestTemplates entry).
type GuestSpec struct {
	Comment  string `json:"comment,omitempty"`
	Template string `json:"template,omitempty"` // a scenario guestTemplates name, merged under this spec

	User            string `json:"user,omitempty"`
	Password        string `json:"password,omitempty"`
	OperationsReady *bool  `json:"operationsReady,omitempty"` // default true
	Fault           string `json:"fault,omitempty"`           // every guest op faults with this vim25 type
	DenyPrivilege   string `json:"denyPrivilege,omitempty"`   // e.g. VirtualMachine.GuestOperations.Execute

	// Maps: a null entry removes what the template has.
	Registry map[string]*GuestRegKey  `json:"registry,omitempty"`
	Files    map[string]*GuestFile    `json:"files,omitempty"`
	Commands map[string]*GuestCommand `json:"commands,omitempty"`
}

type GuestRegKey struct {
	// Values: name -> JSON integer (REG_DWORD) or string (REG_SZ); "" is the default value.
	Values map[string]interface{} `json:"values,omitempty"`
}

type GuestFile struct {
	Content     string `json:"content,omitempty"`
	ContentFile string `json:"contentFile,omitempty"` // bytes from a file (path: see resolveDataFile)
	Mode        *int64 `json:"mode,omitempty"`        // POSIX permissions (decimal in JSON: 420 = 0644)

	data []byte
}

type GuestCommand struct {
	Stdout     string `json:"stdout,omitempty"`
	StdoutFile string `json:"stdoutFile,omitempty"` // bytes from a file (path: see resolveDataFile)
	Stderr     string `json:"stderr,omitempty"`
	ExitCode   int32  `json:"exitCode,omitempty"`
	Hang       bool   `json:"hang,omitempty"` // never ends until TerminateProcessInGuest

	stdout []byte
}

var guestPrivileges = map[string]bool{
	"VirtualMachine.GuestOperations.Query":   true,
	"VirtualMachine.GuestOperations.Modify":  true,
	"VirtualMachine.GuestOperations.Execute": true,
}

// resolveDataFile finds a stdoutFile/contentFile: relative to the scenario
// file's directory, else to the first of its parent directories where it
// exists (so "tests/data/guest/x.txt", relative to the repository root, works
// from tests/vcsim/scenarios/demo.json).
func resolveDataFile(scenarioDir, name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	for dir := scenarioDir; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("%s: not found relative to %s or a parent directory", name, scenarioDir)
		}
	}
}

// prepareGuest merges the template, checks the spec and loads the data files.
func prepareGuest(g *GuestSpec, templates map[string]*GuestSpec, scenarioDir string) (*GuestSpec, error) {
	if g.Template != "" {
		base, ok := templates[g.Template]
		if !ok || base == nil {
			return nil, fmt.Errorf("guest.template %q: no such guestTemplates entry", g.Template)
		}
		if base.Template != "" {
			return nil, fmt.Errorf("guestTemplates %q: a template cannot use another", g.Template)
		}
		g = mergeGuest(base, g)
	}
	if g.Fault != "" {
		if err := checkFault("guest.fault", g.Fault); err != nil {
			return nil, err
		}
	}
	if g.DenyPrivilege != "" && !guestPrivileges[g.DenyPrivilege] {
		return nil, fmt.Errorf("guest.denyPrivilege %q: one of VirtualMachine.GuestOperations.Query, .Modify, .Execute", g.DenyPrivilege)
	}
	for k, v := range g.Registry {
		if v == nil {
			delete(g.Registry, k)
			continue
		}
		if !strings.HasPrefix(strings.ToUpper(canonKey(k)), "HKEY_") {
			return nil, fmt.Errorf("guest.registry %q: want a full path (HKEY_LOCAL_MACHINE\\...)", k)
		}
		for n, val := range v.Values {
			switch x := val.(type) {
			case string:
			case float64:
				if x != float64(int64(x)) || x < -2147483648 || x > 4294967295 {
					return nil, fmt.Errorf("guest.registry %q value %q: a DWORD is an integer 0..4294967295", k, n)
				}
			default:
				return nil, fmt.Errorf("guest.registry %q value %q: an integer (REG_DWORD) or a string (REG_SZ)", k, n)
			}
		}
	}
	for p, f := range g.Files {
		if f == nil {
			delete(g.Files, p)
			continue
		}
		if f.ContentFile != "" {
			if f.Content != "" {
				return nil, fmt.Errorf("guest.files %q: content or contentFile, not both", p)
			}
			fn, err := resolveDataFile(scenarioDir, f.ContentFile)
			if err != nil {
				return nil, fmt.Errorf("guest.files %q: %s", p, err)
			}
			if f.data, err = os.ReadFile(fn); err != nil {
				return nil, fmt.Errorf("guest.files %q: %s", p, err)
			}
		} else {
			f.data = []byte(f.Content)
		}
	}
	for c, cmd := range g.Commands {
		if cmd == nil {
			delete(g.Commands, c)
			continue
		}
		if strings.TrimSpace(c) == "" {
			return nil, fmt.Errorf("guest.commands: empty command")
		}
		if cmd.Hang && (cmd.Stdout != "" || cmd.StdoutFile != "" || cmd.Stderr != "" || cmd.ExitCode != 0) {
			return nil, fmt.Errorf("guest.commands %q: a hanging command has no outputs or exit code", c)
		}
		if cmd.StdoutFile != "" {
			if cmd.Stdout != "" {
				return nil, fmt.Errorf("guest.commands %q: stdout or stdoutFile, not both", c)
			}
			fn, err := resolveDataFile(scenarioDir, cmd.StdoutFile)
			if err != nil {
				return nil, fmt.Errorf("guest.commands %q: %s", c, err)
			}
			if cmd.stdout, err = os.ReadFile(fn); err != nil {
				return nil, fmt.Errorf("guest.commands %q: %s", c, err)
			}
		} else {
			cmd.stdout = []byte(cmd.Stdout)
		}
	}
	return g, nil
}

// mergeGuest: the VM's spec over a copy of the template (maps merged by key).
func mergeGuest(base, over *GuestSpec) *GuestSpec {
	g := *base
	g.Comment, g.Template = over.Comment, ""
	if over.User != "" {
		g.User = over.User
	}
	if over.Password != "" {
		g.Password = over.Password
	}
	if over.OperationsReady != nil {
		g.OperationsReady = over.OperationsReady
	}
	if over.Fault != "" {
		g.Fault = over.Fault
	}
	if over.DenyPrivilege != "" {
		g.DenyPrivilege = over.DenyPrivilege
	}
	g.Registry = map[string]*GuestRegKey{}
	for _, m := range []map[string]*GuestRegKey{base.Registry, over.Registry} {
		for k, v := range m {
			g.Registry[k] = v
		}
	}
	g.Files = map[string]*GuestFile{}
	for _, m := range []map[string]*GuestFile{base.Files, over.Files} {
		for k, v := range m {
			if v != nil {
				c := *v
				v = &c
			}
			g.Files[k] = v
		}
	}
	g.Commands = map[string]*GuestCommand{}
	for _, m := range []map[string]*GuestCommand{base.Commands, over.Commands} {
		for k, v := range m {
			if v != nil {
				c := *v
				v = &c
			}
			g.Commands[k] = v
		}
	}
	return &g
}

// ---- per-VM guest state -----------------------------------------------------

type guestFileState struct {
	data  []byte
	mode  int64
	temp  bool // made by CreateTemporaryFileInGuest or a program's redirection: counted
	mtime time.Time
}

type guestProcess struct {
	info     types.GuestProcessInfo
	ended    bool
	exitCode int32
}

type guestVM struct {
	ref     types.ManagedObjectReference
	name    string
	windows bool
	spec    *GuestSpec

	mu    sync.Mutex
	files map[string]*guestFileState // key: normalized path
	paths map[string]string          // normalized -> as spelled
	procs map[int64]*guestProcess
}

type guestWorld struct {
	mu      sync.Mutex
	vms     map[types.ManagedObjectReference]*guestVM
	seq     int64 // temp file numbers and pids
	created int
	deleted int
	xfers   map[string]*guestTransfer
	port    string
	hostURL string // -guest-transfers host*: "https://127.0.0.1:PORT2", else "" (URL host "*")
	start   time.Time
}

type guestTransfer struct {
	data    []byte
	expires time.Time
}

var guests = &guestWorld{vms: map[types.ManagedObjectReference]*guestVM{}, seq: 4000, xfers: map[string]*guestTransfer{}}

const guestTransferTTL = 60 * time.Second

func (w *guestWorld) next() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return w.seq
}

// addGuestVM registers the guest of a scenario VM (at start-up).
func addGuestVM(vm *simulator.VirtualMachine, spec *GuestSpec, windows bool, start time.Time) {
	g := &guestVM{ref: vm.Self, name: vm.Name, windows: windows, spec: spec,
		files: map[string]*guestFileState{}, paths: map[string]string{}, procs: map[int64]*guestProcess{}}
	for p, f := range spec.Files {
		mode := int64(0644)
		if f.Mode != nil {
			mode = *f.Mode
		} else if strings.HasPrefix(string(f.data), "#!") {
			mode = 0755 // scripts
		}
		g.put(p, &guestFileState{data: f.data, mode: mode, mtime: start})
	}
	guests.vms[vm.Self] = g
	guests.start = start
}

func (g *guestVM) norm(p string) string {
	if g.windows {
		p = strings.ToLower(strings.ReplaceAll(p, "/", `\`))
		return strings.TrimRight(p, `\`)
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	return p
}

func (g *guestVM) sep() string {
	if g.windows {
		return `\`
	}
	return "/"
}

func (g *guestVM) put(p string, f *guestFileState) {
	n := g.norm(p)
	g.files[n] = f
	g.paths[n] = p
}

// isDir: a directory is any proper path prefix of a file.
func (g *guestVM) isDir(p string) bool {
	n := g.norm(p)
	if n == "" || n == "/" {
		return len(g.files) > 0
	}
	for k := range g.files {
		if strings.HasPrefix(k, n+g.sep()) {
			return true
		}
	}
	return false
}

// ---- the managers -------------------------------------------------------------

type guestOpsManager struct{ mo.GuestOperationsManager }
type guestAuthManager struct{ mo.GuestAuthManager }
type guestFileManager struct{ mo.GuestFileManager }
type guestProcessManager struct{ mo.GuestProcessManager }
type guestRegistryManager struct{ mo.GuestWindowsRegistryManager }

// registerGuestOperations replaces the simulator's GuestOperationsManager
// (which has no authManager nor guestWindowsRegistryManager and needs docker)
// and its file and process managers.
func registerGuestOperations(port string) {
	guests.port = port
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	ref := *si.Content.GuestOperationsManager
	ref2 := func(t, v string) *types.ManagedObjectReference {
		return &types.ManagedObjectReference{Type: t, Value: v}
	}
	gom := &guestOpsManager{}
	gom.Self = ref
	gom.AuthManager = ref2("GuestAuthManager", "guestOperationsAuthManager")
	gom.FileManager = ref2("GuestFileManager", "guestOperationsFileManager")
	gom.ProcessManager = ref2("GuestProcessManager", "guestOperationsProcessManager")
	gom.GuestWindowsRegistryManager = ref2("GuestWindowsRegistryManager", "guestOperationsWindowsRegistryManager")
	am := &guestAuthManager{}
	am.Self = *gom.AuthManager
	fm := &guestFileManager{}
	fm.Self = *gom.FileManager
	pm := &guestProcessManager{}
	pm.Self = *gom.ProcessManager
	rm := &guestRegistryManager{}
	rm.Self = *gom.GuestWindowsRegistryManager
	for _, o := range []mo.Reference{gom, am, fm, pm, rm} {
		if simulator.Map.Get(o.Reference()) != nil {
			simulator.Map.Remove(o.Reference())
		}
		simulator.Map.Put(o)
	}
}

// guestOp runs the checks every guest operation makes, in vCenter's order:
// the VM, the privilege, power state, the agent, the scenario's fault, the
// credentials. It returns the VM's guest (nil with a fault).
func guestOp(vmRef types.ManagedObjectReference, auth types.BaseGuestAuthentication, priv string) (*guestVM, *soap.Fault) {
	vm, ok := simulator.Map.Get(vmRef).(*simulator.VirtualMachine)
	if !ok {
		return nil, simulator.Fault("The object has already been deleted or has not been completely created",
			&types.ManagedObjectNotFound{Obj: vmRef})
	}
	g := guests.vms[vm.Self]
	if privilegeDenied(priv) || (g != nil && g.spec.DenyPrivilege == priv) {
		return nil, noPermissionFault(vm.Self, priv)
	}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		return nil, simulator.Fault("The attempted operation cannot be performed in the current state (Powered off).",
			&types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOn, ExistingState: vm.Runtime.PowerState})
	}
	if g == nil || (g.spec.OperationsReady != nil && !*g.spec.OperationsReady) ||
		vm.Guest == nil || vm.Guest.ToolsRunningStatus != string(types.VirtualMachineToolsRunningStatusGuestToolsRunning) {
		return nil, simulator.Fault("The guest operations agent could not be contacted.", &types.GuestOperationsUnavailable{})
	}
	if g.spec.Fault != "" {
		f, _ := newFault(g.spec.Fault)
		return nil, simulator.Fault(guestFaultMessage(g.spec.Fault), f)
	}
	creds, ok := auth.(*types.NamePasswordAuthentication)
	if !ok || creds.Password != g.spec.Password || !strings.EqualFold(creds.Username, g.spec.User) || g.spec.User == "" {
		return nil, simulator.Fault("Failed to authenticate with the guest operating system using the supplied credentials.",
			&types.InvalidGuestLogin{})
	}
	return g, nil
}

func guestFaultMessage(kind string) string {
	switch kind {
	case "OperationDisabledByGuest":
		return "Guest operations are disabled by the guest operating system."
	case "GuestOperationsUnavailable":
		return "The guest operations agent could not be contacted."
	case "GuestComponentsOutOfDate":
		return "The guest operations agent is out of date."
	case "TooManyGuestLogons":
		return "Too many logons in the guest operating system."
	}
	return "vcsim-fixture: " + kind
}

func fileNotFound(p string) *soap.Fault {
	return simulator.Fault(fmt.Sprintf("File %s was not found", p), &types.FileNotFound{FileFault: types.FileFault{File: p}})
}

const (
	privQuery   = "VirtualMachine.GuestOperations.Query"
	privModify  = "VirtualMachine.GuestOperations.Modify"
	privExecute = "VirtualMachine.GuestOperations.Execute"
)

func (m *guestAuthManager) ValidateCredentialsInGuest(ctx *simulator.Context, req *types.ValidateCredentialsInGuest) soap.HasFault {
	body := &methods.ValidateCredentialsInGuestBody{}
	if _, f := guestOp(req.Vm, req.Auth, privQuery); f != nil {
		body.Fault_ = f
		return body
	}
	body.Res = &types.ValidateCredentialsInGuestResponse{}
	return body
}

// ---- files ------------------------------------------------------------------

func (m *guestFileManager) CreateTemporaryFileInGuest(ctx *simulator.Context, req *types.CreateTemporaryFileInGuest) soap.HasFault {
	body := &methods.CreateTemporaryFileInGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privModify)
	if f != nil {
		body.Fault_ = f
		return body
	}
	dir := req.DirectoryPath
	if dir == "" {
		dir = "/tmp"
		if g.windows {
			dir = `C:\Windows\Temp`
		}
	}
	p := strings.TrimRight(dir, g.sep()) + g.sep() + fmt.Sprintf("%s%d%s", req.Prefix, guests.next(), req.Suffix)
	g.mu.Lock()
	g.put(p, &guestFileState{mode: 0600, temp: true, mtime: time.Now()})
	g.mu.Unlock()
	guests.mu.Lock()
	guests.created++
	guests.mu.Unlock()
	body.Res = &types.CreateTemporaryFileInGuestResponse{Returnval: p}
	return body
}

func (m *guestFileManager) DeleteFileInGuest(ctx *simulator.Context, req *types.DeleteFileInGuest) soap.HasFault {
	body := &methods.DeleteFileInGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privModify)
	if f != nil {
		body.Fault_ = f
		return body
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.norm(req.FilePath)
	fs := g.files[n]
	switch {
	case fs == nil && g.isDir(req.FilePath):
		body.Fault_ = simulator.Fault(fmt.Sprintf("%s is not a file", req.FilePath), &types.NotAFile{FileFault: types.FileFault{File: req.FilePath}})
	case fs == nil:
		body.Fault_ = fileNotFound(req.FilePath)
	case !fs.temp:
		// a scenario file: a client must never delete what it did not create
		logf("guest %s: DeleteFileInGuest %s refused (a scenario file, not a temporary one)", g.name, req.FilePath)
		body.Fault_ = simulator.Fault("Access is denied.", &types.GuestPermissionDenied{})
	default:
		delete(g.files, n)
		delete(g.paths, n)
		guests.mu.Lock()
		guests.deleted++
		guests.mu.Unlock()
		body.Res = &types.DeleteFileInGuestResponse{}
	}
	return body
}

func (g *guestVM) attributes(fs *guestFileState, dir bool) types.BaseGuestFileAttributes {
	t := fs.mtime
	if g.windows {
		return &types.GuestWindowsFileAttributes{
			GuestFileAttributes: types.GuestFileAttributes{ModificationTime: &t, AccessTime: &t},
			Hidden:              boolp(false), ReadOnly: boolp(false), CreateTime: &t,
		}
	}
	zero := int32(0)
	mode := fs.mode
	if dir {
		mode = 0755
	}
	return &types.GuestPosixFileAttributes{
		GuestFileAttributes: types.GuestFileAttributes{ModificationTime: &t, AccessTime: &t},
		OwnerId:             &zero, GroupId: &zero, Permissions: mode,
	}
}

func (g *guestVM) base(p string) string {
	i := strings.LastIndex(p, "/")
	if g.windows {
		i = strings.LastIndexAny(p, `\/`)
	}
	return p[i+1:]
}

func (m *guestFileManager) ListFilesInGuest(ctx *simulator.Context, req *types.ListFilesInGuest) soap.HasFault {
	body := &methods.ListFilesInGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privQuery)
	if f != nil {
		body.Fault_ = f
		return body
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var infos []types.GuestFileInfo
	n := g.norm(req.FilePath)
	if fs := g.files[n]; fs != nil {
		infos = append(infos, types.GuestFileInfo{Path: g.base(g.paths[n]), Type: string(types.GuestFileTypeFile),
			Size: int64(len(fs.data)), Attributes: g.attributes(fs, false)})
	} else if g.isDir(req.FilePath) {
		prefix := n + g.sep()
		if n == "/" {
			prefix = "/"
		}
		seen := map[string]bool{}
		var names []string
		for k := range g.files {
			if !strings.HasPrefix(k, prefix) {
				continue
			}
			rest := g.paths[k][len(prefix):]
			child := rest
			if i := strings.Index(rest, g.sep()); i >= 0 {
				child = rest[:i]
			}
			if !seen[strings.ToLower(child)] {
				seen[strings.ToLower(child)] = true
				names = append(names, child)
			}
		}
		sort.Strings(names)
		for _, c := range names {
			full := prefix + g.norm(c)
			if fs := g.files[full]; fs != nil {
				infos = append(infos, types.GuestFileInfo{Path: c, Type: string(types.GuestFileTypeFile),
					Size: int64(len(fs.data)), Attributes: g.attributes(fs, false)})
			} else {
				d := &guestFileState{mtime: guests.start}
				infos = append(infos, types.GuestFileInfo{Path: c, Type: string(types.GuestFileTypeDirectory),
					Size: 4096, Attributes: g.attributes(d, true)})
			}
		}
		if req.Index > 0 {
			if int(req.Index) >= len(infos) {
				infos = nil
			} else {
				infos = infos[req.Index:]
			}
		}
	} else {
		body.Fault_ = fileNotFound(req.FilePath)
		return body
	}
	remaining := int32(0)
	if req.MaxResults > 0 && int(req.MaxResults) < len(infos) {
		remaining = int32(len(infos)) - req.MaxResults
		infos = infos[:req.MaxResults]
	}
	body.Res = &types.ListFilesInGuestResponse{Returnval: types.GuestListFileInfo{Files: infos, Remaining: remaining}}
	return body
}

func (m *guestFileManager) InitiateFileTransferFromGuest(ctx *simulator.Context, req *types.InitiateFileTransferFromGuest) soap.HasFault {
	body := &methods.InitiateFileTransferFromGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privModify)
	if f != nil {
		body.Fault_ = f
		return body
	}
	g.mu.Lock()
	fs := g.files[g.norm(req.GuestFilePath)]
	var data []byte
	var attrs types.BaseGuestFileAttributes
	if fs != nil {
		data = append([]byte(nil), fs.data...)
		attrs = g.attributes(fs, false)
	}
	isDir := fs == nil && g.isDir(req.GuestFilePath)
	g.mu.Unlock()
	if isDir {
		body.Fault_ = simulator.Fault(fmt.Sprintf("%s is not a file", req.GuestFilePath), &types.NotAFile{FileFault: types.FileFault{File: req.GuestFilePath}})
		return body
	}
	if fs == nil {
		body.Fault_ = fileNotFound(req.GuestFilePath)
		return body
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	guests.mu.Lock()
	now := time.Now()
	for k, x := range guests.xfers {
		if now.After(x.expires) {
			delete(guests.xfers, k)
		}
	}
	guests.xfers[token] = &guestTransfer{data: data, expires: now.Add(guestTransferTTL)}
	base := guests.hostURL
	guests.mu.Unlock()
	if base == "" {
		base = "https://*:" + guests.port
	}
	body.Res = &types.InitiateFileTransferFromGuestResponse{Returnval: types.FileTransferInformation{
		Attributes: attrs, Size: int64(len(data)),
		Url: base + "/guestFile?id=" + token,
	}}
	return body
}

// ---- processes ------------------------------------------------------------------

// redirRe: "<command> 1> OUT 2> ERR" (OUT/ERR double- or single-quoted or bare).
var redirRe = regexp.MustCompile(`^(.*?)\s+1?>\s*("[^"]*"|'[^']*'|[^\s"']+)\s+2>\s*("[^"]*"|'[^']*'|[^\s"']+)\s*$`)

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// parseShell splits a shell's arguments into the command and its redirection
// targets ("" when there are none).
func parseShell(args string) (cmd, out, errf string) {
	a := strings.TrimSpace(args)
	low := strings.ToLower(a)
	for _, p := range []string{"/c ", "-c "} {
		if strings.HasPrefix(low, p) {
			a = strings.TrimSpace(a[len(p):])
			break
		}
	}
	cands := []string{}
	if u := unquote(a); u != a {
		cands = append(cands, strings.TrimSpace(u))
	}
	cands = append(cands, a)
	for _, c := range cands {
		if m := redirRe.FindStringSubmatch(c); m != nil {
			return strings.TrimSpace(m[1]), unquote(m[2]), unquote(m[3])
		}
	}
	return unquote(a), "", ""
}

func isShell(windows bool, prog string) bool {
	if windows {
		return strings.HasSuffix(strings.ToLower(prog), `\cmd.exe`)
	}
	switch prog {
	case "/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash":
		return true
	}
	return false
}

// lookupCommand: the longest key that prefixes cmd (case-insensitive on Windows).
func (g *guestVM) lookupCommand(cmd string) *GuestCommand {
	var best *GuestCommand
	bestLen := -1
	for k, c := range g.spec.Commands {
		ok := strings.HasPrefix(cmd, k)
		if g.windows {
			ok = strings.HasPrefix(strings.ToLower(cmd), strings.ToLower(k))
		}
		if ok && len(k) > bestLen {
			best, bestLen = c, len(k)
		}
	}
	return best
}

// writeOutput writes a program's redirected output; a target that is not a
// temporary file is created (and counted: the client leaked it).
func (g *guestVM) writeOutput(p string, data []byte) {
	if p == "" {
		return
	}
	n := g.norm(p)
	fs := g.files[n]
	if fs == nil {
		logf("guest %s: a program writes %s, which is not a temporary file", g.name, p)
		fs = &guestFileState{mode: 0644, temp: true}
		g.put(p, fs)
		guests.mu.Lock()
		guests.created++
		guests.mu.Unlock()
	}
	fs.data = append([]byte(nil), data...)
	fs.mtime = time.Now()
}

func (m *guestProcessManager) StartProgramInGuest(ctx *simulator.Context, req *types.StartProgramInGuest) soap.HasFault {
	body := &methods.StartProgramInGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privExecute)
	if f != nil {
		body.Fault_ = f
		return body
	}
	spec := req.Spec.GetGuestProgramSpec()
	prog := spec.ProgramPath
	absolute := strings.HasPrefix(prog, "/")
	if g.windows {
		absolute = len(prog) > 3 && prog[1] == ':' && prog[2] == '\\'
	}
	if !absolute {
		body.Fault_ = fileNotFound(prog)
		return body
	}
	var cmd, out, errf string
	if isShell(g.windows, prog) {
		cmd, out, errf = parseShell(spec.Arguments)
	} else {
		cmd = strings.TrimSuffix(strings.ToLower(g.base(prog)), ".exe")
		if !g.windows {
			cmd = g.base(prog)
		}
		if spec.Arguments != "" {
			cmd += " " + spec.Arguments
		}
	}
	pid := guests.next()
	name := g.base(prog)
	cmdLine := prog + " " + spec.Arguments
	if g.windows {
		cmdLine = `"` + prog + `" ` + spec.Arguments
	}
	p := &guestProcess{info: types.GuestProcessInfo{Name: name, Pid: pid, Owner: ownerName(g.spec.User),
		CmdLine: cmdLine, StartTime: time.Now().UTC()}}
	c := g.lookupCommand(cmd)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case c == nil:
		word := strings.Fields(cmd + " x")[0]
		if g.windows {
			g.writeOutput(out, nil)
			g.writeOutput(errf, []byte(fmt.Sprintf("'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", word)))
			g.end(p, 1)
		} else {
			g.writeOutput(out, nil)
			g.writeOutput(errf, []byte(fmt.Sprintf("/bin/sh: 1: %s: not found\n", word)))
			g.end(p, 127)
		}
	case c.Hang:
		g.writeOutput(out, nil)
		g.writeOutput(errf, nil)
	default:
		g.writeOutput(out, c.stdout)
		g.writeOutput(errf, []byte(c.Stderr))
		g.end(p, c.ExitCode)
	}
	g.procs[pid] = p
	body.Res = &types.StartProgramInGuestResponse{Returnval: pid}
	return body
}

func ownerName(user string) string {
	if i := strings.LastIndex(user, `\`); i >= 0 {
		return user[i+1:]
	}
	return user
}

func (g *guestVM) end(p *guestProcess, code int32) {
	t := time.Now().UTC()
	p.info.EndTime = &t
	p.ended, p.exitCode = true, code
}

// ListProcessesInGuestResponse: vim25's GuestProcessInfo has exitCode
// omitempty, which would drop exit code 0 of an ended process; this type
// (same element name, the simulator names it after the Go type) keeps it.
type ListProcessesInGuestResponse struct {
	Returnval []guestProcessInfo `xml:"returnval,omitempty"`
}

type guestProcessInfo struct {
	Name      string     `xml:"name"`
	Pid       int64      `xml:"pid"`
	Owner     string     `xml:"owner"`
	CmdLine   string     `xml:"cmdLine"`
	StartTime time.Time  `xml:"startTime"`
	EndTime   *time.Time `xml:"endTime,omitempty"`
	ExitCode  *int32     `xml:"exitCode,omitempty"`
}

type listProcessesBody struct {
	Res    *ListProcessesInGuestResponse
	Fault_ *soap.Fault
}

func (b *listProcessesBody) Fault() *soap.Fault { return b.Fault_ }

func (m *guestProcessManager) ListProcessesInGuest(ctx *simulator.Context, req *types.ListProcessesInGuest) soap.HasFault {
	body := &listProcessesBody{}
	g, f := guestOp(req.Vm, req.Auth, privQuery)
	if f != nil {
		body.Fault_ = f
		return body
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	pids := req.Pids
	if len(pids) == 0 {
		for pid := range g.procs {
			pids = append(pids, pid)
		}
		sort.Slice(pids, func(i, j int) bool { return pids[i] < pids[j] })
	}
	res := &ListProcessesInGuestResponse{}
	for _, pid := range pids {
		p := g.procs[pid]
		if p == nil {
			continue // vSphere leaves unknown pids out
		}
		i := guestProcessInfo{Name: p.info.Name, Pid: p.info.Pid, Owner: p.info.Owner, CmdLine: p.info.CmdLine,
			StartTime: p.info.StartTime, EndTime: p.info.EndTime}
		if p.ended {
			c := p.exitCode
			i.ExitCode = &c
		}
		res.Returnval = append(res.Returnval, i)
	}
	body.Res = res
	return body
}

func (m *guestProcessManager) TerminateProcessInGuest(ctx *simulator.Context, req *types.TerminateProcessInGuest) soap.HasFault {
	body := &methods.TerminateProcessInGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privExecute)
	if f != nil {
		body.Fault_ = f
		return body
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.procs[req.Pid]
	if p == nil || p.ended {
		body.Fault_ = simulator.Fault(fmt.Sprintf("The process %d was not found in the guest.", req.Pid), &types.GuestProcessNotFound{Pid: req.Pid})
		return body
	}
	g.end(p, 1)
	body.Res = &types.TerminateProcessInGuestResponse{}
	return body
}

// ---- Windows registry ---------------------------------------------------------------

// canonKey: HKLM\... -> HKEY_LOCAL_MACHINE\... (and the other short roots).
func canonKey(k string) string {
	k = strings.TrimRight(k, `\`)
	root, rest, _ := strings.Cut(k, `\`)
	switch strings.ToUpper(root) {
	case "HKLM":
		root = "HKEY_LOCAL_MACHINE"
	case "HKCU":
		root = "HKEY_CURRENT_USER"
	case "HKU":
		root = "HKEY_USERS"
	case "HKCR":
		root = "HKEY_CLASSES_ROOT"
	case "HKCC":
		root = "HKEY_CURRENT_CONFIG"
	}
	if rest == "" {
		return root
	}
	return root + `\` + rest
}

// regKey finds a key: listed, or an ancestor of a listed key (values empty).
func (g *guestVM) regKey(name string) (string, *GuestRegKey, bool) {
	want := strings.ToLower(canonKey(name))
	for k, v := range g.spec.Registry {
		if strings.ToLower(canonKey(k)) == want {
			return canonKey(k), v, true
		}
	}
	for k := range g.spec.Registry {
		c := canonKey(k)
		if strings.HasPrefix(strings.ToLower(c), want+`\`) {
			return c[:len(want)], &GuestRegKey{}, true
		}
	}
	return "", nil, false
}

func (g *guestVM) regFault(name string) *soap.Fault {
	if !g.windows {
		return simulator.Fault("The operation is not supported by the guest operating system.", &types.OperationNotSupportedByGuest{})
	}
	return simulator.Fault("The registry key is invalid.", &types.GuestRegistryKeyInvalid{
		GuestRegistryKeyFault: types.GuestRegistryKeyFault{
			GuestRegistryFault: types.GuestRegistryFault{WindowsSystemErrorCode: 2}, KeyName: name}})
}

func (m *guestRegistryManager) ListRegistryKeysInGuest(ctx *simulator.Context, req *types.ListRegistryKeysInGuest) soap.HasFault {
	body := &methods.ListRegistryKeysInGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privQuery)
	if f != nil {
		body.Fault_ = f
		return body
	}
	key, _, ok := g.regKey(req.KeyName.RegistryPath)
	if !ok || !g.windows {
		body.Fault_ = g.regFault(req.KeyName.RegistryPath)
		return body
	}
	prefix := strings.ToLower(key) + `\`
	seen := map[string]bool{}
	var subs []string
	for k := range g.spec.Registry {
		c := canonKey(k)
		if !strings.HasPrefix(strings.ToLower(c), prefix) {
			continue
		}
		rest := c[len(prefix):]
		parts := strings.Split(rest, `\`)
		for i := range parts {
			if i > 0 && !req.Recursive {
				break
			}
			s := key + `\` + strings.Join(parts[:i+1], `\`)
			if !seen[strings.ToLower(s)] {
				seen[strings.ToLower(s)] = true
				subs = append(subs, s)
			}
		}
	}
	sort.Strings(subs)
	res := &types.ListRegistryKeysInGuestResponse{}
	for _, s := range subs {
		res.Returnval = append(res.Returnval, types.GuestRegKeyRecordSpec{Key: types.GuestRegKeySpec{
			KeyName:     types.GuestRegKeyNameSpec{RegistryPath: s, WowBitness: req.KeyName.WowBitness},
			ClassType:   "",
			LastWritten: guests.start,
		}})
	}
	body.Res = res
	return body
}

func (m *guestRegistryManager) ListRegistryValuesInGuest(ctx *simulator.Context, req *types.ListRegistryValuesInGuest) soap.HasFault {
	body := &methods.ListRegistryValuesInGuestBody{}
	g, f := guestOp(req.Vm, req.Auth, privQuery)
	if f != nil {
		body.Fault_ = f
		return body
	}
	_, k, ok := g.regKey(req.KeyName.RegistryPath)
	if !ok || !g.windows {
		body.Fault_ = g.regFault(req.KeyName.RegistryPath)
		return body
	}
	names := make([]string, 0, len(k.Values))
	for n := range k.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	res := &types.ListRegistryValuesInGuestResponse{}
	for _, n := range names {
		var data types.BaseGuestRegValueDataSpec
		switch v := k.Values[n].(type) {
		case float64:
			data = &types.GuestRegValueDwordSpec{Value: int32(uint32(int64(v)))}
		case string:
			data = &types.GuestRegValueStringSpec{Value: v}
		}
		res.Returnval = append(res.Returnval, types.GuestRegValueSpec{
			Name: types.GuestRegValueNameSpec{KeyName: req.KeyName, Name: n}, Data: data})
	}
	body.Res = res
	return body
}

// ---- HTTP: file transfer and the test hook ------------------------------------------

// serveGuestFile: GET /guestFile?id=TOKEN with a live session cookie; a token
// works once and for 60 s.
func (m *faultMux) serveGuestFile(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	if m.logf != nil {
		_, _ = m.logf.WriteString(r.Method + " /guestFile\n")
	}
	m.mu.Unlock()
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if guestTransferMode != transfersVCenter {
		// the URL names the ESXi host: a client that came here ignored it
		http.Error(w, "guest file transfers are served by the ESXi host (-guest-transfers "+guestTransferMode+")", http.StatusNotFound)
		return
	}
	if _, live := sessionUser(r); !live {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	serveTransfer(w, r.URL.Query().Get("id"))
}

// serveTransfer answers the bytes of transfer TOKEN (once, within 60 s).
func serveTransfer(w http.ResponseWriter, token string) {
	guests.mu.Lock()
	x := guests.xfers[token]
	delete(guests.xfers, token)
	guests.mu.Unlock()
	if x == nil || time.Now().After(x.expires) {
		http.Error(w, "unknown or expired transfer id", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(x.data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(x.data)
}

// serveGuestTempFiles: GET /vcsim/guest-temp-files, the temporary files
// clients created and deleted, and those still there (a test asserts none).
func serveGuestTempFiles(w http.ResponseWriter, r *http.Request) {
	type report struct {
		Created  int                 `json:"created"`
		Deleted  int                 `json:"deleted"`
		Live     []string            `json:"live"`
		LiveByVM map[string][]string `json:"liveByVm"`
	}
	rep := report{Live: []string{}, LiveByVM: map[string][]string{}}
	for _, g := range guests.vms {
		g.mu.Lock()
		for n, fs := range g.files {
			if fs.temp {
				rep.Live = append(rep.Live, g.paths[n])
				rep.LiveByVM[g.name] = append(rep.LiveByVM[g.name], g.paths[n])
			}
		}
		g.mu.Unlock()
	}
	guests.mu.Lock()
	rep.Created, rep.Deleted = guests.created, guests.deleted
	guests.mu.Unlock()
	sort.Strings(rep.Live)
	for _, l := range rep.LiveByVM {
		sort.Strings(l)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rep)
}
