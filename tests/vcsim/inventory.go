// Inventory: turns VMSpecs into simulator VirtualMachines with realistic
// property values (devices, backings, Tools, capability, snapshots, layoutEx).
//
// VMs are created with the simulator's own CreateVM_Task (so folders, hosts,
// resource pools, datastores and the VM directory are wired as the simulator
// expects), then their properties are set directly on the registered objects.

package main

import (
	"context"
	"crypto/sha1"
	"fmt"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

type dcInfo struct {
	name    string
	dc      *object.Datacenter
	folders *object.DatacenterFolders
	vmDirs  map[string]types.ManagedObjectReference // "" = vm folder, "a/b" = nested
	pool    types.ManagedObjectReference
	hosts   []types.ManagedObjectReference
	dsName  string
	ds      types.ManagedObjectReference
	netName string
	net     types.ManagedObjectReference
	next    int
}

type builder struct {
	ctx   context.Context
	c     *vim25.Client
	start time.Time
	dcs   map[string]*dcInfo
	dirs  []string // temp dirs of datastores we created (removed on exit)

	viaTask bool // create VMs with CreateVM_Task (slower, files + events)
	ftSec   int
}

func newBuilder(ctx context.Context, svc *simulator.Service, start time.Time) (*builder, error) {
	c, err := vim25.NewClient(ctx, svc)
	if err != nil {
		return nil, err
	}
	return &builder{ctx: ctx, c: c, start: start, dcs: map[string]*dcInfo{}}, nil
}

func (b *builder) cleanup() {
	for _, d := range b.dirs {
		_ = os.RemoveAll(d)
	}
}

// datacenter returns the named datacenter, creating it (with a cluster of two
// hosts, a local datastore and "VM Network") when the model lacks it.
func (b *builder) datacenter(name string) (*dcInfo, error) {
	if d := b.dcs[name]; d != nil {
		return d, nil
	}
	root := object.NewRootFolder(b.c)
	var dcObj *object.Datacenter
	if ref := findChild(root.Reference(), name); ref != nil && ref.Type == "Datacenter" {
		dcObj = object.NewDatacenter(b.c, *ref)
	} else {
		var err error
		if dcObj, err = root.CreateDatacenter(b.ctx, name); err != nil {
			return nil, fmt.Errorf("create datacenter %s: %s", name, err)
		}
		if err := b.populateDatacenter(dcObj, name); err != nil {
			return nil, err
		}
	}
	folders, err := dcObj.Folders(b.ctx)
	if err != nil {
		return nil, err
	}
	d := &dcInfo{name: name, dc: dcObj, folders: folders, vmDirs: map[string]types.ManagedObjectReference{"": folders.VmFolder.Reference()}}

	sdc := simulator.Map.Get(dcObj.Reference()).(*simulator.Datacenter)
	// Prefer the first cluster's root pool and hosts.
	hostFolder := simulator.Map.Get(sdc.HostFolder).(*simulator.Folder)
	for _, ref := range hostFolder.ChildEntity {
		if cl, ok := simulator.Map.Get(ref).(*simulator.ClusterComputeResource); ok && len(cl.Host) > 0 {
			d.pool = *cl.ResourcePool
			d.hosts = append(d.hosts, cl.Host...)
			break
		}
	}
	if len(d.hosts) == 0 {
		for _, ref := range hostFolder.ChildEntity {
			if cr, ok := simulator.Map.Get(ref).(*mo.ComputeResource); ok && len(cr.Host) > 0 {
				d.pool = *cr.ResourcePool
				d.hosts = append(d.hosts, cr.Host...)
				break
			}
		}
	}
	if len(d.hosts) == 0 {
		return nil, fmt.Errorf("datacenter %s has no host", name)
	}
	if len(sdc.Datastore) == 0 {
		return nil, fmt.Errorf("datacenter %s has no datastore", name)
	}
	d.ds = sdc.Datastore[0]
	d.dsName = simulator.Map.Get(d.ds).(*simulator.Datastore).Name
	for _, ref := range sdc.Network {
		if n, ok := simulator.Map.Get(ref).(*mo.Network); ok {
			if d.net.Value == "" || n.Name == "VM Network" {
				d.net, d.netName = ref, n.Name
			}
		}
	}
	if d.net.Value == "" && len(sdc.Network) > 0 {
		d.net = sdc.Network[0]
		d.netName = "VM Network"
	}
	b.dcs[name] = d
	return d, nil
}

func (b *builder) populateDatacenter(dc *object.Datacenter, name string) error {
	folders, err := dc.Folders(b.ctx)
	if err != nil {
		return err
	}
	cl, err := folders.HostFolder.CreateCluster(b.ctx, name+"_C0", types.ClusterConfigSpecEx{})
	if err != nil {
		return fmt.Errorf("create cluster in %s: %s", name, err)
	}
	var hosts []*object.HostSystem
	for i := 0; i < 2; i++ {
		task, err := cl.AddHost(b.ctx, types.HostConnectSpec{HostName: fmt.Sprintf("%s_C0_H%d", name, i)}, true, nil, nil)
		if err != nil {
			return err
		}
		info, err := task.WaitForResult(b.ctx, nil)
		if err != nil {
			return fmt.Errorf("add host to %s: %s", name, err)
		}
		hosts = append(hosts, object.NewHostSystem(b.c, info.Result.(types.ManagedObjectReference)))
	}
	dir, err := os.MkdirTemp("", "vcsim-fixture-"+sanitize(name)+"-")
	if err != nil {
		return err
	}
	b.dirs = append(b.dirs, dir)
	for _, h := range hosts {
		dss, err := h.ConfigManager().DatastoreSystem(b.ctx)
		if err != nil {
			return err
		}
		if _, err := dss.CreateLocalDatastore(b.ctx, "LocalDS_0", dir); err != nil {
			return fmt.Errorf("create datastore in %s: %s", name, err)
		}
	}
	return nil
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == '%' || r < ' ' {
			return '_'
		}
		return r
	}, s)
}

func findChild(parent types.ManagedObjectReference, name string) *types.ManagedObjectReference {
	si := simulator.Map.SearchIndex()
	res := si.FindChild(&types.FindChild{This: si.Self, Entity: parent, Name: name})
	return res.(*methods.FindChildBody).Res.Returnval
}

// folder returns (creating) the vm folder "a/b" below the datacenter's vm folder.
func (b *builder) folder(d *dcInfo, p string) (types.ManagedObjectReference, error) {
	if ref, ok := d.vmDirs[p]; ok {
		return ref, nil
	}
	parentPath, base := "", p
	if i := strings.LastIndex(p, "/"); i >= 0 {
		parentPath, base = p[:i], p[i+1:]
	}
	parent, err := b.folder(d, parentPath)
	if err != nil {
		return parent, err
	}
	name := base // folder names are given as inventory path elements (already escaped)
	if ref := findChild(parent, name); ref != nil {
		d.vmDirs[p] = *ref
		return *ref, nil
	}
	f, err := object.NewFolder(b.c, parent).CreateFolder(b.ctx, name)
	if err != nil {
		return parent, fmt.Errorf("create folder %s: %s", p, err)
	}
	d.vmDirs[p] = f.Reference()
	return f.Reference(), nil
}

// createVM creates one VM from its spec.
func (b *builder) createVM(spec *VMSpec) (*simulator.VirtualMachine, error) {
	s := *spec
	applyDefaults(&s)
	d, err := b.datacenter(s.datacenter())
	if err != nil {
		return nil, err
	}
	folder, err := b.folder(d, s.Folder)
	if err != nil {
		return nil, err
	}
	host := d.hosts[d.next%len(d.hosts)]
	if spec.Host > 0 {
		host = d.hosts[(spec.Host-1)%len(d.hosts)]
	}
	d.next++

	name := escapeName(s.Name)
	var vm *simulator.VirtualMachine
	if b.viaTask {
		vm, err = b.createVMTask(folder, name, s.GuestID, d, host)
	} else {
		vm, err = b.createVMDirect(folder, name, s.GuestID, d, host)
	}
	if err != nil {
		return nil, fmt.Errorf("create VM %q: %s", s.Name, err)
	}
	// Start-up only (no server yet): no locking needed.
	if s.Annotation, err = b.expandTimes(s.Annotation); err != nil {
		return vm, err
	}
	if err := b.configure(vm, &s, d); err != nil {
		return vm, err
	}
	return vm, b.customAttributes(vm, &s)
}

// createVMTask creates the VM with the simulator's CreateVM_Task: the VM's
// .vmx/.nvram/vmware.log files exist and events are posted (slower).
func (b *builder) createVMTask(folder types.ManagedObjectReference, name, guestID string, d *dcInfo, host types.ManagedObjectReference) (*simulator.VirtualMachine, error) {
	req := types.CreateVM_Task{
		This: folder,
		Config: types.VirtualMachineConfigSpec{
			Name:    name,
			GuestId: guestID,
			Files:   &types.VirtualMachineFileInfo{VmPathName: "[" + d.dsName + "]"},
		},
		Pool: d.pool,
		Host: &host,
	}
	res, err := methods.CreateVM_Task(b.ctx, b.c, &req)
	if err != nil {
		return nil, err
	}
	task := simulator.Map.Get(res.Returnval).(*simulator.Task)
	if task.Info.Error != nil {
		return nil, fmt.Errorf("%s", task.Info.Error.LocalizedMessage)
	}
	ref := task.Info.Result.(types.ManagedObjectReference)
	// The finished task is of no further use; keep the registry small at 10k VMs.
	simulator.Map.Remove(task.Self)
	return simulator.Map.Get(ref).(*simulator.VirtualMachine), nil
}

// createVMDirect does what CreateVM_Task does for the inventory (folder,
// host, resource pool, datastore, VM directory, uuids, default devices) but
// skips the .vmx/.nvram/vmware.log files, the storage refresh and the events:
// several times faster at 10k VMs. (Power operations then log a harmless
// "open : no such file" from the simulator.)
func (b *builder) createVMDirect(folder types.ManagedObjectReference, name, guestID string, d *dcInfo, host types.ManagedObjectReference) (*simulator.VirtualMachine, error) {
	spec := types.VirtualMachineConfigSpec{Name: name, GuestId: guestID, Files: &types.VirtualMachineFileInfo{VmPathName: "[" + d.dsName + "]"}}
	ctx := &simulator.Context{Context: b.ctx, Map: simulator.Map}
	vm, fault := simulator.NewVirtualMachine(ctx, folder, &spec)
	if fault != nil {
		return nil, fmt.Errorf("%T", fault)
	}
	vm.Name = name
	vm.Config.Name = name
	vm.Config.GuestId = guestID
	vm.Config.Files.VmPathName = spec.Files.VmPathName
	pool := d.pool
	vm.ResourcePool = &pool
	h := host
	vm.Runtime.Host = &h
	vm.Summary.Config.VmPathName = spec.Files.VmPathName
	vm.Summary.Runtime.Host = vm.Runtime.Host

	hs := simulator.Map.Get(host).(*simulator.HostSystem)
	hs.Vm = append(hs.Vm, vm.Self)
	switch cr := simulator.Map.Get(*hs.Parent).(type) {
	case *simulator.ClusterComputeResource:
		if cr.EnvironmentBrowser != nil {
			vm.EnvironmentBrowser = *cr.EnvironmentBrowser
		}
	case *mo.ComputeResource:
		if cr.EnvironmentBrowser != nil {
			vm.EnvironmentBrowser = *cr.EnvironmentBrowser
		}
	}
	ds := simulator.Map.Get(d.ds).(*simulator.Datastore)
	ds.Vm = append(ds.Vm, vm.Self)
	vm.Datastore = []types.ManagedObjectReference{d.ds}
	if rp, ok := simulator.Map.Get(pool).(*simulator.ResourcePool); ok {
		rp.Vm = append(rp.Vm, vm.Self)
	}
	return vm, nil
}

// applyDefaults fills in a healthy VM.
func applyDefaults(s *VMSpec) {
	if s.Template {
		s.PowerState = "poweredOff"
	}
	if s.PowerState == "" {
		s.PowerState = "poweredOn"
	}
	if s.ConnectionState == "" {
		s.ConnectionState = "connected"
	}
	if s.GuestID == "" {
		if s.GuestFamily == "windowsGuest" {
			s.GuestID = "windows9Server64Guest"
		} else {
			s.GuestID = "otherLinux64Guest"
		}
	}
	if s.GuestFamily == "" {
		s.GuestFamily = guestFamily(s.GuestID)
	}
	if s.GuestFullName == "" {
		s.GuestFullName = guestFullName(s.GuestID)
	}
	win := s.isWindows()
	t := ToolsSpec{}
	if s.Tools != nil {
		t = *s.Tools
	}
	if t.VersionStatus2 == "" {
		t.VersionStatus2 = "guestToolsCurrent"
	}
	if t.RunningStatus == "" {
		if s.PowerState == "poweredOn" && t.VersionStatus2 != "guestToolsNotInstalled" {
			t.RunningStatus = "guestToolsRunning"
		} else {
			t.RunningStatus = "guestToolsNotRunning"
		}
	}
	if t.Version == "" {
		t.Version = toolsVersionFor(t.VersionStatus2)
	}
	if t.InstallType == "" {
		switch {
		case t.VersionStatus2 == "guestToolsNotInstalled":
		case t.VersionStatus2 == "guestToolsUnmanaged":
			t.InstallType = "guestToolsTypeOpenVMTools"
		case win:
			t.InstallType = "guestToolsTypeMSI"
		default:
			t.InstallType = "guestToolsTypeOpenVMTools"
		}
	}
	s.Tools = &t
	if s.HostName == "" {
		s.HostName = strings.ToLower(sanitize(s.Name))
	}
	if s.NumCPU == 0 {
		s.NumCPU = 2
	}
	if s.MemoryMB == 0 {
		if win {
			s.MemoryMB = 8192
		} else {
			s.MemoryMB = 4096
		}
	}
	if s.FaultTolerance == "" {
		s.FaultTolerance = "notConfigured"
	}
	if len(s.Disks) == 0 && len(s.Controllers) == 0 {
		gb := 40.0
		if win {
			gb = 60
		}
		s.Disks = []DiskSpec{{CapacityGB: gb}}
	}
	if len(s.GuestDisks) == 0 && !s.NoGuestDisks && s.PowerState == "poweredOn" && t.RunningStatus != "guestToolsNotRunning" {
		if win {
			s.GuestDisks = []GuestDisk{{Path: `C:\`, FsType: "NTFS", CapacityGB: 59.5, FreeGB: 31.2}}
		} else {
			s.GuestDisks = []GuestDisk{{Path: "/", FsType: "ext4", CapacityGB: 39.1, FreeGB: 21.7}, {Path: "/boot", FsType: "ext4", CapacityGB: 0.95, FreeGB: 0.71}}
		}
	}
}

func guestFamily(id string) string {
	switch {
	case strings.HasPrefix(id, "win"):
		return "windowsGuest"
	case strings.HasPrefix(id, "darwin"):
		return "darwinGuestFamily"
	case strings.HasPrefix(id, "solaris"):
		return "solarisGuest"
	case strings.HasPrefix(id, "netware"):
		return "netwareGuest"
	case id == "otherGuest" || id == "otherGuest64":
		return "otherGuestFamily"
	}
	return "linuxGuest"
}

var fullNames = map[string]string{
	"otherLinux64Guest":      "Other Linux (64-bit)",
	"otherLinuxGuest":        "Other Linux (32-bit)",
	"other3xLinux64Guest":    "Other 3.x Linux (64-bit)",
	"other4xLinux64Guest":    "Other 4.x or later Linux (64-bit)",
	"ubuntu64Guest":          "Ubuntu Linux (64-bit)",
	"debian10_64Guest":       "Debian GNU/Linux 10 (64-bit)",
	"debian11_64Guest":       "Debian GNU/Linux 11 (64-bit)",
	"rhel7_64Guest":          "Red Hat Enterprise Linux 7 (64-bit)",
	"rhel8_64Guest":          "Red Hat Enterprise Linux 8 (64-bit)",
	"centos7_64Guest":        "CentOS 7 (64-bit)",
	"centos8_64Guest":        "CentOS 8 (64-bit)",
	"sles15_64Guest":         "SUSE Linux Enterprise 15 (64-bit)",
	"windows9Server64Guest":  "Microsoft Windows Server 2016 or later (64-bit)",
	"windows2019srv_64Guest": "Microsoft Windows Server 2019 (64-bit)",
	"windows8Server64Guest":  "Microsoft Windows Server 2012 (64-bit)",
	"windows7Server64Guest":  "Microsoft Windows Server 2008 R2 (64-bit)",
	"windows9_64Guest":       "Microsoft Windows 10 (64-bit)",
	"otherGuest64":           "Other (64-bit)",
	"otherGuest":             "Other (32-bit)",
}

func guestFullName(id string) string {
	if n, ok := fullNames[id]; ok {
		return n
	}
	return id
}

// toolsVersionFor gives a Tools build number (major<<10 | minor<<5 | patch)
// consistent with the version status.
func toolsVersionFor(status string) string {
	switch status {
	case "guestToolsNotInstalled":
		return "0"
	case "guestToolsSupportedOld", "guestToolsNeedUpgrade":
		return "11333" // 11.3.5
	case "guestToolsTooOld":
		return "9349" // 9.4.5
	case "guestToolsUnmanaged":
		return "12325" // 12.1.5 (open-vm-tools from the distribution)
	case "guestToolsSupportedNew", "guestToolsTooNew":
		return "12416" // 12.4.0
	}
	return "12352" // 12.2.0
}

func toolsVersionString(v string) string {
	var n int
	fmt.Sscanf(v, "%d", &n)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", n>>10, (n>>5)&31, n&31)
}

func boolp(b bool) *bool { return &b }

func orDefault(p *bool, def bool) *bool {
	if p != nil {
		return boolp(*p)
	}
	return boolp(def)
}

// hashUUID gives a deterministic, UUID-shaped string.
func hashUUID(prefix string, parts ...interface{}) string {
	h := sha1.Sum([]byte(fmt.Sprint(parts...)))
	s := fmt.Sprintf("%x", h[:16])
	if prefix != "" {
		s = prefix + s[len(prefix):]
	}
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

func hexBytes(n int, parts ...interface{}) string {
	h := sha1.Sum([]byte(fmt.Sprint(parts...)))
	return fmt.Sprintf("%x", h[:])[:n]
}

// ---------------------------------------------------------------------------
// devices

// newDevice makes an empty device of a vim25 type name (any BaseVirtualDevice).
func newDevice(kind string) (types.BaseVirtualDevice, error) {
	t, ok := types.TypeFunc()(kind)
	if !ok {
		return nil, fmt.Errorf("unknown vim25 type %q", kind)
	}
	v := reflect.New(t).Interface()
	d, ok := v.(types.BaseVirtualDevice)
	if !ok {
		return nil, fmt.Errorf("%q is not a VirtualDevice type", kind)
	}
	return d, nil
}

type ctrlInfo struct {
	spec  ControllerSpec
	dev   types.BaseVirtualController
	key   int32
	units map[int32]bool
}

func (c *ctrlInfo) class() string { return busClass(c.spec.Type) }

func (c *ctrlInfo) maxUnits() int32 {
	switch c.class() {
	case "ide":
		return 2
	case "sata":
		return 30
	case "nvme":
		return 15
	}
	return 16
}

func (c *ctrlInfo) takeUnit(want *int32) (int32, error) {
	if want != nil {
		u := *want
		if u < 0 || u >= c.maxUnits() || (c.class() == "scsi" && u == 7) {
			return 0, fmt.Errorf("controller %s: bad unit %d", c.spec.Name, u)
		}
		if c.units[u] {
			return 0, fmt.Errorf("controller %s: unit %d already used", c.spec.Name, u)
		}
		c.units[u] = true
		return u, nil
	}
	for u := int32(0); u < c.maxUnits(); u++ {
		if c.units[u] || (c.class() == "scsi" && u == 7) {
			continue
		}
		c.units[u] = true
		return u, nil
	}
	return 0, fmt.Errorf("controller %s is full", c.spec.Name)
}

func (c *ctrlInfo) deviceKey(unit int32) int32 {
	bus := c.spec.BusNumber
	switch c.class() {
	case "ide":
		return 3000 + bus*2 + unit
	case "sata":
		return 16000 + bus*30 + unit
	case "nvme":
		return 32000 + bus*15 + unit
	}
	return 2000 + bus*16 + unit
}

func desc(label, summary string) *types.Description {
	return &types.Description{Label: label, Summary: summary}
}

func i32(v int32) *int32 { return &v }

func addChild(c types.BaseVirtualController, key int32) {
	vc := c.GetVirtualController()
	vc.Device = append(vc.Device, key)
}

type devBuild struct {
	s        *VMSpec
	vm       *simulator.VirtualMachine
	d        *dcInfo
	name     string // escaped VM name
	dir      string // "[ds] name"
	devices  []types.BaseVirtualDevice
	pci      *types.VirtualPCIController
	ide      [2]*types.VirtualIDEController
	sio      *types.VirtualSIOController
	ctrls    map[string]*ctrlInfo
	order    []*ctrlInfo
	pciUnit  map[int32]bool
	disks    []*types.VirtualDisk
	diskIdx  int
	nics     int32
	nicKeys  []int32
	macs     []string
	cdrom    *types.VirtualCdrom
	keyInUse map[int32]bool
	start    time.Time
}

func (db *devBuild) pciSlot(pref int32) int32 {
	for u := pref; ; u++ {
		if !db.pciUnit[u] {
			db.pciUnit[u] = true
			return u
		}
	}
}

func (db *devBuild) freeKey(k int32) int32 {
	for db.keyInUse[k] {
		k++
	}
	db.keyInUse[k] = true
	return k
}

func (db *devBuild) add(d types.BaseVirtualDevice) {
	db.keyInUse[d.GetVirtualDevice().Key] = true
	db.devices = append(db.devices, d)
}

func (db *devBuild) base() {
	db.pci = &types.VirtualPCIController{VirtualController: types.VirtualController{VirtualDevice: types.VirtualDevice{Key: 100, DeviceInfo: desc("PCI controller 0", "PCI controller 0")}}}
	for i := int32(0); i < 2; i++ {
		db.ide[i] = &types.VirtualIDEController{VirtualController: types.VirtualController{BusNumber: i, VirtualDevice: types.VirtualDevice{Key: 200 + i, DeviceInfo: desc(fmt.Sprintf("IDE %d", i), fmt.Sprintf("IDE %d", i))}}}
	}
	ps2 := &types.VirtualPS2Controller{VirtualController: types.VirtualController{VirtualDevice: types.VirtualDevice{Key: 300, DeviceInfo: desc("PS2 controller 0", "PS2 controller 0")}, Device: []int32{600, 700}}}
	db.sio = &types.VirtualSIOController{VirtualController: types.VirtualController{VirtualDevice: types.VirtualDevice{Key: 400, DeviceInfo: desc("SIO controller 0", "SIO controller 0")}}}
	kbd := &types.VirtualKeyboard{VirtualDevice: types.VirtualDevice{Key: 600, DeviceInfo: desc("Keyboard", "Keyboard"), ControllerKey: 300, UnitNumber: i32(0)}}
	mouse := &types.VirtualPointingDevice{VirtualDevice: types.VirtualDevice{Key: 700, DeviceInfo: desc("Pointing device", "Pointing device; Device"), ControllerKey: 300, UnitNumber: i32(1),
		Backing: &types.VirtualPointingDeviceDeviceBackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{UseAutoDetect: boolp(false)}, HostPointingDevice: "autodetect"}}}
	video := &types.VirtualMachineVideoCard{VirtualDevice: types.VirtualDevice{Key: 500, DeviceInfo: desc("Video card ", "Video card"), ControllerKey: 100, UnitNumber: i32(0)},
		VideoRamSizeInKB: 4096, NumDisplays: 1, UseAutoDetect: boolp(false), Enable3DSupport: boolp(false), Use3dRenderer: "automatic", GraphicsMemorySizeInKB: 262144}
	vmci := &types.VirtualMachineVMCIDevice{VirtualDevice: types.VirtualDevice{Key: 12000, DeviceInfo: desc("VMCI device", "Device on the virtual machine PCI bus that provides support for the virtual machine communication interface"), ControllerKey: 100, UnitNumber: i32(17),
		SlotInfo: &types.VirtualDevicePciBusSlotInfo{PciSlotNumber: 32}}, Id: -1, AllowUnrestrictedCommunication: boolp(false), FilterEnable: boolp(true)}
	db.pciUnit[0], db.pciUnit[17] = true, true
	db.pci.Device = []int32{500, 12000}
	for _, d := range []types.BaseVirtualDevice{db.ide[0], db.ide[1], ps2, db.pci, db.sio, kbd, mouse, video, vmci} {
		db.add(d)
	}
}

func (db *devBuild) controller(c ControllerSpec) (*ctrlInfo, error) {
	ci := &ctrlInfo{spec: c, units: map[int32]bool{}}
	switch c.Type {
	case "ide":
		ci.dev = db.ide[c.BusNumber]
		ci.key = 200 + c.BusNumber
	default:
		var dev types.BaseVirtualController
		var key, slot int32
		label := ""
		sharing := types.VirtualSCSISharing(c.SharedBus)
		if sharing == "" {
			sharing = types.VirtualSCSISharingNoSharing
		}
		scsi := func() types.VirtualSCSIController {
			return types.VirtualSCSIController{VirtualController: types.VirtualController{BusNumber: c.BusNumber}, HotAddRemove: boolp(true), SharedBus: sharing, ScsiCtlrUnitNumber: 7}
		}
		switch c.Type {
		case "pvscsi":
			dev = &types.ParaVirtualSCSIController{VirtualSCSIController: scsi()}
			label = "VMware paravirtual SCSI"
		case "lsilogic":
			dev = &types.VirtualLsiLogicController{VirtualSCSIController: scsi()}
			label = "LSI Logic"
		case "lsilogic-sas":
			dev = &types.VirtualLsiLogicSASController{VirtualSCSIController: scsi()}
			label = "LSI Logic SAS"
		case "buslogic":
			dev = &types.VirtualBusLogicController{VirtualSCSIController: scsi()}
			label = "BusLogic"
		case "sata":
			dev = &types.VirtualAHCIController{VirtualSATAController: types.VirtualSATAController{VirtualController: types.VirtualController{BusNumber: c.BusNumber}}}
			label = "AHCI"
		case "nvme":
			dev = &types.VirtualNVMEController{VirtualController: types.VirtualController{BusNumber: c.BusNumber}}
			label = "NVME"
		}
		switch busClass(c.Type) {
		case "scsi":
			key, slot = 1000+c.BusNumber, 3+c.BusNumber
			label = fmt.Sprintf("SCSI controller %d", c.BusNumber) + "|" + label
		case "sata":
			key, slot = 15000+c.BusNumber, 24+c.BusNumber
			label = fmt.Sprintf("SATA controller %d", c.BusNumber) + "|" + label
		case "nvme":
			key, slot = 31000+c.BusNumber, 30+c.BusNumber
			label = fmt.Sprintf("NVME controller %d", c.BusNumber) + "|" + label
		}
		parts := strings.SplitN(label, "|", 2)
		vd := dev.GetVirtualController()
		vd.Key = key
		vd.DeviceInfo = desc(parts[0], parts[1])
		vd.ControllerKey = 100
		vd.UnitNumber = i32(db.pciSlot(slot))
		vd.SlotInfo = &types.VirtualDevicePciBusSlotInfo{PciSlotNumber: 160 + 32*c.BusNumber}
		db.pci.Device = append(db.pci.Device, key)
		ci.dev, ci.key = dev, key
		db.add(dev.(types.BaseVirtualDevice))
	}
	db.ctrls[c.Name] = ci
	db.order = append(db.order, ci)
	return ci, nil
}

func (db *devBuild) implicit(name string) (*ctrlInfo, error) {
	if c := db.ctrls[name]; c != nil {
		return c, nil
	}
	var bus int32
	kind := strings.TrimRight(name, "0123456789")
	fmt.Sscanf(name[len(kind):], "%d", &bus)
	// a declared controller of the same kind and bus under another name
	for _, c := range db.order {
		if c.class() == kind && c.spec.BusNumber == bus {
			db.ctrls[name] = c
			return c, nil
		}
	}
	t := kind
	if kind == "scsi" {
		t = "pvscsi"
		if db.s.isWindows() {
			t = "lsilogic-sas"
		}
	}
	return db.controller(ControllerSpec{Name: name, Type: t, BusNumber: bus})
}

func (db *devBuild) defaultController() (*ctrlInfo, error) {
	for _, c := range db.order {
		if c.class() == "scsi" {
			return c, nil
		}
	}
	return db.implicit("scsi0")
}

func (db *devBuild) vmdk(n int, suffix string) string {
	if n == 0 {
		return fmt.Sprintf("%s/%s%s.vmdk", db.dir, db.name, suffix)
	}
	return fmt.Sprintf("%s/%s_%d%s.vmdk", db.dir, db.name, n, suffix)
}

func (db *devBuild) disk(ds DiskSpec) error {
	var ci *ctrlInfo
	var err error
	if ds.Controller == "" {
		ci, err = db.defaultController()
	} else if c := db.ctrls[ds.Controller]; c != nil {
		ci = c
	} else {
		ci, err = db.implicit(ds.Controller)
	}
	if err != nil {
		return err
	}
	unit, err := ci.takeUnit(ds.Unit)
	if err != nil {
		return err
	}
	key := db.freeKey(ci.deviceKey(unit))
	n := db.diskIdx
	db.diskIdx++
	label := ds.Label
	if label == "" {
		label = fmt.Sprintf("Hard disk %d", n+1)
	}
	gb := ds.CapacityGB
	if gb == 0 {
		gb = 40
	}
	kb := int64(gb * 1024 * 1024)
	mode := ds.Mode
	if mode == "" {
		mode = "persistent"
	}
	sharing := ds.Sharing
	uuid := hashUUID("6000c29", db.name, key, "disk")
	dsRef, dsName, err := diskDatastore(db.d, ds.Datastore)
	if err != nil {
		return err
	}
	fileName := db.vmdk(n, "")
	if dsName != db.d.dsName {
		// the disk lives in a directory of the VM's name on its own datastore
		fileName = strings.Replace(fileName, "["+db.d.dsName+"]", "["+dsName+"]", 1)
	}
	file := types.VirtualDeviceFileBackingInfo{FileName: fileName, Datastore: &dsRef}
	lun := "0200000000" + hexBytes(32, db.name, key, "lun") + "566972747561"
	naa := "naa.6" + hexBytes(31, db.name, key, "naa")
	var backing types.BaseVirtualDeviceBackingInfo
	switch ds.Backing {
	case "", "flat":
		if sharing == "" {
			sharing = "sharingNone"
		}
		thin := true
		if ds.Thin != nil {
			thin = *ds.Thin
		}
		backing = &types.VirtualDiskFlatVer2BackingInfo{VirtualDeviceFileBackingInfo: file, DiskMode: mode, Split: boolp(false), WriteThrough: boolp(false),
			ThinProvisioned: boolp(thin), EagerlyScrub: boolp(false), Uuid: uuid, ContentId: hexBytes(32, uuid, "content"), DigestEnabled: boolp(false), Sharing: sharing}
	case "sparse":
		backing = &types.VirtualDiskSparseVer2BackingInfo{VirtualDeviceFileBackingInfo: file, DiskMode: mode, Split: boolp(false), WriteThrough: boolp(false),
			SpaceUsedInKB: kb / 3, Uuid: uuid, ContentId: hexBytes(32, uuid, "content")}
	case "seSparse":
		if sharing != "" {
			return fmt.Errorf("seSparse backing has no sharing field")
		}
		backing = &types.VirtualDiskSeSparseBackingInfo{VirtualDeviceFileBackingInfo: file, DiskMode: mode, WriteThrough: boolp(false), Uuid: uuid,
			ContentId: hexBytes(32, uuid, "content"), DigestEnabled: boolp(false), GrainSize: 4}
	case "rdm":
		cm := ds.CompatibilityMode
		if cm == "" {
			cm = "virtualMode"
		}
		if sharing == "" {
			sharing = "sharingNone"
		}
		file.FileName = db.vmdk(n, "")
		backing = &types.VirtualDiskRawDiskMappingVer1BackingInfo{VirtualDeviceFileBackingInfo: file, LunUuid: lun, DeviceName: "vml." + lun,
			CompatibilityMode: cm, DiskMode: mode, Uuid: uuid, ContentId: hexBytes(32, uuid, "content"), Sharing: sharing}
	case "rawdisk", "partitionedrawdisk":
		raw := types.VirtualDiskRawDiskVer2BackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "/vmfs/devices/disks/" + naa, UseAutoDetect: boolp(false)},
			DescriptorFileName: db.vmdk(n, ""), Uuid: uuid, Sharing: sharing}
		if ds.Backing == "rawdisk" {
			backing = &raw
		} else {
			backing = &types.VirtualDiskPartitionedRawDiskVer2BackingInfo{VirtualDiskRawDiskVer2BackingInfo: raw, Partition: []int32{1}}
		}
	}
	disk := &types.VirtualDisk{
		VirtualDevice: types.VirtualDevice{Key: key, DeviceInfo: desc(label, fmt.Sprintf("%s KB", commas(kb))), Backing: backing,
			ControllerKey: ci.key, UnitNumber: i32(unit)},
		CapacityInKB: kb, CapacityInBytes: kb * 1024,
		Shares:                     &types.SharesInfo{Shares: 1000, Level: types.SharesLevelNormal},
		StorageIOAllocation:        &types.StorageIOAllocationInfo{Limit: int64p(-1), Shares: &types.SharesInfo{Shares: 1000, Level: types.SharesLevelNormal}, Reservation: i32(0)},
		DiskObjectId:               fmt.Sprintf("%s-%d", vmNum(db.vm.Self.Value), key),
		NativeUnmanagedLinkedClone: boolp(false),
	}
	addChild(ci.dev, key)
	db.add(disk)
	db.disks = append(db.disks, disk)
	return nil
}

func int64p(v int64) *int64 { return &v }

// vendorID: PCI vendor ids are sent as xsd:short (0x8086 comes out negative).
func vendorID(v uint16) int16 { return int16(v) }

func vmNum(moid string) string {
	return strings.TrimPrefix(moid, "vm-")
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (db *devBuild) mac(i int) string {
	h := sha1.Sum([]byte(fmt.Sprint(db.vm.Config.Uuid, i, "mac")))
	return fmt.Sprintf("00:50:56:%02x:%02x:%02x", 0x80|(h[0]&0x3f), h[1], h[2])
}

// linkLocal gives the fe80:: address of a MAC (EUI-64).
func linkLocal(mac string) string {
	var b [6]int
	fmt.Sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5])
	return fmt.Sprintf("fe80::%x:%x:%x:%x", (b[0]^2)<<8|b[1], b[2]<<8|0xff, 0xfe00|b[3], b[4]<<8|b[5])
}

func (db *devBuild) ethernet(kind string, card *types.VirtualEthernetCard, label string) {
	i := int(db.nics)
	db.nics++
	key := db.freeKey(4000 + int32(i))
	card.Key = key
	if label == "" {
		label = fmt.Sprintf("Network adapter %d", i+1)
	}
	card.DeviceInfo = desc(label, db.d.netName)
	net := db.d.net
	card.Backing = &types.VirtualEthernetCardNetworkBackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: db.d.netName, UseAutoDetect: boolp(false)}, Network: &net}
	on := db.s.PowerState == "poweredOn"
	card.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, AllowGuestControl: true, Connected: on, Status: "ok"}
	card.SlotInfo = &types.VirtualDevicePciBusSlotInfo{PciSlotNumber: 192 + int32(i)*32}
	card.ControllerKey = 100
	card.UnitNumber = i32(db.pciSlot(7 + int32(i)))
	card.AddressType = "assigned"
	card.MacAddress = db.mac(i)
	card.WakeOnLanEnabled = boolp(true)
	card.UptCompatibilityEnabled = boolp(kind == "VirtualVmxnet3")
	card.ResourceAllocation = &types.VirtualEthernetCardResourceAllocation{Reservation: int64p(0), Share: types.SharesInfo{Shares: 50, Level: types.SharesLevelNormal}, Limit: int64p(-1)}
	db.pci.Device = append(db.pci.Device, key)
	db.nicKeys = append(db.nicKeys, key)
	db.macs = append(db.macs, card.MacAddress)
}

var devKeyBase = map[string]int32{
	"VirtualPCIPassthrough":    13000,
	"VirtualUSBController":     7000,
	"VirtualUSBXHCIController": 14000,
	"VirtualUSB":               7100,
	"VirtualFloppy":            8000,
	"VirtualSerialPort":        9000,
	"VirtualParallelPort":      10000,
	"VirtualHdAudioCard":       5000,
	"VirtualEnsoniq1371":       5000,
	"VirtualSoundBlaster16":    5000,
	"VirtualCdrom":             3000,
	"VirtualTPM":               11000,
	"VirtualWDT":               18000,
	"VirtualPrecisionClock":    19000,
	"VirtualNVDIMMController":  26000,
	"VirtualNVDIMM":            27000,
}

func (db *devBuild) device(ds DeviceSpec, idx int) error {
	dev, err := newDevice(ds.Type)
	if err != nil {
		return err
	}
	if card, ok := dev.(types.BaseVirtualEthernetCard); ok {
		db.ethernet(ds.Type, card.GetVirtualEthernetCard(), ds.Label)
		if sr, ok := dev.(*types.VirtualSriovEthernetCard); ok {
			pf := &types.VirtualPCIPassthroughDeviceBackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "vmnic4", UseAutoDetect: boolp(false)},
				Id: "0000:5e:00.0", DeviceId: "158b", SystemId: hashUUID("", "host", "system"), VendorId: vendorID(0x8086)}
			sr.SriovBacking = &types.VirtualSriovEthernetCardSriovBackingInfo{PhysicalFunctionBacking: pf, VirtualFunctionIndex: int32(idx)}
			sr.AllowGuestOSMtuChange = boolp(false)
			sr.DeviceInfo.GetDescription().Summary = "SR-IOV " + sr.DeviceInfo.GetDescription().Summary
		}
		db.add(dev)
		return nil
	}
	switch dev.(type) {
	case types.BaseVirtualSCSIController, *types.VirtualIDEController, types.BaseVirtualSATAController, *types.VirtualNVMEController:
		return fmt.Errorf("%s: declare disk controllers under \"controllers\"", ds.Type)
	case *types.VirtualPCIController, *types.VirtualPS2Controller, *types.VirtualSIOController:
		return fmt.Errorf("%s: every VM already has one", ds.Type)
	}
	if _, ok := dev.(*types.VirtualDisk); ok {
		return fmt.Errorf("VirtualDisk: declare disks under \"disks\"")
	}
	vd := dev.GetVirtualDevice()
	base, ok := devKeyBase[ds.Type]
	if !ok {
		base = 20000
	}
	vd.Key = db.freeKey(base)
	label := ds.Label
	switch x := dev.(type) {
	case *types.VirtualPCIPassthrough:
		if label == "" {
			label = fmt.Sprintf("PCI device %d", idx)
		}
		if ds.Vgpu != "" {
			x.Backing = &types.VirtualPCIPassthroughVmiopBackingInfo{Vgpu: ds.Vgpu}
			vd.DeviceInfo = desc(label, "NVIDIA GRID vGPU "+ds.Vgpu)
		} else {
			x.Backing = &types.VirtualPCIPassthroughDeviceBackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "NVIDIA Corporation TU104GL [Tesla T4]", UseAutoDetect: boolp(false)},
				Id: "0000:3b:00.0", DeviceId: "1eb8", SystemId: hashUUID("", "host", "system"), VendorId: vendorID(0x10de)}
			vd.DeviceInfo = desc(label, "NVIDIA Corporation TU104GL [Tesla T4]")
		}
		vd.ControllerKey = 100
		vd.UnitNumber = i32(db.pciSlot(18))
		vd.SlotInfo = &types.VirtualDevicePciBusSlotInfo{PciSlotNumber: 256 + int32(idx)*32}
		db.pci.Device = append(db.pci.Device, vd.Key)
	case *types.VirtualCdrom:
		db.cdromOn(x, label)
		return nil
	case *types.VirtualFloppy, *types.VirtualSerialPort, *types.VirtualParallelPort:
		if label == "" {
			label = strings.TrimPrefix(ds.Type, "Virtual") + " 1"
		}
		vd.DeviceInfo = desc(label, "Remote")
		vd.ControllerKey = 400
		vd.UnitNumber = i32(int32(len(db.sio.Device)))
		vd.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: false, AllowGuestControl: true, Connected: false, Status: "untried"}
		db.sio.Device = append(db.sio.Device, vd.Key)
		switch y := dev.(type) {
		case *types.VirtualFloppy:
			y.Backing = &types.VirtualFloppyRemoteDeviceBackingInfo{VirtualDeviceRemoteDeviceBackingInfo: types.VirtualDeviceRemoteDeviceBackingInfo{UseAutoDetect: boolp(false)}}
		case *types.VirtualSerialPort:
			y.Backing = &types.VirtualSerialPortURIBackingInfo{VirtualDeviceURIBackingInfo: types.VirtualDeviceURIBackingInfo{ServiceURI: "tcp://:0", Direction: "server"}}
			y.YieldOnPoll = true
		}
	case *types.VirtualUSBController:
		if label == "" {
			label = "USB controller "
		}
		vd.DeviceInfo = desc(label, "Auto connect Disabled")
		x.AutoConnectDevices = boolp(false)
		x.EhciEnabled = boolp(true)
		vd.ControllerKey = 100
		vd.UnitNumber = i32(db.pciSlot(22))
		db.pci.Device = append(db.pci.Device, vd.Key)
	case *types.VirtualUSBXHCIController:
		if label == "" {
			label = "USB xHCI controller "
		}
		vd.DeviceInfo = desc(label, "USB xHCI controller ")
		x.AutoConnectDevices = boolp(false)
		vd.ControllerKey = 100
		vd.UnitNumber = i32(db.pciSlot(23))
		db.pci.Device = append(db.pci.Device, vd.Key)
	default:
		if label == "" {
			label = strings.TrimPrefix(ds.Type, "Virtual") + " 1"
		}
		vd.DeviceInfo = desc(label, label)
		vd.ControllerKey = 100
		vd.UnitNumber = i32(db.pciSlot(24))
		db.pci.Device = append(db.pci.Device, vd.Key)
	}
	db.add(dev)
	return nil
}

// cdromOn attaches a CD-ROM to the first free IDE unit (or SATA when the VM has it).
func (db *devBuild) cdromOn(cd *types.VirtualCdrom, label string) {
	if cd == nil {
		cd = &types.VirtualCdrom{}
	}
	var ci *ctrlInfo
	for _, c := range []string{"ide1", "ide0"} {
		if x, _ := db.implicit(c); x != nil && len(x.units) < 2 {
			ci = x
			break
		}
	}
	if ci == nil {
		return // no room: no CD-ROM
	}
	unit, err := ci.takeUnit(nil)
	if err != nil {
		return
	}
	cd.Key = db.freeKey(ci.deviceKey(unit))
	if label == "" {
		label = "CD/DVD drive 1"
	}
	on := db.s.PowerState == "poweredOn"
	if db.s.Tools != nil && db.s.Tools.InstallerMounted {
		iso := "linux.iso"
		if db.s.isWindows() {
			iso = "windows.iso"
		}
		cd.Backing = &types.VirtualCdromIsoBackingInfo{VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: "[] /vmimages/tools-isoimages/" + iso}}
		cd.DeviceInfo = desc(label, "ISO [] /vmimages/tools-isoimages/"+iso)
		cd.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, AllowGuestControl: false, Connected: on, Status: "ok"}
	} else {
		cd.Backing = &types.VirtualCdromRemotePassthroughBackingInfo{VirtualDeviceRemoteDeviceBackingInfo: types.VirtualDeviceRemoteDeviceBackingInfo{UseAutoDetect: boolp(false)}}
		cd.DeviceInfo = desc(label, "Remote device")
		cd.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: false, AllowGuestControl: true, Connected: false, Status: "untried"}
	}
	cd.ControllerKey = ci.key
	cd.UnitNumber = i32(unit)
	addChild(ci.dev, cd.Key)
	db.add(cd)
	db.cdrom = cd
}

// ---------------------------------------------------------------------------
// configure: everything after CreateVM

func (b *builder) configure(vm *simulator.VirtualMachine, s *VMSpec, d *dcInfo) error {
	name := escapeName(s.Name)
	win := s.isWindows()
	on := s.PowerState == "poweredOn"
	t := s.Tools
	running := on && t.RunningStatus != "guestToolsNotRunning"

	vmx := vm.Config.Files.VmPathName // "[LocalDS_0] name/name.vmx"
	dir := path.Dir(vmx)

	// --- power / runtime (before snapshots: a snapshot records the power state)
	vm.Runtime.PowerState = types.VirtualMachinePowerState(s.PowerState)
	vm.Runtime.ConnectionState = types.VirtualMachineConnectionState(s.ConnectionState)
	vm.Runtime.FaultToleranceState = types.VirtualMachineFaultToleranceState(s.FaultTolerance)
	vm.Runtime.ToolsInstallerMounted = t.InstallerMounted
	vm.Runtime.ConsolidationNeeded = boolp(s.ConsolidationNeeded)
	vm.Runtime.Question = nil
	if s.Question != "" {
		vm.Runtime.Question = &types.VirtualMachineQuestionInfo{Id: "_vmx1", Text: s.Question,
			Choice: types.ChoiceOption{OptionType: types.OptionType{ValueIsReadonly: boolp(false)},
				ChoiceInfo:   []types.BaseElementDescription{&types.ElementDescription{Description: types.Description{Label: "Retry", Summary: "Retry"}, Key: "0"}, &types.ElementDescription{Description: types.Description{Label: "Cancel", Summary: "Cancel"}, Key: "1"}},
				DefaultIndex: 0}}
	}
	vm.Runtime.MaxCpuUsage = 2400 * s.NumCPU
	vm.Runtime.MaxMemoryUsage = s.MemoryMB
	vm.Runtime.NumMksConnections = 0
	vm.Runtime.OnlineStandby = boolp(false)
	vm.Runtime.Paused = boolp(false)
	vm.Runtime.SnapshotInBackground = boolp(false)
	vm.Runtime.QuiescedForkParent = boolp(false)
	vm.Runtime.InstantCloneFrozen = boolp(false)
	vm.Runtime.CryptoState = ""
	vm.Runtime.BootTime, vm.Runtime.SuspendTime = nil, nil
	vm.Runtime.CleanPowerOff = nil
	switch s.PowerState {
	case "poweredOn":
		bt := b.start.Add(-time.Duration(100+len(s.Name)*7) * time.Hour)
		vm.Runtime.BootTime = &bt
		vm.Runtime.MemoryOverhead = 40 * 1024 * 1024
	case "suspended":
		st := b.start.Add(-30 * time.Hour)
		vm.Runtime.SuspendTime = &st
	case "poweredOff":
		vm.Runtime.CleanPowerOff = boolp(true)
	}

	// --- snapshots via the simulator (creates its snapshot objects and .vmsn files);
	// done while the VM still has only the simulator's default devices.
	snapDepth, snapLayouts, err := b.snapshots(vm, s)
	if err != nil {
		return err
	}

	// --- devices
	db := &devBuild{s: s, vm: vm, d: d, name: name, dir: dir, ctrls: map[string]*ctrlInfo{}, pciUnit: map[int32]bool{}, keyInUse: map[int32]bool{}, start: b.start}
	db.base()
	for _, c := range s.Controllers {
		if _, err := db.controller(c); err != nil {
			return err
		}
	}
	for _, ds := range s.Disks {
		if err := db.disk(ds); err != nil {
			return fmt.Errorf("VM %q: %s", s.Name, err)
		}
	}
	db.cdromOn(nil, "")
	nics := 1
	if s.Nics != nil {
		nics = *s.Nics
	}
	for i := 0; i < nics; i++ {
		card := &types.VirtualVmxnet3{}
		db.ethernet("VirtualVmxnet3", &card.VirtualEthernetCard, "")
		db.add(card)
	}
	for i, dv := range s.Devices {
		if err := db.device(dv, i); err != nil {
			return fmt.Errorf("VM %q: %s", s.Name, err)
		}
	}
	vm.Config.Hardware.Device = db.devices
	vm.Config.Hardware.NumCPU = s.NumCPU
	vm.Config.Hardware.NumCoresPerSocket = 1
	vm.Config.Hardware.MemoryMB = s.MemoryMB
	vm.Config.Hardware.VirtualICH7MPresent = boolp(false)
	vm.Config.Hardware.VirtualSMCPresent = boolp(false)

	// Delta disks for the current snapshot chain (flat backings only, not independent ones).
	for _, disk := range db.disks {
		fb, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok || strings.HasPrefix(fb.DiskMode, "independent") {
			continue
		}
		baseName := fb.FileName
		levels := snapDepth
		if s.UnmanagedDelta && levels == 0 {
			levels = 1 // a delta vCenter knows nothing of (left by a failed backup)
		}
		for lvl := 1; lvl <= levels; lvl++ {
			parent := *fb
			child := parent
			child.Parent = &parent
			child.FileName = deltaName(baseName, lvl)
			child.DeltaDiskFormat = "redoLogFormat"
			child.DeltaGrainSize = 0
			child.ContentId = hexBytes(32, fb.Uuid, lvl)
			child.ChangeId = ""
			fb = &child
		}
		disk.Backing = fb
	}

	// --- config
	vm.Config.Name = name
	vm.Config.GuestId = s.GuestID
	vm.Config.GuestFullName = s.GuestFullName
	vm.Config.AlternateGuestName = ""
	vm.Config.Annotation = s.Annotation
	vm.Config.Template = s.Template
	vm.Config.Version = "vmx-19"
	vm.Config.Firmware = "bios"
	if win {
		vm.Config.Firmware = "efi"
	}
	created := b.start.Add(-time.Duration(2000+7*len(s.Name)) * time.Hour)
	vm.Config.CreateDate = &created
	vm.Config.Modified = time.Unix(0, 0).UTC()
	vm.Config.ChangeVersion = created.Format("2006-01-02T15:04:05.000000Z")
	vm.Config.ChangeTrackingEnabled = boolp(true)
	vm.Config.MemoryHotAddEnabled = boolp(false)
	vm.Config.CpuHotAddEnabled = boolp(false)
	vm.Config.CpuHotRemoveEnabled = boolp(false)
	vm.Config.SwapPlacement = "inherit"
	vm.Config.MaxMksConnections = 40
	vm.Config.GuestAutoLockEnabled = boolp(true)
	vm.Config.MemoryReservationLockedToMax = boolp(false)
	vm.Config.NestedHVEnabled = boolp(false)
	vm.Config.VPMCEnabled = boolp(false)
	vm.Config.MessageBusTunnelEnabled = boolp(false)
	vm.Config.VAssertsEnabled = boolp(false)
	vm.Config.DefaultPowerOps = types.VirtualMachineDefaultPowerOpInfo{PowerOffType: "soft", SuspendType: "hard", ResetType: "soft", DefaultPowerOffType: "soft", DefaultSuspendType: "hard", DefaultResetType: "soft", StandbyAction: "checkpoint"}

	diskUUID := defaultDiskUUID(s)
	f := FlagsSpec{}
	if s.Flags != nil {
		f = *s.Flags
	}
	vm.Config.Flags = types.VirtualMachineFlagInfo{
		DisableAcceleration: boolp(false), EnableLogging: boolp(true), UseToe: boolp(false), RunWithDebugInfo: boolp(false),
		MonitorType: "release", HtSharing: "any",
		SnapshotDisabled: orDefault(f.SnapshotDisabled, false), SnapshotLocked: orDefault(f.SnapshotLocked, false),
		DiskUuidEnabled: boolp(diskUUID), VirtualMmuUsage: "automatic", VirtualExecUsage: "hvAuto",
		SnapshotPowerOffBehavior: "powerOff", RecordReplayEnabled: boolp(false), CbrcCacheEnabled: boolp(false),
		VvtdEnabled: boolp(false), VbsEnabled: boolp(false),
	}

	toolsNum := int32(0)
	fmt.Sscanf(t.Version, "%d", &toolsNum)
	vm.Config.Tools = &types.ToolsConfigInfo{ToolsVersion: toolsNum, ToolsInstallType: t.InstallType, AfterPowerOn: boolp(true), AfterResume: boolp(true),
		BeforeGuestStandby: boolp(true), BeforeGuestShutdown: boolp(true), BeforeGuestReboot: nil, ToolsUpgradePolicy: "manual",
		SyncTimeWithHostAllowed: boolp(true), SyncTimeWithHost: boolp(false)}
	vm.Config.ExtraConfig = extraConfig(s, name, diskUUID, db)
	if noExtraConfig {
		vm.Config.ExtraConfig = nil
	}

	vm.Config.FtInfo = nil
	if s.FaultTolerance != "notConfigured" {
		b.ftSec++
		vm.Config.FtInfo = &types.FaultTolerancePrimaryConfigInfo{
			FaultToleranceConfigInfo: types.FaultToleranceConfigInfo{Role: 1,
				InstanceUuids: []string{vm.Config.InstanceUuid, hashUUID("", name, "ft-secondary")},
				ConfigPaths:   []string{vmx, strings.Replace(vmx, "] "+name+"/", "] "+name+"_1/", 1)},
				Orphaned:      boolp(false)},
			Secondaries: []types.ManagedObjectReference{{Type: "VirtualMachine", Value: fmt.Sprintf("vm-ft-secondary-%d", b.ftSec)}},
		}
		vm.Config.Flags.FaultToleranceType = "ftTypeSMP"
	}

	// --- capability
	cp := CapabilitySpec{}
	if s.Capability != nil {
		cp = *s.Capability
	}
	t1 := boolp(true)
	vm.Capability = types.VirtualMachineCapability{
		SnapshotOperationsSupported: *orDefault(cp.SnapshotOperationsSupported, true),
		MultipleSnapshotsSupported:  *orDefault(cp.MultipleSnapshotsSupported, true),
		SnapshotConfigSupported:     true, PoweredOffSnapshotsSupported: true, MemorySnapshotsSupported: true, RevertToSnapshotSupported: true,
		QuiescedSnapshotsSupported: *orDefault(cp.QuiescedSnapshotsSupported, true),
		DisableSnapshotsSupported:  false, LockSnapshotsSupported: false, ConsolePreferencesSupported: false,
		CpuFeatureMaskSupported: true, S1AcpiManagementSupported: true, SettingScreenResolutionSupported: true, ToolsAutoUpdateSupported: false,
		VmNpivWwnSupported: true, NpivWwnOnNonRdmVmSupported: true, VmNpivWwnDisableSupported: t1, VmNpivWwnUpdateSupported: t1,
		SwapPlacementSupported: true, ToolsSyncTimeSupported: true, VirtualMmuUsageSupported: true, DiskSharesSupported: true,
		BootOptionsSupported: true, BootRetryOptionsSupported: t1, SettingVideoRamSizeSupported: true, SettingDisplayTopologySupported: t1,
		RecordReplaySupported: boolp(false), ChangeTrackingSupported: t1, MultipleCoresPerSocketSupported: t1, HostBasedReplicationSupported: t1,
		GuestAutoLockSupported: t1, MemoryReservationLockSupported: t1, FeatureRequirementSupported: t1, PoweredOnMonitorTypeChangeSupported: t1,
		SeSparseDiskSupported: t1, NestedHVSupported: t1, VPMCSupported: t1, SecureBootSupported: t1, PerVmEvcSupported: t1,
		VirtualMmuUsageIgnored: t1, VirtualExecUsageIgnored: t1, DiskOnlySnapshotOnSuspendedVMSupported: t1, ToolsSyncTimeAllowSupported: t1,
		SevSupported: boolp(false),
	}

	// --- disabled methods (realistic per power state) + the scenario's
	vm.DisabledMethod = append(defaultDisabledMethods(s), s.DisabledMethods...)

	// --- guest
	vs1 := toolsVersionStatus1(t.VersionStatus2)
	g := &types.GuestInfo{
		ToolsStatus:          toolsStatus(t.VersionStatus2, t.RunningStatus),
		ToolsVersionStatus:   vs1,
		ToolsVersionStatus2:  t.VersionStatus2,
		ToolsRunningStatus:   t.RunningStatus,
		ToolsVersion:         t.Version,
		ToolsInstallType:     t.InstallType,
		GuestState:           "notRunning",
		AppHeartbeatStatus:   "appStatusGray",
		GuestKernelCrashed:   boolp(false),
		AppState:             "none",
		GuestOperationsReady: boolp(false), InteractiveGuestOperationsReady: boolp(false),
		GuestStateChangeSupported: boolp(running),
		HwVersion:                 "vmx-19",
	}
	if t.VersionStatus2 != "guestToolsNotInstalled" || s.GuestFamily != "" {
		g.GuestId, g.GuestFamily, g.GuestFullName = s.GuestID, s.GuestFamily, s.GuestFullName
	}
	ip := ""
	if running {
		g.GuestState = "running"
		g.GuestOperationsReady = boolp(true)
		if s.Guest != nil && s.Guest.OperationsReady != nil {
			g.GuestOperationsReady = boolp(*s.Guest.OperationsReady)
		}
		g.InteractiveGuestOperationsReady = boolp(false)
		g.HostName = s.HostName
		ip = s.IPAddress
		if ip == "" {
			h := sha1.Sum([]byte(name))
			ip = fmt.Sprintf("10.%d.%d.%d", 10+h[0]%20, h[1], 1+h[2]%250)
		}
		g.IpAddress = ip
		for i, k := range db.nicKeys {
			nic := types.GuestNicInfo{Network: d.netName, MacAddress: db.macs[i], Connected: true, DeviceConfigId: k}
			if i == 0 {
				nic.IpAddress = []string{ip, linkLocal(db.macs[i])}
			}
			g.Net = append(g.Net, nic)
		}
		g.Screen = &types.GuestScreenInfo{Width: 1024, Height: 768}
	}
	for i, gd := range s.GuestDisks {
		info := types.GuestDiskInfo{DiskPath: gd.Path, Capacity: int64(gd.CapacityGB * (1 << 30)), FreeSpace: int64(gd.FreeGB * (1 << 30)), FilesystemType: gd.FsType}
		if info.FilesystemType == "" {
			info.FilesystemType = "ext4"
			if win {
				info.FilesystemType = "NTFS"
			}
		}
		if len(db.disks) > 0 && !readOnlyFs(info.FilesystemType) {
			info.Mappings = []types.GuestInfoVirtualDiskMapping{{Key: db.disks[i%len(db.disks)].Key}}
		}
		g.Disk = append(g.Disk, info)
	}
	vm.Guest = g
	vm.GuestHeartbeatStatus = types.ManagedEntityStatusGray
	if running {
		vm.GuestHeartbeatStatus = types.ManagedEntityStatusGreen
	}

	// --- network, datastore
	vm.Network = []types.ManagedObjectReference{d.net}
	if s.Template {
		vm.ResourcePool = nil
		pool := simulator.Map.Get(d.pool)
		if rp, ok := pool.(*simulator.ResourcePool); ok {
			simulator.RemoveReference(&rp.Vm, vm.Self)
		}
	}

	// --- files / layout
	b.layout(vm, db, snapDepth, snapLayouts)

	// --- summary
	vm.Summary.Vm = &vm.Self
	vm.Summary.Runtime = vm.Runtime
	vm.Summary.Guest = &types.VirtualMachineGuestSummary{GuestId: g.GuestId, GuestFullName: g.GuestFullName, ToolsStatus: g.ToolsStatus,
		ToolsVersionStatus: vs1, ToolsVersionStatus2: t.VersionStatus2, ToolsRunningStatus: t.RunningStatus, HostName: g.HostName, IpAddress: ip, HwVersion: "vmx-19"}
	vm.Summary.Config = types.VirtualMachineConfigSummary{Name: name, Template: s.Template, VmPathName: vmx, MemorySizeMB: s.MemoryMB, NumCpu: s.NumCPU,
		NumEthernetCards: db.nics, NumVirtualDisks: int32(len(db.disks)), Uuid: vm.Config.Uuid, InstanceUuid: vm.Config.InstanceUuid,
		GuestId: s.GuestID, GuestFullName: s.GuestFullName, Annotation: s.Annotation, InstallBootRequired: boolp(false),
		FtInfo: vm.Config.FtInfo, TpmPresent: boolp(false), HwVersion: "vmx-19"}
	vm.Summary.QuickStats = types.VirtualMachineQuickStats{GuestHeartbeatStatus: vm.GuestHeartbeatStatus}
	if on {
		vm.Summary.QuickStats.OverallCpuUsage = 120
		vm.Summary.QuickStats.GuestMemoryUsage = s.MemoryMB / 5
		vm.Summary.QuickStats.HostMemoryUsage = s.MemoryMB / 2
		vm.Summary.QuickStats.UptimeSeconds = int32(b.start.Sub(*vm.Runtime.BootTime).Seconds())
	}
	vm.Summary.OverallStatus = types.ManagedEntityStatusGreen
	if s.ConnectionState != "connected" {
		vm.Summary.OverallStatus = types.ManagedEntityStatusGray
	} else if s.ConsolidationNeeded {
		vm.Summary.OverallStatus = types.ManagedEntityStatusYellow
	}
	vm.OverallStatus = vm.Summary.OverallStatus
	return nil
}

func readOnlyFs(fs string) bool {
	switch strings.ToLower(fs) {
	case "iso9660", "squashfs", "udf", "cdfs":
		return true
	}
	return false
}

func deltaName(base string, lvl int) string {
	// "[ds] dir/name.vmdk" -> "[ds] dir/name-000001.vmdk"
	return strings.TrimSuffix(base, ".vmdk") + fmt.Sprintf("-%06d.vmdk", lvl)
}

func defaultDiskUUID(s *VMSpec) bool {
	if s.Flags != nil && s.Flags.DiskUUIDEnabled != nil {
		return *s.Flags.DiskUUIDEnabled
	}
	for k, v := range s.ExtraConfig {
		if strings.EqualFold(k, "disk.EnableUUID") {
			return strings.EqualFold(v, "TRUE")
		}
	}
	return s.isWindows()
}

func toolsVersionStatus1(v2 string) string {
	switch v2 {
	case "guestToolsNotInstalled":
		return "guestToolsNotInstalled"
	case "guestToolsUnmanaged":
		return "guestToolsUnmanaged"
	case "guestToolsCurrent", "guestToolsSupportedNew", "guestToolsTooNew":
		return "guestToolsCurrent"
	}
	return "guestToolsNeedUpgrade"
}

func toolsStatus(v2, running string) types.VirtualMachineToolsStatus {
	switch {
	case v2 == "guestToolsNotInstalled":
		return types.VirtualMachineToolsStatusToolsNotInstalled
	case running == "guestToolsNotRunning":
		return types.VirtualMachineToolsStatusToolsNotRunning
	case toolsVersionStatus1(v2) == "guestToolsNeedUpgrade":
		return types.VirtualMachineToolsStatusToolsOld
	}
	return types.VirtualMachineToolsStatusToolsOk
}

func defaultDisabledMethods(s *VMSpec) []string {
	if s.Template {
		return []string{"MakePrimaryVM_Task", "TerminateFaultTolerantVM_Task", "PowerOnVM_Task", "PowerOffVM_Task", "ResetVM_Task", "SuspendVM_Task",
			"CreateSnapshot_Task", "RevertToCurrentSnapshot_Task", "RemoveAllSnapshots_Task", "ConsolidateVMDisks_Task", "EstimateStorageForConsolidateSnapshots_Task",
			"MarkAsTemplate", "UpgradeTools_Task", "StartRecording_Task", "StopRecording_Task", "StartReplaying_Task", "StopReplaying_Task",
			"TurnOffFaultToleranceForVM_Task", "MakePrimaryVM_Task", "CreateSecondaryVM_Task", "CreateSecondaryVMEx_Task", "UnmountToolsInstaller", "AnswerVM"}
	}
	m := []string{"MakePrimaryVM_Task", "TerminateFaultTolerantVM_Task", "StartRecording_Task", "StopRecording_Task", "StartReplaying_Task", "StopReplaying_Task",
		"TurnOffFaultToleranceForVM_Task", "DisableSecondaryVM_Task", "EnableSecondaryVM_Task"}
	switch s.PowerState {
	case "poweredOn":
		m = append(m, "PowerOnVM_Task", "MarkAsTemplate", "MarkAsVirtualMachine", "ResetGuestInformation")
		if !s.ConsolidationNeeded {
			m = append(m, "ConsolidateVMDisks_Task")
		}
		if s.Tools == nil || !s.Tools.InstallerMounted {
			m = append(m, "UnmountToolsInstaller")
		} else {
			m = append(m, "MountToolsInstaller", "UpgradeTools_Task")
		}
	default:
		m = append(m, "PowerOffVM_Task", "ResetVM_Task", "SuspendVM_Task", "ShutdownGuest", "RebootGuest", "StandbyGuest", "UnmountToolsInstaller",
			"MountToolsInstaller", "UpgradeTools_Task", "MarkAsVirtualMachine")
		if !s.ConsolidationNeeded {
			m = append(m, "ConsolidateVMDisks_Task")
		}
	}
	if len(s.Snapshots) == 0 {
		m = append(m, "RevertToCurrentSnapshot_Task", "RemoveAllSnapshots_Task")
	}
	return m
}

// extraConfig builds a realistic extraConfig: the keys a real VMX carries,
// then the scenario's keys (replacing or appending).
func extraConfig(s *VMSpec, name string, diskUUID bool, db *devBuild) []types.BaseOptionValue {
	type kv struct{ k, v string }
	t := s.Tools
	uuid := db.vm.Config.Uuid
	list := []kv{
		{"nvram", name + ".nvram"},
		{"svga.present", "TRUE"},
		{"pciBridge0.present", "TRUE"},
		{"pciBridge4.present", "TRUE"},
		{"pciBridge4.virtualDev", "pcieRootPort"},
		{"pciBridge4.functions", "8"},
		{"pciBridge5.present", "TRUE"},
		{"pciBridge5.virtualDev", "pcieRootPort"},
		{"pciBridge5.functions", "8"},
		{"pciBridge6.present", "TRUE"},
		{"pciBridge6.virtualDev", "pcieRootPort"},
		{"pciBridge6.functions", "8"},
		{"pciBridge7.present", "TRUE"},
		{"pciBridge7.virtualDev", "pcieRootPort"},
		{"pciBridge7.functions", "8"},
		{"hpet0.present", "TRUE"},
		{"RemoteDisplay.maxConnections", "-1"},
		{"sched.cpu.latencySensitivity", "normal"},
		{"tools.guest.desktop.autolock", "TRUE"},
		{"numa.autosize.cookie", fmt.Sprintf("%d0001", s.NumCPU)},
		{"numa.autosize.vcpu.maxPerVirtualNode", fmt.Sprint(s.NumCPU)},
		{"cpuid.coresPerSocket", "1"},
		{"sched.swap.derivedName", fmt.Sprintf("/vmfs/volumes/%s/%s/%s-%s.vswp", hexBytes(8, "ds")+"-"+hexBytes(8, "ds2"), name, name, hexBytes(8, uuid, "swap"))},
		{"migrate.hostLogState", "none"},
		{"migrate.migrationId", "0"},
		{"migrate.hostLog", fmt.Sprintf("%s-%s.hlog", name, hexBytes(8, uuid, "hlog"))},
		{"vmware.tools.internalversion", t.Version},
		{"vmware.tools.requiredversion", "12352"},
		{"monitor.phys_bits_used", "45"},
		{"softPowerOff", "FALSE"},
		{"toolsInstallManager.updateCounter", "3"},
		{"viv.moid", fmt.Sprintf("%s:%s:%s", hashUUID("", "vc"), db.vm.Self.Value, hexBytes(40, uuid, "viv"))},
		{"vmware.tools.gapVersion", "0"},
		{"vmotion.checkpointFBSize", "4194304"},
		{"vmotion.checkpointSVGAPrimarySize", "4194304"},
		{"vmotion.svga.mobMaxSize", "4194304"},
		{"vmotion.svga.graphicsMemoryKB", "262144"},
	}
	for _, c := range db.order {
		if c.class() == "scsi" {
			list = append(list, kv{fmt.Sprintf("scsi%d.pciSlotNumber", c.spec.BusNumber), fmt.Sprint(160 + 32*c.spec.BusNumber)},
				kv{fmt.Sprintf("scsi%d.sasWWID", c.spec.BusNumber), "50 05 05 6" + hexBytes(1, uuid) + " " + hexBytes(2, uuid, 1) + " " + hexBytes(2, uuid, 2) + " 4" + hexBytes(1, uuid, 3) + " 50"})
		}
	}
	for _, disk := range db.disks {
		ci := db.ctrlFor(disk.ControllerKey)
		if ci != nil {
			list = append(list, kv{fmt.Sprintf("%s%d:%d.redo", ci.class(), ci.spec.BusNumber, *disk.UnitNumber), ""})
		}
	}
	for i := range db.nicKeys {
		list = append(list, kv{fmt.Sprintf("ethernet%d.pciSlotNumber", i), fmt.Sprint(192 + 32*i)})
	}
	list = append(list, kv{"vmci0.pciSlotNumber", "32"})
	if t.VersionStatus2 != "guestToolsNotInstalled" {
		vs := toolsVersionString(t.Version)
		list = append(list,
			kv{"guestinfo.vmtools.buildNumber", "21581411"},
			kv{"guestinfo.vmtools.description", "open-vm-tools " + vs + " build 21581411"},
			kv{"guestinfo.vmtools.versionNumber", t.Version},
			kv{"guestinfo.vmtools.versionString", vs},
			kv{"guestinfo.driver.vsock.version", "9.8.19.0"},
			kv{"guestinfo.appInfo", `{"version":"1", "updateCounter":"1", "publishTime":"` + db.start.Format("2006-01-02T15:04:05.000Z") + `", "applications":[]}`},
		)
		if s.isWindows() {
			list[len(list)-5].v = "VMware Tools " + vs + " build 21581411"
			list = append(list, kv{"guestinfo.driver.vmxnet3.version", "1.9.13.0"}, kv{"guestinfo.driver.pvscsi.version", "1.3.26.0"},
				kv{"guestinfo.vss.version", vs})
		}
		list = append(list, kv{"guestOS.detailed.data", guestDetailed(s)})
	}
	if diskUUID {
		list = append(list, kv{"disk.EnableUUID", "TRUE"})
	}
	// the scenario's keys, deterministic order
	keys := make([]string, 0, len(s.ExtraConfig))
	for k := range s.ExtraConfig {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// by lower-cased key: -realistic VMs carry hundreds of keys
	at := make(map[string][]int, len(list))
	for i := range list {
		lk := strings.ToLower(list[i].k)
		at[lk] = append(at[lk], i)
	}
	for _, k := range keys {
		if idx, found := at[strings.ToLower(k)]; found {
			for _, i := range idx {
				list[i] = kv{k, s.ExtraConfig[k]}
			}
		} else {
			list = append(list, kv{k, s.ExtraConfig[k]})
		}
	}
	if s.extraTarget > len(list) {
		for _, f := range realisticFill(s, s.extraTarget-len(list)) {
			list = append(list, kv{f[0], f[1]})
		}
	}
	out := make([]types.BaseOptionValue, 0, len(list))
	for _, x := range list {
		out = append(out, &types.OptionValue{Key: x.k, Value: x.v})
	}
	return out
}

func (db *devBuild) ctrlFor(key int32) *ctrlInfo {
	for _, c := range db.order {
		if c.key == key {
			return c
		}
	}
	return nil
}

func guestDetailed(s *VMSpec) string {
	if s.isWindows() {
		return `architecture='X86' bitness='64' buildNumber='17763' distroName='Windows' distroVersion='10.0' familyName='Windows' kernelVersion='17763.4499' prettyName='Windows Server 2019, 64-bit (Build 17763.4499)'`
	}
	switch {
	case strings.HasPrefix(s.GuestID, "rhel"), strings.HasPrefix(s.GuestID, "centos"):
		return `architecture='X86' bitness='64' distroName='Red Hat Enterprise Linux' distroVersion='8.9' familyName='Linux' kernelVersion='4.18.0-513.5.1.el8_9.x86_64' prettyName='Red Hat Enterprise Linux 8.9 (Ootpa)'`
	case strings.HasPrefix(s.GuestID, "debian"):
		return `architecture='X86' bitness='64' distroName='Debian GNU/Linux' distroVersion='11' familyName='Linux' kernelVersion='5.10.0-26-amd64' prettyName='Debian GNU/Linux 11 (bullseye)'`
	case strings.HasPrefix(s.GuestID, "sles"):
		return `architecture='X86' bitness='64' distroName='SLES' distroVersion='15.5' familyName='Linux' kernelVersion='5.14.21-150500.55.39-default' prettyName='SUSE Linux Enterprise Server 15 SP5'`
	}
	return `architecture='X86' bitness='64' distroName='Ubuntu' distroVersion='22.04' familyName='Linux' kernelVersion='5.15.0-91-generic' prettyName='Ubuntu 22.04.3 LTS'`
}

// ---------------------------------------------------------------------------
// snapshots

type snapLayout struct {
	ref    types.ManagedObjectReference
	depth  int
	memory bool
}

// snapshots creates the scenario's snapshot tree with the simulator's own
// CreateSnapshot_Task, then sets createTime/quiesced/description and
// currentSnapshot. Returns the depth of the current snapshot (number of delta
// levels of the running disks).
func (b *builder) snapshots(vm *simulator.VirtualMachine, s *VMSpec) (int, []snapLayout, error) {
	if len(s.Snapshots) == 0 {
		vm.Snapshot = nil
		vm.RootSnapshot = nil
		return 0, nil, nil
	}
	type cand struct {
		ref   types.ManagedObjectReference
		depth int
		age   float64
		cur   bool
		order int
	}
	var all []cand
	var layouts []snapLayout
	var create func(list []SnapshotSpec, parent *types.ManagedObjectReference, depth int) error
	create = func(list []SnapshotSpec, parent *types.ManagedObjectReference, depth int) error {
		for _, sp := range list {
			if vm.Snapshot != nil {
				vm.Snapshot.CurrentSnapshot = parent
			}
			body := vm.CreateSnapshotTask(&types.CreateSnapshot_Task{This: vm.Self, Name: sp.Name, Description: sp.Description, Memory: sp.Memory, Quiesce: sp.Quiesced})
			tref := body.(*methods.CreateSnapshot_TaskBody).Res.Returnval
			task := simulator.Map.Get(tref).(*simulator.Task)
			if task.Info.Error != nil {
				return fmt.Errorf("snapshot %q: %s", sp.Name, task.Info.Error.LocalizedMessage)
			}
			ref := task.Info.Result.(types.ManagedObjectReference)
			simulator.Map.Remove(tref)
			item := findSnap(vm.Snapshot.RootSnapshotList, ref)
			item.CreateTime = b.start.Add(-time.Duration(sp.AgeHours * float64(time.Hour))).UTC()
			item.Quiesced = sp.Quiesced
			item.Description = sp.Description
			item.State = vm.Runtime.PowerState
			if !sp.Memory && item.State == types.VirtualMachinePowerStatePoweredOn {
				item.State = types.VirtualMachinePowerStatePoweredOff // disk-only snapshot of a running VM
			}
			all = append(all, cand{ref, depth + 1, sp.AgeHours, sp.Current, len(all)})
			layouts = append(layouts, snapLayout{ref, depth + 1, sp.Memory})
			if err := create(sp.Children, &ref, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := create(s.Snapshots, nil, 0); err != nil {
		return 0, nil, err
	}
	// current: the one marked, else the youngest (last in file order on ties)
	best := all[0]
	for _, c := range all[1:] {
		if best.cur {
			break
		}
		if c.cur || c.age <= best.age {
			best = c
		}
	}
	cur := best.ref
	vm.Snapshot.CurrentSnapshot = &cur
	vm.RootSnapshot = nil
	for _, r := range vm.Snapshot.RootSnapshotList {
		vm.RootSnapshot = append(vm.RootSnapshot, r.Snapshot)
	}
	return best.depth, layouts, nil
}

func findSnap(tree []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference) *types.VirtualMachineSnapshotTree {
	for i := range tree {
		if tree[i].Snapshot == ref {
			return &tree[i]
		}
		if x := findSnap(tree[i].ChildSnapshotList, ref); x != nil {
			return x
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// layout, layoutEx, storage

func (b *builder) layout(vm *simulator.VirtualMachine, db *devBuild, depth int, snaps []snapLayout) {
	name := db.name
	dir := db.dir
	ts := b.start
	lx := &types.VirtualMachineFileLayoutEx{Timestamp: ts}
	ly := &types.VirtualMachineFileLayout{}
	var key int32
	var committed, unshared, uncommitted int64
	file := func(n, typ string, size int64) int32 {
		k := key
		key++
		lx.File = append(lx.File, types.VirtualMachineFileLayoutExFileInfo{Key: k, Name: n, Type: typ, Size: size, UniqueSize: size, Accessible: boolp(true)})
		committed += size
		if strings.HasSuffix(n, ".vmdk") {
			unshared += size
		}
		return k
	}
	file(dir+"/"+name+".vmx", "config", 3712)
	file(dir+"/"+name+".nvram", "nvram", 270840)
	file(dir+"/"+name+".vmsd", "snapshotList", int64(len(snaps))*430)
	ly.ConfigFile = []string{name + ".nvram", name + ".vmsd"}
	ly.LogFile = []string{"vmware.log"}
	file(dir+"/vmware.log", "log", 412000)
	if db.s.PowerState == "poweredOn" {
		swap := fmt.Sprintf("%s/%s-%s.vswp", dir, name, hexBytes(8, vm.Config.Uuid, "swap"))
		file(swap, "swap", int64(db.s.MemoryMB)<<20)
		file(fmt.Sprintf("%s/vmx-%s-%s.vswp", dir, name, hexBytes(10, vm.Config.Uuid, "uw")), "uwswap", 85<<20)
		ly.SwapFile = swap
	}
	type chainFile struct{ desc, ext int32 }
	diskChains := map[int32][]chainFile{}
	for _, disk := range db.disks {
		var chain []chainFile
		kb := disk.CapacityInKB
		base := ""
		var baseIsFile bool
		switch bk := disk.Backing.(type) {
		case *types.VirtualDiskFlatVer2BackingInfo:
			// walk to the base
			x := bk
			for x.Parent != nil {
				x = x.Parent
			}
			base, baseIsFile = x.FileName, true
		case types.BaseVirtualDeviceFileBackingInfo:
			base, baseIsFile = bk.GetVirtualDeviceFileBackingInfo().FileName, true
		case *types.VirtualDiskRawDiskVer2BackingInfo:
			base = bk.DescriptorFileName
		case *types.VirtualDiskPartitionedRawDiskVer2BackingInfo:
			base = bk.DescriptorFileName
		}
		extSize := kb * 1024 / 3
		if _, ok := disk.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); ok || !baseIsFile {
			extSize = 0
		}
		d := file(base, "diskDescriptor", 612)
		e := file(strings.TrimSuffix(base, ".vmdk")+"-flat.vmdk", "diskExtent", extSize)
		if _, ok := disk.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); ok {
			lx.File[len(lx.File)-1].Name = strings.TrimSuffix(base, ".vmdk") + "-rdm.vmdk"
			if bk := disk.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); bk.CompatibilityMode == "physicalMode" {
				lx.File[len(lx.File)-1].Name = strings.TrimSuffix(base, ".vmdk") + "-rdmp.vmdk"
			}
		}
		uncommitted += kb*1024 - extSize
		chain = append(chain, chainFile{d, e})
		if _, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok && depth > 0 {
			for lvl := 1; lvl <= depth; lvl++ {
				dn := deltaName(base, lvl)
				dd := file(dn, "diskDescriptor", 412)
				de := file(strings.TrimSuffix(dn, ".vmdk")+"-delta.vmdk", "diskExtent", 16<<20)
				chain = append(chain, chainFile{dd, de})
			}
		}
		diskChains[disk.Key] = chain
		var units []types.VirtualMachineFileLayoutExDiskUnit
		var names []string
		for _, c := range chain {
			units = append(units, types.VirtualMachineFileLayoutExDiskUnit{FileKey: []int32{c.desc, c.ext}})
			names = append(names, lx.File[c.desc].Name)
		}
		lx.Disk = append(lx.Disk, types.VirtualMachineFileLayoutExDiskLayout{Key: disk.Key, Chain: units})
		ly.Disk = append(ly.Disk, types.VirtualMachineFileLayoutDiskLayout{Key: disk.Key, DiskFile: names})
	}
	for i, sn := range snaps {
		dk := file(fmt.Sprintf("%s/%s-Snapshot%d.vmsn", dir, name, i+1), "snapshotData", 31337)
		mk := int32(-1)
		if sn.memory {
			mk = file(fmt.Sprintf("%s/%s-Snapshot%d.vmem", dir, name, i+1), "snapshotMemory", int64(db.s.MemoryMB)<<20)
		}
		sl := types.VirtualMachineFileLayoutExSnapshotLayout{Key: sn.ref, DataKey: dk, MemoryKey: mk}
		var files []string
		files = append(files, lx.File[dk].Name)
		for _, disk := range db.disks {
			chain := diskChains[disk.Key]
			n := sn.depth // a snapshot at depth k saw base + (k-1) deltas
			if n > len(chain) {
				n = len(chain)
			}
			if _, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); !ok {
				n = 1
			}
			var units []types.VirtualMachineFileLayoutExDiskUnit
			for _, c := range chain[:n] {
				units = append(units, types.VirtualMachineFileLayoutExDiskUnit{FileKey: []int32{c.desc, c.ext}})
				files = append(files, lx.File[c.desc].Name)
			}
			sl.Disk = append(sl.Disk, types.VirtualMachineFileLayoutExDiskLayout{Key: disk.Key, Chain: units})
		}
		lx.Snapshot = append(lx.Snapshot, sl)
		ly.Snapshot = append(ly.Snapshot, types.VirtualMachineFileLayoutSnapshotLayout{Key: sn.ref, SnapshotFile: files})
	}
	vm.LayoutEx = lx
	vm.Layout = ly
	vm.Datastore = []types.ManagedObjectReference{db.d.ds}
	vm.Storage = &types.VirtualMachineStorageInfo{Timestamp: ts, PerDatastoreUsage: []types.VirtualMachineUsageOnDatastore{{Datastore: db.d.ds, Committed: committed, Uncommitted: uncommitted, Unshared: unshared}}}
	vm.Summary.Storage = &types.VirtualMachineStorageSummary{Committed: committed, Uncommitted: uncommitted, Unshared: unshared, Timestamp: ts}
}
