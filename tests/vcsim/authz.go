// Privileges (-deny-privilege): the simulator grants every privilege to
// everyone. A wrapper embedding simulator.AuthorizationManager by value,
// registered under the AuthorizationManager moref, reports the denied ones
// as not granted, in the simulator's own answer shapes. The snapshot calls
// the fixture hooks (tasks.go) then fail with NoPermission, as on vCenter.

package main

import (
	"fmt"
	"net/http"
	"path"
	"reflect"
	"sort"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// deniedPrivileges is set from the command line (read-only once serving).
var deniedPrivileges = map[string]bool{}

func privilegeDenied(id string) bool { return deniedPrivileges[id] }

type authzManager struct {
	simulator.AuthorizationManager // first field
}

// registerAuthorizationManager replaces the simulator's AuthorizationManager
// and returns the denied privilege ids the simulator's roles do not know.
func registerAuthorizationManager() []string {
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	ref := *si.Content.AuthorizationManager
	old := simulator.Map.Get(ref).(*simulator.AuthorizationManager)
	am := &authzManager{AuthorizationManager: *old} // keeps its roles and permissions
	simulator.Map.Remove(ref)
	simulator.Map.Put(am)

	known := map[string]bool{}
	for _, r := range am.RoleList {
		for _, p := range r.Privilege {
			known[p] = true
		}
	}
	var unknown []string
	for p := range deniedPrivileges {
		if !known[p] {
			unknown = append(unknown, p)
		}
	}
	sort.Strings(unknown)
	return unknown
}

func denyIn(list []types.EntityPrivilege) {
	for i := range list {
		for j := range list[i].PrivAvailability {
			if privilegeDenied(list[i].PrivAvailability[j].PrivId) {
				list[i].PrivAvailability[j].IsGranted = false
			}
		}
	}
}

func (m *authzManager) HasPrivilegeOnEntities(req *types.HasPrivilegeOnEntities) soap.HasFault {
	res := m.AuthorizationManager.HasPrivilegeOnEntities(req)
	if b, ok := res.(*methods.HasPrivilegeOnEntitiesBody); ok && b.Res != nil {
		denyIn(b.Res.Returnval)
	}
	return res
}

func (m *authzManager) HasUserPrivilegeOnEntities(req *types.HasUserPrivilegeOnEntities) soap.HasFault {
	res := m.AuthorizationManager.HasUserPrivilegeOnEntities(req)
	if b, ok := res.(*methods.HasUserPrivilegeOnEntitiesBody); ok && b.Res != nil {
		denyIn(b.Res.Returnval)
	}
	return res
}

// HasPrivilegeOnEntityResponse: vim25's type has `xml:"returnval,omitempty"`
// on a []bool, which makes encoding/xml drop every false item (a denied
// privilege would vanish and shift the others). The simulator names the
// response element after the Go type of the body's Res field, so this type
// keeps the name and loses the omitempty.
type HasPrivilegeOnEntityResponse struct {
	Returnval []bool `xml:"returnval"`
}

type hasPrivilegeOnEntityBody struct {
	Res    *HasPrivilegeOnEntityResponse
	Fault_ *soap.Fault
}

func (b *hasPrivilegeOnEntityBody) Fault() *soap.Fault { return b.Fault_ }

func (m *authzManager) HasPrivilegeOnEntity(req *types.HasPrivilegeOnEntity) soap.HasFault {
	res := m.AuthorizationManager.HasPrivilegeOnEntity(req)
	b, ok := res.(*methods.HasPrivilegeOnEntityBody)
	if !ok || b.Res == nil {
		return res
	}
	out := &hasPrivilegeOnEntityBody{Res: &HasPrivilegeOnEntityResponse{Returnval: b.Res.Returnval}}
	for i, id := range req.PrivId {
		if i < len(out.Res.Returnval) && privilegeDenied(id) {
			out.Res.Returnval[i] = false
		}
	}
	return out
}

func (m *authzManager) FetchUserPrivilegeOnEntities(req *types.FetchUserPrivilegeOnEntities) soap.HasFault {
	res := m.AuthorizationManager.FetchUserPrivilegeOnEntities(req)
	if b, ok := res.(*methods.FetchUserPrivilegeOnEntitiesBody); ok && b.Res != nil && len(deniedPrivileges) > 0 {
		for i := range b.Res.Returnval {
			var keep []string
			for _, p := range b.Res.Returnval[i].Privileges {
				if !privilegeDenied(p) {
					keep = append(keep, p)
				}
			}
			b.Res.Returnval[i].Privileges = keep // a fresh slice: the role's list is shared
		}
	}
	return res
}

func noPermissionFault(obj types.ManagedObjectReference, priv string) *soap.Fault {
	return simulator.Fault("Permission to perform this operation was denied.",
		&types.NoPermission{Object: obj, PrivilegeId: priv})
}

// writeNoPermission answers a hooked call with vCenter's NoPermission fault.
func writeNoPermission(w http.ResponseWriter, obj types.ManagedObjectReference, priv string) {
	writeFault(w, "Permission to perform this operation was denied.", "NoPermission",
		fmt.Sprintf(`<object type="%s">%s</object><privilegeId>%s</privilegeId>`, xmlEsc(obj.Type), xmlEsc(obj.Value), xmlEsc(priv)))
}

// moOf digs the vim25/mo struct out of a registry object (wrappers embed it
// as their first field), as the simulator's property collector does.
func moOf(obj mo.Reference) interface{} {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Ptr || v.IsNil() {
		return nil
	}
	v = v.Elem()
	for path.Base(v.Type().PkgPath()) != "mo" {
		if v.Kind() != reflect.Struct || v.NumField() == 0 {
			return nil
		}
		v = v.Field(0)
	}
	return v.Addr().Interface()
}
