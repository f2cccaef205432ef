// Keyed property paths: config.extraConfig["disk.EnableUUID"].
//
// vCenter answers a keyed path with one DynamicProperty named exactly as
// asked whose val is the matching OptionValue {key, value}: OpenStack nova
// reads it that way (nova/virt/vmwareapi/vmops.py,
// _get_valid_vms_from_retrieve_result: prop.name ==
// 'config.extraConfig["nvp.vm-uuid"]', then prop.val.value), and its fake
// vCenter (nova/tests/unit/virt/vmwareapi/fake.py) stores an OptionValue
// under that name. A VM without the key gets the path in its missingSet
// (InvalidProperty). The stock simulator does not understand keyed paths
// at all and lists them in every VM's missingSet: -keyed-paths=missingset
// keeps that, -keyed-paths=fault refuses the whole request instead, as an
// older or stricter server might.

package main

import (
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// -keyed-paths: vcenter | missingset | fault
var keyedMode = "vcenter"

const extraConfigPath = "config.extraConfig"

// keyedKey returns the key of `config.extraConfig["KEY"]`.
func keyedKey(p string) (string, bool) {
	if !strings.HasPrefix(p, extraConfigPath+`["`) || !strings.HasSuffix(p, `"]`) {
		return "", false
	}
	k := p[len(extraConfigPath)+2 : len(p)-2]
	if k == "" || strings.Contains(k, `"`) {
		return "", false
	}
	return k, true
}

// keyedSpecs splits the keyed paths off the VM property specs. It returns
// the specs for the stock collector (a copy without keyed paths), the keyed
// paths asked, and a fault when -keyed-paths=fault refuses them.
func keyedSpecs(specs []types.PropertyFilterSpec) ([]types.PropertyFilterSpec, []string, *types.InvalidProperty) {
	if keyedMode == "missingset" {
		return specs, nil, nil // the stock simulator's own answer
	}
	var keyed []string
	out := make([]types.PropertyFilterSpec, len(specs))
	for i, s := range specs {
		out[i] = s
		out[i].PropSet = make([]types.PropertySpec, len(s.PropSet))
		for j, ps := range s.PropSet {
			out[i].PropSet[j] = ps
			out[i].PropSet[j].PathSet = nil
			for _, p := range ps.PathSet {
				if _, ok := keyedKey(p); ok && ps.Type == "VirtualMachine" {
					if keyedMode == "fault" {
						return nil, nil, &types.InvalidProperty{Name: p}
					}
					keyed = append(keyed, p)
					continue
				}
				out[i].PropSet[j].PathSet = append(out[i].PropSet[j].PathSet, p)
			}
		}
	}
	if len(keyed) == 0 {
		return specs, nil, nil
	}
	return out, keyed, nil
}

// addKeyed answers the keyed paths for each VM: the OptionValue whose key
// matches exactly, or a missingSet entry (InvalidProperty) when it has none.
func addKeyed(objects []types.ObjectContent, keyed []string) {
	if len(keyed) == 0 {
		return
	}
	for i := range objects {
		o := &objects[i]
		if o.Obj.Type != "VirtualMachine" {
			continue
		}
		vm, ok := simulator.Map.Get(o.Obj).(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		var ec []types.BaseOptionValue
		if vm.Config != nil {
			ec = vm.Config.ExtraConfig
		}
		for _, p := range keyed {
			k, _ := keyedKey(p)
			var hit *types.OptionValue
			for _, b := range ec {
				if ov := b.GetOptionValue(); ov != nil && ov.Key == k {
					hit = ov
					break
				}
			}
			if hit != nil {
				o.PropSet = append(o.PropSet, types.DynamicProperty{Name: p,
					Val: types.OptionValue{Key: hit.Key, Value: hit.Value}})
			} else {
				o.MissingSet = append(o.MissingSet, types.MissingProperty{Path: p,
					Fault: types.LocalizedMethodFault{Fault: &types.InvalidProperty{Name: p}}})
			}
		}
	}
}
