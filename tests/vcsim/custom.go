// Custom attributes and notes with times relative to the server's start
// (backup-age): "customAttributes" in a scenario, and {{ago H}} in values.

package main

import (
	"bytes"
	"fmt"
	"sort"
	"text/template"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// expandTimes replaces {{ago H}} with the server start minus H hours as
// RFC 3339 UTC, and {{ago H "LAYOUT"}} with a Go time layout (UTC), so a
// scenario's backup times stay fresh or stale whenever the tests run.
func (b *builder) expandTimes(s string) (string, error) {
	if s == "" {
		return s, nil
	}
	funcs := template.FuncMap{"ago": func(hours float64, layout ...string) string {
		t := b.start.Add(-time.Duration(hours * float64(time.Hour))).UTC()
		if len(layout) > 0 {
			return t.Format(layout[0])
		}
		return t.Format(time.RFC3339)
	}}
	tpl, err := template.New("v").Funcs(funcs).Option("missingkey=error").Parse(s)
	if err != nil {
		return "", fmt.Errorf("value %q: %v", s, err)
	}
	var out bytes.Buffer
	if err := tpl.Execute(&out, nil); err != nil {
		return "", fmt.Errorf("value %q: %v", s, err)
	}
	return out.String(), nil
}

// customField returns the key of the VirtualMachine custom attribute name,
// defining it with the CustomFieldsManager the first time.
func (b *builder) customField(name string) (int32, error) {
	ref := b.c.ServiceContent.CustomFieldsManager
	if ref == nil {
		return 0, fmt.Errorf("the simulator has no CustomFieldsManager")
	}
	m, ok := simulator.Map.Get(*ref).(*simulator.CustomFieldsManager)
	if !ok {
		return 0, fmt.Errorf("CustomFieldsManager %s not found", ref.Value)
	}
	for _, f := range m.Field {
		if f.Name == name && (f.ManagedObjectType == "" || f.ManagedObjectType == "VirtualMachine") {
			return f.Key, nil
		}
	}
	body := m.AddCustomFieldDef(&types.AddCustomFieldDef{This: *ref, Name: name, MoType: "VirtualMachine"})
	res := body.(*methods.AddCustomFieldDefBody)
	if res.Res == nil {
		return 0, fmt.Errorf("custom attribute %q: AddCustomFieldDef failed", name)
	}
	return res.Res.Returnval.Key, nil
}

// customAttributes sets the VM's customValue (and the deprecated value) from
// the scenario, in name order so keys do not depend on map order.
func (b *builder) customAttributes(vm *simulator.VirtualMachine, s *VMSpec) error {
	names := make([]string, 0, len(s.CustomAttributes))
	for n := range s.CustomAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		key, err := b.customField(n)
		if err != nil {
			return err
		}
		v, err := b.expandTimes(s.CustomAttributes[n])
		if err != nil {
			return fmt.Errorf("customAttributes %q: %v", n, err)
		}
		val := &types.CustomFieldStringValue{CustomFieldValue: types.CustomFieldValue{Key: key}, Value: v}
		vm.CustomValue = append(vm.CustomValue, val)
		vm.Value = append(vm.Value, val)
	}
	return nil
}
