// SPDX-License-Identifier: GPL-2.0-or-later

// Datastores of the scenario (datastore-low-space): capacity and free space
// are set, never read from the machine's /tmp (the simulator stats its
// directory), so reports do not depend on the host running the tests.

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// DatastoreSpec is one entry of a scenario's "datastores": an existing
// datastore (LocalDS_0) gets the sizes given, any other name is created.
type DatastoreSpec struct {
	Comment    string   `json:"comment,omitempty"`
	Name       string   `json:"name"`
	Datacenter string   `json:"datacenter,omitempty"` // default DC0
	CapacityGB float64  `json:"capacityGB,omitempty"` // default 2048
	FreeGB     *float64 `json:"freeGB,omitempty"`     // default 75% of the capacity
}

const gib = int64(1024 * 1024 * 1024)

// GenerateDatastores gives n more datastores (-datastores N), for paging.
func GenerateDatastores(n int) []DatastoreSpec {
	var out []DatastoreSpec
	for i := 0; i < n; i++ {
		out = append(out, DatastoreSpec{Name: fmt.Sprintf("gen-ds-%04d", i)})
	}
	return out
}

func dsSizes(s *DatastoreSpec) (int64, int64) {
	capGB := s.CapacityGB
	if capGB == 0 {
		capGB = 2048
	}
	free := capGB * 0.75
	if s.FreeGB != nil {
		free = *s.FreeGB
	}
	return int64(capGB * float64(gib)), int64(free * float64(gib))
}

func setSizes(ds *simulator.Datastore, capacity, free int64) {
	ds.Summary.Capacity = capacity
	ds.Summary.FreeSpace = free
	ds.Summary.Accessible = true
	if info := ds.Info.GetDatastoreInfo(); info != nil {
		info.FreeSpace = free
		info.MaxFileSize = free
	}
}

// datastoreByName finds a datastore of the datacenter, or nil.
func datastoreByName(d *dcInfo, name string) *simulator.Datastore {
	sdc := simulator.Map.Get(d.dc.Reference()).(*simulator.Datacenter)
	for _, ref := range sdc.Datastore {
		if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok && ds.Name == name {
			return ds
		}
	}
	return nil
}

// datastores sets every datastore of the datacenters used to the default
// sizes, then applies the scenario's specs (creating datastores it names).
func (b *builder) datastores(specs []DatastoreSpec, vms []VMSpec) error {
	used := map[string]bool{"DC0": true}
	for i := range vms {
		used[vms[i].datacenter()] = true
	}
	for i := range specs {
		if specs[i].Datacenter == "" {
			specs[i].Datacenter = "DC0"
		}
		used[specs[i].Datacenter] = true
	}
	for name := range used {
		d, err := b.datacenter(name)
		if err != nil {
			return err
		}
		sdc := simulator.Map.Get(d.dc.Reference()).(*simulator.Datacenter)
		c, f := dsSizes(&DatastoreSpec{})
		for _, ref := range sdc.Datastore {
			if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok {
				setSizes(ds, c, f)
			}
		}
	}
	var dir string
	for i := range specs {
		s := &specs[i]
		d, _ := b.datacenter(s.Datacenter)
		ds := datastoreByName(d, s.Name)
		if ds == nil {
			if dir == "" {
				var err error
				if dir, err = os.MkdirTemp("", "vcsim-fixture-ds-"); err != nil {
					return err
				}
				b.dirs = append(b.dirs, dir)
			}
			p := filepath.Join(dir, sanitize(s.Datacenter+"-"+s.Name))
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			h := object.NewHostSystem(b.c, d.hosts[0])
			dss, err := h.ConfigManager().DatastoreSystem(b.ctx)
			if err != nil {
				return err
			}
			if _, err := dss.CreateLocalDatastore(b.ctx, s.Name, p); err != nil {
				return fmt.Errorf("datastore %s: %s", s.Name, err)
			}
			if ds = datastoreByName(d, s.Name); ds == nil {
				return fmt.Errorf("datastore %s: not found after creating it", s.Name)
			}
		}
		c, f := dsSizes(s)
		setSizes(ds, c, f)
	}
	return nil
}

// diskDatastore is the datastore a disk spec names ("" = the VM's own).
func diskDatastore(d *dcInfo, name string) (types.ManagedObjectReference, string, error) {
	if name == "" {
		return d.ds, d.dsName, nil
	}
	ds := datastoreByName(d, name)
	if ds == nil {
		return types.ManagedObjectReference{}, "", fmt.Errorf("disk datastore %q: not in the scenario's datastores", name)
	}
	return ds.Self, ds.Name, nil
}
