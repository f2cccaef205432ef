// Deterministic generator of realistic VM shapes (-vms N).

package main

import (
	"fmt"
	"math/rand"
	"sort"
)

var linuxIDs = []string{"ubuntu64Guest", "rhel8_64Guest", "rhel7_64Guest", "centos7_64Guest", "sles15_64Guest", "debian10_64Guest", "debian11_64Guest", "otherLinux64Guest", "other4xLinux64Guest"}
var windowsIDs = []string{"windows2019srv_64Guest", "windows9Server64Guest", "windows8Server64Guest", "windows9_64Guest"}

// Generate returns n VM specs named vm-00001..; the same seed gives the same VMs.
func Generate(n int, seed int64) []VMSpec {
	rng := rand.New(rand.NewSource(seed))
	p := func(percent float64) bool { return rng.Float64()*100 < percent }
	pick := func(l []string) string { return l[rng.Intn(len(l))] }
	out := make([]VMSpec, 0, n)
	for i := 1; i <= n; i++ {
		s := VMSpec{Name: fmt.Sprintf("vm-%05d", i)}
		win := p(30)
		if win {
			s.GuestID = pick(windowsIDs)
		} else {
			s.GuestID = pick(linuxIDs)
		}
		// folders: a few spread over a small tree
		switch rng.Intn(10) {
		case 0, 1:
			s.Folder = "gen/prod"
		case 2:
			s.Folder = "gen/test"
		case 3:
			s.Folder = fmt.Sprintf("gen/team-%d", rng.Intn(5))
		}
		switch {
		case p(2):
			s.Template = true
		case p(10):
			s.PowerState = "poweredOff"
		case p(2):
			s.PowerState = "suspended"
		default:
			s.PowerState = "poweredOn"
		}
		if p(0.3) {
			s.ConnectionState = pick([]string{"disconnected", "orphaned", "inaccessible"})
		}
		s.NumCPU = int32(1 << rng.Intn(4))
		s.MemoryMB = int32(1024 << rng.Intn(5))

		// Tools: mostly healthy, a few problems
		t := &ToolsSpec{}
		switch {
		case p(2):
			t.VersionStatus2 = "guestToolsNotInstalled"
		case !win && p(25):
			t.VersionStatus2 = "guestToolsUnmanaged"
		case p(5):
			t.VersionStatus2 = "guestToolsSupportedOld"
		case p(1):
			t.VersionStatus2 = "guestToolsTooOld"
		case p(1):
			t.VersionStatus2 = "guestToolsSupportedNew"
		default:
			t.VersionStatus2 = "guestToolsCurrent"
		}
		if s.PowerState == "poweredOn" && t.VersionStatus2 != "guestToolsNotInstalled" && p(3) {
			t.RunningStatus = "guestToolsNotRunning"
		}
		if s.PowerState == "poweredOn" && p(0.5) {
			t.InstallerMounted = true
		}
		s.Tools = t

		// controllers and disks
		scsiType := "pvscsi"
		if win {
			scsiType = "lsilogic-sas"
		} else if p(20) {
			scsiType = "lsilogic"
		}
		s.Controllers = []ControllerSpec{{Name: "scsi0", Type: scsiType, BusNumber: 0}}
		if p(15) {
			sc := ControllerSpec{Name: "scsi1", Type: scsiType, BusNumber: 1}
			if p(5) {
				sc.SharedBus = pick([]string{"physicalSharing", "virtualSharing"})
			}
			s.Controllers = append(s.Controllers, sc)
		}
		if p(3) {
			s.Controllers = append(s.Controllers, ControllerSpec{Name: "nvme0", Type: "nvme", BusNumber: 0})
		}
		nd := 2 + rng.Intn(5)
		for d := 0; d < nd; d++ {
			ds := DiskSpec{CapacityGB: float64([]int{16, 20, 40, 60, 100, 200, 500, 1024}[rng.Intn(8)])}
			if d == 0 {
				ds.CapacityGB = 40
				if win {
					ds.CapacityGB = 80
				}
			}
			ds.Controller = s.Controllers[rng.Intn(len(s.Controllers))].Name
			thin := p(60)
			ds.Thin = &thin
			switch {
			case d > 0 && p(1):
				ds.Mode = "independent_persistent"
			case d > 0 && p(0.3):
				ds.Mode = "independent_nonpersistent"
			default:
				ds.Mode = "persistent"
			}
			switch {
			case d > 0 && p(2):
				ds.Backing = "rdm"
				ds.CompatibilityMode = "virtualMode"
				if p(25) {
					ds.CompatibilityMode = "physicalMode"
				}
				ds.Thin = nil
			case d > 0 && p(0.3):
				ds.Backing = "rawdisk"
				ds.Thin = nil
			case p(2):
				ds.Backing = "seSparse"
				ds.Thin = nil
			default:
				ds.Backing = "flat"
				if d > 0 && p(0.3) {
					ds.Sharing = "sharingMultiWriter"
				}
			}
			s.Disks = append(s.Disks, ds)
		}

		// NICs and other devices
		nics := 1 + rng.Intn(3)
		if win && p(30) {
			s.Devices = append(s.Devices, DeviceSpec{Type: "VirtualE1000e"})
			nics--
		}
		s.Nics = &nics
		if p(20) {
			s.Devices = append(s.Devices, DeviceSpec{Type: "VirtualUSBXHCIController"})
		}
		if p(3) {
			s.Devices = append(s.Devices, DeviceSpec{Type: "VirtualFloppy"})
		}
		if p(2) {
			s.Devices = append(s.Devices, DeviceSpec{Type: "VirtualSerialPort"})
		}
		if p(0.5) {
			s.Devices = append(s.Devices, DeviceSpec{Type: "VirtualPCIPassthrough", Vgpu: pick([]string{"", "grid_t4-4q"})})
		}
		if p(0.3) {
			s.Devices = append(s.Devices, DeviceSpec{Type: "VirtualSriovEthernetCard"})
		}

		// extraConfig: the builder adds ~40 standard keys; add guestinfo/app keys to reach 30-80
		s.ExtraConfig = map[string]string{}
		for k, extra := 0, rng.Intn(31); k < extra; k++ {
			s.ExtraConfig[fmt.Sprintf("guestinfo.app.%s.key%02d", pick([]string{"cmdb", "backup", "owner", "monitoring"}), k)] = fmt.Sprintf("value-%d-%d", i, rng.Intn(100000))
		}
		if p(1) {
			s.ExtraConfig["snapshot.quiesce"] = "false"
		}
		if win {
			if p(10) {
				f := false
				s.Flags = &FlagsSpec{DiskUUIDEnabled: &f}
			}
		} else if p(30) {
			tr := true
			s.Flags = &FlagsSpec{DiskUUIDEnabled: &tr}
		}
		if p(0.5) {
			tr := true
			if s.Flags == nil {
				s.Flags = &FlagsSpec{}
			}
			s.Flags.SnapshotDisabled = &tr
		}

		// snapshots on ~10 %
		if p(10) {
			s.Snapshots = genSnapshots(rng, 1+rng.Intn(5))
		}
		if p(0.5) {
			s.ConsolidationNeeded = true
		}
		if p(0.2) && s.PowerState == "poweredOn" {
			s.FaultTolerance = "running"
		}

		// guest volumes (only reported when Tools run)
		ng := 1 + rng.Intn(4)
		for g := 0; g < ng; g++ {
			capGB := float64(10 + rng.Intn(500))
			free := capGB * (0.15 + rng.Float64()*0.8)
			if p(1.5) {
				free = capGB * rng.Float64() * 0.08
			}
			var gd GuestDisk
			if win {
				gd = GuestDisk{Path: fmt.Sprintf(`%c:\`, 'C'+g), FsType: "NTFS"}
			} else {
				gd = GuestDisk{Path: []string{"/", "/var", "/data", "/home"}[g], FsType: pick([]string{"ext4", "xfs"})}
			}
			gd.CapacityGB = round2(capGB)
			gd.FreeGB = round2(free)
			s.GuestDisks = append(s.GuestDisks, gd)
		}
		if !win && p(5) {
			s.GuestDisks = append(s.GuestDisks, GuestDisk{Path: "/media/cdrom", FsType: "iso9660", CapacityGB: 0.9, FreeGB: 0})
		}
		running := s.PowerState == "poweredOn" && t.VersionStatus2 != "guestToolsNotInstalled" && t.RunningStatus != "guestToolsNotRunning"
		if !running {
			s.GuestDisks = nil
			s.NoGuestDisks = true
		}
		if genRealistic {
			realisticShape(&s, seed, i)
		}
		out = append(out, s)
	}
	genHistory(out, seed)
	return out
}

// -realistic (bench/): what VMs of a long-lived estate carry.
var genRealistic, noExtraConfig bool

// blobText backs every guestinfo blob: substrings share it, so 10,000 VMs
// with tens of kilobytes each cost the simulator no memory for them.
var blobText = func() string {
	rng := rand.New(rand.NewSource(42))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = b64[rng.Intn(len(b64))]
	}
	return string(b)
}()

// realisticShape adds, from a random stream of its own (the default shapes
// stay what they were): 150-300 extraConfig keys in all, of which 1-3 are
// 8-32 KB guestinfo.* blobs (OVF environment, cloud-init user data); the
// builder's ~40-60 standard keys vary with the devices, so extraConfig()
// tops up with filler settings to the VM's total (extraTarget). Also 2-4
// NICs and a USB controller (15-25 devices with the builder's standard
// ones and 2-6 disks), and 1-4 snapshots.
func realisticShape(s *VMSpec, seed int64, i int) {
	rng := rand.New(rand.NewSource(seed*104729 + int64(i)))
	blobs := []string{"guestinfo.ovfEnv", "guestinfo.userdata", "guestinfo.metadata", "guestinfo.vendordata"}
	nb := 1 + rng.Intn(3)
	for b := 0; b < nb; b++ {
		n := 8<<10 + rng.Intn(24<<10)
		off := rng.Intn(len(blobText) - n)
		s.ExtraConfig[blobs[b]] = blobText[off : off+n]
	}
	s.extraTarget = 150 + rng.Intn(151)
	s.extraFill = rng.Int63()
	nics := 2 + rng.Intn(3)
	s.Nics = &nics
	s.Devices = append(s.Devices, DeviceSpec{Type: "VirtualUSBXHCIController"})
	// 1-4 snapshots in all (genSnapshots' branches add one each)
	for n := 1 + rng.Intn(4); ; n-- {
		s.Snapshots = genSnapshots(rng, n)
		if countSnaps(s.Snapshots) <= 4 {
			break
		}
	}
}

// realisticFill: the filler settings of a -realistic VM, n of them.
func realisticFill(s *VMSpec, n int) [][2]string {
	rng := rand.New(rand.NewSource(s.extraFill))
	groups := []string{"guestinfo.app.cmdb", "guestinfo.app.owner", "sched.cpu", "sched.mem", "vmx.custom", "ethernet0.extra", "monitoring.agent"}
	out := make([][2]string, 0, n)
	for k := 0; k < n; k++ {
		out = append(out, [2]string{fmt.Sprintf("%s.setting%03d", groups[k%len(groups)], k), fmt.Sprintf("value-%s-%d", s.Name, rng.Intn(1000000))})
	}
	return out
}

func countSnaps(l []SnapshotSpec) int {
	n := 0
	for i := range l {
		n += 1 + countSnaps(l[i].Children)
	}
	return n
}

// genHistory gives ~3 % of the VMs 1-3 createSnapshot tasks of the last two
// weeks (about a third failed), and ~1 % another task, from a random stream
// of its own so that the VM shapes above stay what they were.
func genHistory(vms []VMSpec, seed int64) {
	rng := rand.New(rand.NewSource(seed*7919 + 17))
	users := []string{`VSPHERE.LOCAL\svc-backup`, `VSPHERE.LOCAL\svc-backup`, `VSPHERE.LOCAL\svc-backup`, `VSPHERE.LOCAL\Administrator`}
	faults := []struct{ fault, msg string }{
		{quiesceFault, quiesceMessage},
		{"SnapshotFault", "An error occurred while saving the snapshot: Failed to quiesce the virtual machine."},
		{"ApplicationQuiesceFault", "An error occurred while quiescing the virtual machine. The error cause could not be detected. Using a new snapshot name may fix the issue."},
	}
	for i := range vms {
		if rng.Float64() < 0.03 {
			n := 1 + rng.Intn(3)
			ages := make([]float64, n)
			for k := range ages {
				ages[k] = round2(0.5 + rng.Float64()*14*24)
			}
			sort.Sort(sort.Reverse(sort.Float64Slice(ages))) // oldest first
			for _, age := range ages {
				h := TaskHistorySpec{DescriptionID: "VirtualMachine.createSnapshot", State: "success", AgeHours: age,
					User: users[rng.Intn(len(users))], Seconds: float64(2 + rng.Intn(40))}
				if rng.Float64() < 0.35 {
					f := faults[rng.Intn(len(faults))]
					h.State, h.Fault, h.Message = "error", f.fault, f.msg
				}
				vms[i].TaskHistory = append(vms[i].TaskHistory, h)
			}
		}
		if rng.Float64() < 0.01 {
			h := TaskHistorySpec{DescriptionID: []string{"VirtualMachine.powerOn", "VirtualMachine.reconfigure", "VirtualMachineSnapshot.remove"}[rng.Intn(3)],
				State: "success", AgeHours: round2(0.5 + rng.Float64()*14*24), User: users[rng.Intn(len(users))]}
			if rng.Intn(3) == 0 {
				h.State, h.Fault, h.Message = "error", "GenericVmConfigFault", "Failed to complete the operation: the virtual machine configuration is locked."
			}
			vms[i].TaskHistory = append(vms[i].TaskHistory, h)
		}
	}
}

func round2(f float64) float64 {
	return float64(int64(f*100+0.5)) / 100
}

// genSnapshots makes n snapshots: mostly a chain, sometimes a branch.
func genSnapshots(rng *rand.Rand, n int) []SnapshotSpec {
	ages := make([]float64, n)
	age := float64(1 + rng.Intn(720))
	for i := range ages {
		ages[i] = age
		age = age * rng.Float64()
	}
	var build func(i int) []SnapshotSpec
	build = func(i int) []SnapshotSpec {
		if i >= n {
			return nil
		}
		s := SnapshotSpec{Name: fmt.Sprintf("snap-%d", i+1), AgeHours: round2(ages[i]), Quiesced: rng.Intn(2) == 0,
			Description: "created by backup job"}
		if i+2 < n && rng.Intn(4) == 0 {
			// branch: two children
			a := SnapshotSpec{Name: fmt.Sprintf("snap-%d", i+2), AgeHours: round2(ages[i+1]), Quiesced: true}
			a.Children = build(i + 2)
			b := SnapshotSpec{Name: fmt.Sprintf("snap-%d-alt", i+2), AgeHours: round2(ages[i+1] / 2)}
			s.Children = []SnapshotSpec{a, b}
			return []SnapshotSpec{s}
		}
		s.Children = build(i + 1)
		return []SnapshotSpec{s}
	}
	return build(0)
}
