// Scenario file format: a JSON description of the VMs the fixture serves.
// Unknown keys are errors (typos are caught), see README.md for the format.

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
)

// Scenario is the top level of a scenario file.
type Scenario struct {
	Comment    string          `json:"comment,omitempty"`
	Datastores []DatastoreSpec `json:"datastores,omitempty"` // sizes; new names are created (datastores.go)
	VMs        []VMSpec        `json:"vms"`
	// GuestTemplates: guest objects a VM's "guest" names with "template" (guest.go).
	GuestTemplates map[string]*GuestSpec `json:"guestTemplates,omitempty"`
}

// VMSpec describes one VM. Zero values mean "a healthy default" (see applyDefaults).
type VMSpec struct {
	Comment string `json:"comment,omitempty"`

	Name       string `json:"name"`
	Datacenter string `json:"datacenter,omitempty"` // default DC0
	Folder     string `json:"folder,omitempty"`     // below <datacenter>/vm, "a/b"
	Host       int    `json:"host,omitempty"`       // 1-based index of the cluster host (default: round robin)

	PowerState      string `json:"powerState,omitempty"`      // poweredOn|poweredOff|suspended
	Template        bool   `json:"template,omitempty"`        // implies poweredOff
	ConnectionState string `json:"connectionState,omitempty"` // connected|disconnected|orphaned|inaccessible|invalid

	GuestID       string `json:"guestId,omitempty"`
	GuestFamily   string `json:"guestFamily,omitempty"`
	GuestFullName string `json:"guestFullName,omitempty"`
	HostName      string `json:"hostName,omitempty"`
	IPAddress     string `json:"ipAddress,omitempty"`
	NumCPU        int32  `json:"numCpu,omitempty"`
	MemoryMB      int32  `json:"memoryMB,omitempty"`
	Annotation    string `json:"annotation,omitempty"` // {{ago H}} / {{ago H "LAYOUT"}}: server start - H hours
	// CustomAttributes: custom attribute name -> value (defined for VirtualMachine
	// with the CustomFieldsManager on first use); values expand {{ago H}} too.
	CustomAttributes map[string]string `json:"customAttributes,omitempty"`

	Tools      *ToolsSpec      `json:"tools,omitempty"`
	Capability *CapabilitySpec `json:"capability,omitempty"`
	Flags      *FlagsSpec      `json:"flags,omitempty"`

	DisabledMethods []string          `json:"disabledMethods,omitempty"`
	ExtraConfig     map[string]string `json:"extraConfig,omitempty"`

	Controllers []ControllerSpec `json:"controllers,omitempty"`
	Disks       []DiskSpec       `json:"disks,omitempty"`
	Devices     []DeviceSpec     `json:"devices,omitempty"`
	Nics        *int             `json:"nics,omitempty"` // number of VirtualVmxnet3 NICs (default 1)

	FaultTolerance      string         `json:"faultTolerance,omitempty"`
	Snapshots           []SnapshotSpec `json:"snapshots,omitempty"`
	ConsolidationNeeded bool           `json:"consolidationNeeded,omitempty"`
	// Question: runtime.question's text (the VM waits for an answer).
	Question string `json:"question,omitempty"`
	// UnmanagedDelta: flat disks run on one delta level although the VM has no snapshots.
	UnmanagedDelta bool `json:"unmanagedDelta,omitempty"`
	GuestDisks          []GuestDisk    `json:"guestDisks,omitempty"`
	// NoGuestDisks: serve no guest.disk at all even though Tools run.
	NoGuestDisks bool `json:"noGuestDisks,omitempty"`

	// SnapshotTask: how CreateSnapshot_Task behaves on this VM (default: success at once).
	SnapshotTask *SnapshotTaskSpec `json:"snapshotTask,omitempty"`
	// TaskHistory: past tasks of this VM, served by TaskHistoryCollectors.
	TaskHistory []TaskHistorySpec `json:"taskHistory,omitempty"`
	// Guest: what vSphere Guest Operations find in this VM (guest.go).
	Guest *GuestSpec `json:"guest,omitempty"`

	// -realistic (generate.go): filler settings made by extraConfig() until
	// the VM has extraTarget keys in all, whatever the builder added
	extraTarget int
	extraFill   int64 // seed of the filler values
}

// SnapshotTaskSpec: the outcome of CreateSnapshot_Task on a VM (see tasks.go).
type SnapshotTaskSpec struct {
	Result  string   `json:"result,omitempty"`  // success (default) | error | hang
	Fault   string   `json:"fault,omitempty"`   // error: a vim25 fault type name (default ApplicationQuiesceFault)
	Message string   `json:"message,omitempty"` // error: localizedMessage
	Seconds *float64 `json:"seconds,omitempty"` // time to complete (success: default 0, error: default 1)
	// Quiesced: the created snapshot's quiesced flag (default: as asked,
	// when Tools run); false is a quiesce request silently not honoured.
	Quiesced *bool `json:"quiesced,omitempty"`
	// Manifest: the VSS manifest zip a quiesced snapshot gets (tasks.go):
	// "" none, "backup" backup.xml only, "writers" backup.xml and wm*.xml.
	Manifest string `json:"manifest,omitempty"`
}

// TaskHistorySpec: one past task of a VM (see history.go).
type TaskHistorySpec struct {
	DescriptionID string  `json:"descriptionId,omitempty"` // default VirtualMachine.createSnapshot
	State         string  `json:"state"`                   // success | error | running | queued
	AgeHours      float64 `json:"ageHours"`                // queueTime = server start - ageHours
	Seconds       float64 `json:"seconds,omitempty"`       // duration (completeTime - startTime), default 5
	User          string  `json:"user,omitempty"`          // TaskReasonUser.userName, default VSPHERE.LOCAL\\Administrator
	Fault         string  `json:"fault,omitempty"`         // error: a vim25 fault type name (default ApplicationQuiesceFault)
	Message       string  `json:"message,omitempty"`       // error: localizedMessage
	Cancelled     bool    `json:"cancelled,omitempty"`
}

type ToolsSpec struct {
	VersionStatus2   string `json:"versionStatus2,omitempty"`
	RunningStatus    string `json:"runningStatus,omitempty"`
	Version          string `json:"version,omitempty"`
	InstallType      string `json:"installType,omitempty"`
	InstallerMounted bool   `json:"installerMounted,omitempty"`
}

type CapabilitySpec struct {
	SnapshotOperationsSupported *bool `json:"snapshotOperationsSupported,omitempty"`
	QuiescedSnapshotsSupported  *bool `json:"quiescedSnapshotsSupported,omitempty"`
	MultipleSnapshotsSupported  *bool `json:"multipleSnapshotsSupported,omitempty"`
}

type FlagsSpec struct {
	DiskUUIDEnabled  *bool `json:"diskUuidEnabled,omitempty"`
	SnapshotDisabled *bool `json:"snapshotDisabled,omitempty"`
	SnapshotLocked   *bool `json:"snapshotLocked,omitempty"`
}

type ControllerSpec struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	BusNumber int32  `json:"busNumber"`
	SharedBus string `json:"sharedBus,omitempty"`
}

type DiskSpec struct {
	Label             string  `json:"label,omitempty"`
	Controller        string  `json:"controller,omitempty"` // a controller name; default the first SCSI (or scsi0)
	Unit              *int32  `json:"unit,omitempty"`
	CapacityGB        float64 `json:"capacityGB,omitempty"`
	Backing           string  `json:"backing,omitempty"`
	Mode              string  `json:"mode,omitempty"`
	CompatibilityMode string  `json:"compatibilityMode,omitempty"`
	Sharing           string  `json:"sharing,omitempty"`
	Thin              *bool   `json:"thin,omitempty"`
	Datastore         string  `json:"datastore,omitempty"` // a datastore name (default: the VM's)
}

type DeviceSpec struct {
	Type  string `json:"type"`
	Label string `json:"label,omitempty"`
	// Vgpu: for VirtualPCIPassthrough, a vGPU profile (VirtualPCIPassthroughVmiopBackingInfo)
	// instead of a DirectPath I/O device backing.
	Vgpu string `json:"vgpu,omitempty"`
}

type SnapshotSpec struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	AgeHours    float64        `json:"ageHours"`
	Quiesced    bool           `json:"quiesced,omitempty"`
	Memory      bool           `json:"memory,omitempty"`
	Current     bool           `json:"current,omitempty"`
	Children    []SnapshotSpec `json:"children,omitempty"`
}

type GuestDisk struct {
	Path       string  `json:"path"`
	FsType     string  `json:"fsType,omitempty"`
	CapacityGB float64 `json:"capacityGB"`
	FreeGB     float64 `json:"freeGB"`
}

// LoadScenario reads and validates a scenario file.
func LoadScenario(file string) (*Scenario, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var sc Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("%s: %s", file, jsonErr(data, dec, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: trailing data after the scenario object", file)
	}
	// encoding/json matches keys case-insensitively: check exact spelling too.
	var raw interface{}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %s", file, err)
	}
	if err := checkKeys(raw, reflect.TypeOf(sc), ""); err != nil {
		return nil, fmt.Errorf("%s: %s", file, err)
	}
	seen := map[string]bool{}
	for i := range sc.VMs {
		vm := &sc.VMs[i]
		if err := vm.validate(); err != nil {
			return nil, fmt.Errorf("%s: vms[%d] (%q): %s", file, i, vm.Name, err)
		}
		key := vm.datacenter() + "\x00" + vm.Folder + "\x00" + vm.Name
		if seen[key] {
			return nil, fmt.Errorf("%s: vms[%d]: duplicate VM name %q in the same folder", file, i, vm.Name)
		}
		seen[key] = true
		if vm.Guest != nil {
			dir, _ := filepath.Abs(filepath.Dir(file))
			g, err := prepareGuest(vm.Guest, sc.GuestTemplates, dir)
			if err != nil {
				return nil, fmt.Errorf("%s: vms[%d] (%q): %s", file, i, vm.Name, err)
			}
			vm.Guest = g
		}
	}
	return &sc, nil
}

// checkKeys reports a JSON object key that is not exactly a json tag of the
// struct it decodes into.
func checkKeys(v interface{}, t reflect.Type, where string) error {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]interface{}:
		if t.Kind() == reflect.Map {
			for k, e := range x {
				if err := checkKeys(e, t.Elem(), where+"."+k); err != nil {
					return err
				}
			}
			return nil
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for k, e := range x {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("%s: unknown key %q", strings.TrimPrefix(where, "."), k)
			}
			if err := checkKeys(e, ft, where+"."+k); err != nil {
				return err
			}
		}
	case []interface{}:
		if t.Kind() == reflect.Slice {
			for i, e := range x {
				if err := checkKeys(e, t.Elem(), fmt.Sprintf("%s[%d]", where, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func jsonErr(data []byte, dec *json.Decoder, err error) string {
	off := dec.InputOffset()
	if se, ok := err.(*json.SyntaxError); ok {
		off = se.Offset
	}
	if ue, ok := err.(*json.UnmarshalTypeError); ok {
		off = ue.Offset
	}
	line := 1 + bytes.Count(data[:min64(off, int64(len(data)))], []byte("\n"))
	return fmt.Sprintf("line %d: %s", line, err)
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

func oneOf(what, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s %q: must be one of %s", what, v, strings.Join(allowed, ", "))
}

func (vm *VMSpec) datacenter() string {
	if vm.Datacenter == "" {
		return "DC0"
	}
	return vm.Datacenter
}

func (vm *VMSpec) isWindows() bool {
	if vm.GuestFamily != "" {
		return vm.GuestFamily == "windowsGuest"
	}
	return strings.HasPrefix(vm.GuestID, "win")
}

var controllerTypes = []string{"pvscsi", "lsilogic", "lsilogic-sas", "buslogic", "ide", "sata", "nvme"}
var diskBackings = []string{"flat", "sparse", "rdm", "rawdisk", "partitionedrawdisk", "seSparse"}
var diskModes = []string{"persistent", "independent_persistent", "independent_nonpersistent", "nonpersistent", "undoable", "append"}

func (vm *VMSpec) validate() error {
	if vm.Name == "" {
		return fmt.Errorf("name is required")
	}
	if vm.UnmanagedDelta && len(vm.Snapshots) > 0 {
		return fmt.Errorf("unmanagedDelta: a VM with snapshots has managed deltas")
	}
	if strings.ContainsAny(vm.Datacenter, "/") {
		return fmt.Errorf("datacenter %q: no '/' allowed", vm.Datacenter)
	}
	if vm.Folder != "" {
		for _, p := range strings.Split(vm.Folder, "/") {
			if p == "" || p == "." || p == ".." {
				return fmt.Errorf("folder %q: empty or relative path element", vm.Folder)
			}
		}
	}
	if err := oneOf("powerState", vm.PowerState, "poweredOn", "poweredOff", "suspended"); err != nil {
		return err
	}
	if vm.Template && vm.PowerState != "" && vm.PowerState != "poweredOff" {
		return fmt.Errorf("a template must be poweredOff")
	}
	if err := oneOf("connectionState", vm.ConnectionState, "connected", "disconnected", "orphaned", "inaccessible", "invalid"); err != nil {
		return err
	}
	if err := oneOf("guestFamily", vm.GuestFamily, "windowsGuest", "linuxGuest", "netwareGuest", "solarisGuest", "darwinGuestFamily", "otherGuestFamily"); err != nil {
		return err
	}
	if err := oneOf("faultTolerance", vm.FaultTolerance, "notConfigured", "disabled", "enabled", "needSecondary", "starting", "running"); err != nil {
		return err
	}
	if t := vm.Tools; t != nil {
		if err := oneOf("tools.versionStatus2", t.VersionStatus2, "guestToolsNotInstalled", "guestToolsNeedUpgrade", "guestToolsCurrent",
			"guestToolsUnmanaged", "guestToolsTooOld", "guestToolsSupportedOld", "guestToolsSupportedNew", "guestToolsTooNew", "guestToolsBlacklisted"); err != nil {
			return err
		}
		if err := oneOf("tools.runningStatus", t.RunningStatus, "guestToolsNotRunning", "guestToolsRunning", "guestToolsExecutingScripts"); err != nil {
			return err
		}
		if err := oneOf("tools.installType", t.InstallType, "guestToolsTypeUnknown", "guestToolsTypeMSI", "guestToolsTypeTar", "guestToolsTypeOSP", "guestToolsTypeOpenVMTools"); err != nil {
			return err
		}
	}
	ctrl := map[string]ControllerSpec{}
	bus := map[string]bool{}
	for _, c := range vm.Controllers {
		if c.Name == "" {
			return fmt.Errorf("controller without name")
		}
		if _, dup := ctrl[c.Name]; dup {
			return fmt.Errorf("duplicate controller name %q", c.Name)
		}
		if c.Type == "" {
			return fmt.Errorf("controller %q: type is required", c.Name)
		}
		if err := oneOf("controller type", c.Type, controllerTypes...); err != nil {
			return err
		}
		if err := oneOf("sharedBus", c.SharedBus, "noSharing", "virtualSharing", "physicalSharing"); err != nil {
			return err
		}
		if c.SharedBus != "" && !isSCSI(c.Type) {
			return fmt.Errorf("controller %q: sharedBus only applies to SCSI controllers", c.Name)
		}
		if c.BusNumber < 0 || c.BusNumber > 3 || (c.Type == "ide" && c.BusNumber > 1) {
			return fmt.Errorf("controller %q: bad busNumber %d", c.Name, c.BusNumber)
		}
		k := busClass(c.Type) + fmt.Sprint(c.BusNumber)
		if bus[k] {
			return fmt.Errorf("controller %q: bus %d of that kind is already used", c.Name, c.BusNumber)
		}
		bus[k] = true
		ctrl[c.Name] = c
	}
	for i, d := range vm.Disks {
		if err := oneOf("disk backing", d.Backing, diskBackings...); err != nil {
			return fmt.Errorf("disks[%d]: %s", i, err)
		}
		if err := oneOf("disk mode", d.Mode, diskModes...); err != nil {
			return fmt.Errorf("disks[%d]: %s", i, err)
		}
		if err := oneOf("compatibilityMode", d.CompatibilityMode, "physicalMode", "virtualMode"); err != nil {
			return fmt.Errorf("disks[%d]: %s", i, err)
		}
		if d.CompatibilityMode != "" && d.Backing != "rdm" {
			return fmt.Errorf("disks[%d]: compatibilityMode needs backing rdm", i)
		}
		if err := oneOf("sharing", d.Sharing, "sharingNone", "sharingMultiWriter"); err != nil {
			return fmt.Errorf("disks[%d]: %s", i, err)
		}
		if d.Sharing != "" && (d.Backing == "sparse") {
			return fmt.Errorf("disks[%d]: backing %s has no sharing field", i, d.Backing)
		}
		if d.Controller != "" {
			if _, ok := ctrl[d.Controller]; !ok && !implicitController(d.Controller) {
				return fmt.Errorf("disks[%d]: unknown controller %q", i, d.Controller)
			}
		}
		if d.CapacityGB < 0 {
			return fmt.Errorf("disks[%d]: negative capacity", i)
		}
	}
	for i, d := range vm.Devices {
		if d.Type == "" {
			return fmt.Errorf("devices[%d]: type is required", i)
		}
		if _, err := newDevice(d.Type); err != nil {
			return fmt.Errorf("devices[%d]: %s", i, err)
		}
	}
	var checkSnaps func([]SnapshotSpec) error
	checkSnaps = func(s []SnapshotSpec) error {
		for _, x := range s {
			if x.Name == "" {
				return fmt.Errorf("snapshot without name")
			}
			if x.AgeHours < 0 {
				return fmt.Errorf("snapshot %q: negative ageHours", x.Name)
			}
			if err := checkSnaps(x.Children); err != nil {
				return err
			}
		}
		return nil
	}
	if err := checkSnaps(vm.Snapshots); err != nil {
		return err
	}
	for i, g := range vm.GuestDisks {
		if g.Path == "" {
			return fmt.Errorf("guestDisks[%d]: path is required", i)
		}
		if g.FreeGB > g.CapacityGB || g.FreeGB < 0 || g.CapacityGB < 0 {
			return fmt.Errorf("guestDisks[%d]: bad capacity/free", i)
		}
	}
	if vm.Host < 0 {
		return fmt.Errorf("host: a 1-based host index")
	}
	if vm.Nics != nil && (*vm.Nics < 0 || *vm.Nics > 10) {
		return fmt.Errorf("nics: 0..10")
	}
	if t := vm.SnapshotTask; t != nil {
		if err := oneOf("snapshotTask.result", t.Result, "success", "error", "hang"); err != nil {
			return err
		}
		if err := oneOf("snapshotTask.manifest", t.Manifest, "", "backup", "writers"); err != nil {
			return err
		}
		if t.Result == "error" && (t.Manifest != "" || t.Quiesced != nil) {
			return fmt.Errorf("snapshotTask: quiesced and manifest only go with a snapshot that is created")
		}
		if t.Result != "error" && (t.Fault != "" || t.Message != "") {
			return fmt.Errorf("snapshotTask: fault and message only go with result error")
		}
		if err := checkFault("snapshotTask.fault", t.Fault); err != nil {
			return err
		}
		if t.Seconds != nil {
			if t.Result == "hang" {
				return fmt.Errorf("snapshotTask: a hanging task takes no seconds")
			}
			if *t.Seconds < 0 || *t.Seconds > 3600 {
				return fmt.Errorf("snapshotTask.seconds: 0..3600")
			}
		}
	}
	for i, h := range vm.TaskHistory {
		if h.State == "" {
			return fmt.Errorf("taskHistory[%d]: state is required", i)
		}
		if err := oneOf(fmt.Sprintf("taskHistory[%d].state", i), h.State, "success", "error", "running", "queued"); err != nil {
			return err
		}
		if h.State != "error" && (h.Fault != "" || h.Message != "") {
			return fmt.Errorf("taskHistory[%d]: fault and message only go with state error", i)
		}
		if err := checkFault(fmt.Sprintf("taskHistory[%d].fault", i), h.Fault); err != nil {
			return err
		}
		if h.AgeHours < 0 || h.Seconds < 0 {
			return fmt.Errorf("taskHistory[%d]: negative ageHours or seconds", i)
		}
		if h.DescriptionID != "" && !strings.Contains(h.DescriptionID, ".") {
			return fmt.Errorf("taskHistory[%d]: descriptionId %q: want Type.method (VirtualMachine.createSnapshot)", i, h.DescriptionID)
		}
	}
	return nil
}

// checkFault accepts the name of a vim25 fault type (one the SOAP encoder
// knows, so it goes on the wire with its xsi:type).
func checkFault(what, name string) error {
	if name == "" {
		return nil
	}
	if _, err := newFault(name); err != nil {
		return fmt.Errorf("%s: %s", what, err)
	}
	return nil
}

// implicitController: "scsi0".."scsi3", "ide0", "ide1", "sata0", "nvme0" may be named
// without declaring them (a default type is used).
func implicitController(name string) bool {
	switch name {
	case "scsi0", "scsi1", "scsi2", "scsi3", "ide0", "ide1", "sata0", "sata1", "sata2", "sata3", "nvme0", "nvme1", "nvme2", "nvme3":
		return true
	}
	return false
}

func isSCSI(t string) bool {
	switch t {
	case "pvscsi", "lsilogic", "lsilogic-sas", "buslogic":
		return true
	}
	return false
}

func busClass(t string) string {
	if isSCSI(t) {
		return "scsi"
	}
	return t
}

// escapeName escapes a VM/folder name the way vCenter stores it: '%' as %25,
// '/' as %2f, '\' as %5c.
func escapeName(s string) string {
	if !strings.ContainsAny(s, "%/\\") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '%':
			b.WriteString("%25")
		case '/':
			b.WriteString("%2f")
		case '\\':
			b.WriteString("%5c")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// matchName matches a glob against the (unescaped) VM name.
func matchName(glob, escaped string) bool {
	ok, _ := path.Match(glob, escaped)
	if ok {
		return true
	}
	ok, _ = path.Match(glob, unescapeName(escaped))
	return ok
}

func unescapeName(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	r := strings.NewReplacer("%2f", "/", "%2F", "/", "%5c", "\\", "%5C", "\\", "%25", "%")
	return r.Replace(s)
}
