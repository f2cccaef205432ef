// Paging PropertyCollector.
//
// Debian's simulator (govmomi 0.24.2) ignores RetrieveOptions.maxObjects and
// has no ContinueRetrievePropertiesEx. The simulator dispatches a SOAP call by
// looking up the _this moref and calling the method of the same name by
// reflection (per-session copies are made with reflect.New of the registered
// type), so a type that embeds simulator.PropertyCollector by value, registered
// under the ServiceContent's PropertyCollector moref, adds paging without
// patching govmomi.
//
// Pages are collected lazily, as vCenter does: the first call only selects
// the objects (the traversal, no property read) and collects the first page;
// the token keeps a cursor (the objects not served yet and the request), and
// each Continue collects just its page, with the stock collector on an
// explicit ObjectSet. Collecting all objects up front would make a client
// wait for the whole result before its first page.
//
// It also implements the fixture's "nopermission:GLOB" fault (VMs whose name
// matches get a missingSet with NoPermission instead of their propSet) and
// answers NotAuthenticated to a Retrieve* call without a valid session (the
// stock simulator returns a missingSet per property instead, unlike vCenter).

package main

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Paging configuration (global: per-session collectors are created by reflect.New).
var (
	defaultPageSize = 100 // vCenter's page size when maxObjects is unset
	pageMax         = 0   // -page-max: cap on any page (0 = none)
	noPermission    []string
)

// tokenSeq numbers tokens across all sessions. Each session has its own
// collector (and pages), so a token dies with its session, as on vCenter; a
// per-collector count would hand a new session the numbers of the old one,
// and a client still holding an old token would silently get another
// retrieval's page instead of InvalidArgument.
var tokenSeq int64

type pagingPC struct {
	simulator.PropertyCollector // must stay the first field (the simulator digs out the mo type via Field(0))

	mu    sync.Mutex
	pages map[string]*pendingResult
}

// pendingResult is a retrieval's cursor: what is left to collect, and how.
type pendingResult struct {
	refs  []types.ManagedObjectReference // objects not served yet, in order
	req   types.RetrievePropertiesEx     // as asked (keyed paths and all)
	specs []types.PropertyFilterSpec     // for the stock collector (keyed paths split off)
	keyed []string
	size  int
}

func registerPagingCollector() types.ManagedObjectReference {
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	ref := si.Content.PropertyCollector
	simulator.Map.Remove(ref)
	pc := &pagingPC{}
	pc.Self = ref
	simulator.Map.Put(pc)
	return ref
}

func notAuthenticated(this types.ManagedObjectReference) *soap.Fault {
	return simulator.Fault("The session is not authenticated.", &types.NotAuthenticated{
		NoPermission: types.NoPermission{Object: this, PrivilegeId: "System.View"},
	})
}

// sessionless reports whether a Retrieve* call needs no session: vCenter
// answers only ServiceInstance / SessionManager reads before Login.
func sessionless(specs []types.PropertyFilterSpec) bool {
	for _, s := range specs {
		for _, o := range s.ObjectSet {
			switch o.Obj.Type {
			case "ServiceInstance", "SessionManager":
			default:
				return false
			}
		}
	}
	return true
}

func pageSize(opt types.RetrieveOptions) int {
	n := defaultPageSize
	if opt.MaxObjects > 0 {
		n = int(opt.MaxObjects)
	}
	if pageMax > 0 && n > pageMax {
		n = pageMax
	}
	return n
}

func (pc *pagingPC) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	body := &methods.RetrievePropertiesExBody{}
	if ctx.Session == nil && !sessionless(r.SpecSet) {
		body.Fault_ = notAuthenticated(r.This)
		return body
	}
	specs, keyed, refuse := keyedSpecs(r.SpecSet)
	if refuse != nil {
		body.Fault_ = simulator.Fault("Invalid property: "+refuse.Name, refuse)
		return body
	}
	// Select the objects: the stock collector with no property asked
	// returns each matching object once, in order, without reading any.
	sel := *r
	sel.SpecSet = make([]types.PropertyFilterSpec, len(specs))
	for i, s := range specs {
		sel.SpecSet[i] = s
		sel.SpecSet[i].PropSet = make([]types.PropertySpec, len(s.PropSet))
		for j, ps := range s.PropSet {
			sel.SpecSet[i].PropSet[j] = types.PropertySpec{Type: ps.Type}
		}
	}
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, &sel).(*methods.RetrievePropertiesExBody)
	if res.Fault_ != nil {
		return res
	}
	refs := make([]types.ManagedObjectReference, len(res.Res.Returnval.Objects))
	for i, o := range res.Res.Returnval.Objects {
		refs[i] = o.Obj
	}
	p := &pendingResult{refs: refs, req: *r, specs: specs, keyed: keyed, size: pageSize(r.Options)}
	ret, fault := pc.next(ctx, p)
	if fault != nil {
		return fault
	}
	body.Res = &types.RetrievePropertiesExResponse{Returnval: ret}
	return body
}

// next collects the cursor's next page, and keeps the rest under a new token.
func (pc *pagingPC) next(ctx *simulator.Context, p *pendingResult) (*types.RetrieveResult, soap.HasFault) {
	if len(p.refs) == 0 {
		return nil, nil // vCenter sends no returnval for an empty result
	}
	n := p.size
	if n > len(p.refs) {
		n = len(p.refs)
	}
	// the page's objects, each by itself: every PropSet of the request
	// applies to every object (as in the stock collector), the ObjectSet
	// of the first spec names them and no traversal adds any
	page := types.RetrievePropertiesEx{This: p.req.This}
	page.SpecSet = make([]types.PropertyFilterSpec, len(p.specs))
	for i, s := range p.specs {
		page.SpecSet[i] = types.PropertyFilterSpec{PropSet: s.PropSet}
	}
	objs := make([]types.ObjectSpec, n)
	for i, ref := range p.refs[:n] {
		objs[i] = types.ObjectSpec{Obj: ref}
	}
	page.SpecSet[0].ObjectSet = objs
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, &page).(*methods.RetrievePropertiesExBody)
	if res.Fault_ != nil {
		return nil, res
	}
	objects := res.Res.Returnval.Objects
	addKeyed(objects, p.keyed)
	objects = applyNoPermission(objects, p.req.SpecSet)
	rest := &pendingResult{refs: p.refs[n:], req: p.req, specs: p.specs, keyed: p.keyed, size: p.size}
	if len(rest.refs) == 0 {
		return &types.RetrieveResult{Objects: objects}, nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.pages == nil {
		pc.pages = map[string]*pendingResult{}
	}
	token := strconv.FormatInt(atomic.AddInt64(&tokenSeq, 1), 10)
	pc.pages[token] = rest
	return &types.RetrieveResult{Token: token, Objects: objects}, nil
}

func (pc *pagingPC) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	if ctx.Session == nil {
		body.Fault_ = notAuthenticated(r.This)
		return body
	}
	pc.mu.Lock()
	p := pc.pages[r.Token]
	delete(pc.pages, r.Token)
	pc.mu.Unlock()
	if p == nil {
		body.Fault_ = simulator.Fault(fmt.Sprintf("A specified parameter was not correct: token %q", r.Token),
			&types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	ret, fault := pc.next(ctx, p)
	if fault != nil {
		body.Fault_ = fault.Fault()
		return body
	}
	if ret == nil {
		ret = &types.RetrieveResult{}
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: *ret}
	return body
}

func (pc *pagingPC) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	if ctx.Session == nil {
		body.Fault_ = notAuthenticated(r.This)
		return body
	}
	pc.mu.Lock()
	_, ok := pc.pages[r.Token]
	delete(pc.pages, r.Token)
	pc.mu.Unlock()
	if !ok {
		body.Fault_ = simulator.Fault(fmt.Sprintf("A specified parameter was not correct: token %q", r.Token),
			&types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}

// RetrieveProperties (deprecated, unpaged; govmomi's client uses it).
func (pc *pagingPC) RetrieveProperties(ctx *simulator.Context, r *types.RetrieveProperties) soap.HasFault {
	body := &methods.RetrievePropertiesBody{}
	if ctx.Session == nil && !sessionless(r.SpecSet) {
		body.Fault_ = notAuthenticated(r.This)
		return body
	}
	specs, keyed, refuse := keyedSpecs(r.SpecSet)
	if refuse != nil {
		body.Fault_ = simulator.Fault("Invalid property: "+refuse.Name, refuse)
		return body
	}
	stock := *r
	stock.SpecSet = specs
	res := pc.PropertyCollector.RetrieveProperties(ctx, &stock).(*methods.RetrievePropertiesBody)
	if res.Fault_ != nil {
		return res
	}
	addKeyed(res.Res.Returnval, keyed)
	res.Res.Returnval = applyNoPermission(res.Res.Returnval, r.SpecSet)
	return res
}

// applyNoPermission replaces the propSet of VMs matching a nopermission glob
// by one missingSet entry (fault NoPermission) per property.
func applyNoPermission(objects []types.ObjectContent, specs []types.PropertyFilterSpec) []types.ObjectContent {
	if len(noPermission) == 0 {
		return objects
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
		hit := false
		for _, g := range noPermission {
			if matchName(g, vm.Name) {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		var paths []string
		seen := map[string]bool{}
		for _, s := range specs {
			for _, ps := range s.PropSet {
				if ps.Type != "VirtualMachine" && ps.Type != "ManagedEntity" {
					continue
				}
				for _, p := range ps.PathSet {
					if !seen[p] {
						seen[p] = true
						paths = append(paths, p)
					}
				}
			}
		}
		for _, p := range o.PropSet { // All=true, or paths the spec did not list
			if !seen[p.Name] {
				seen[p.Name] = true
				paths = append(paths, p.Name)
			}
		}
		for _, m := range o.MissingSet {
			if !seen[m.Path] {
				seen[m.Path] = true
				paths = append(paths, m.Path)
			}
		}
		o.PropSet = nil
		o.MissingSet = nil
		for _, p := range paths {
			o.MissingSet = append(o.MissingSet, types.MissingProperty{
				Path: p,
				Fault: types.LocalizedMethodFault{
					Fault:            &types.NoPermission{Object: o.Obj, PrivilegeId: "System.View"},
					LocalizedMessage: "Permission to perform this operation was denied.",
				},
			})
		}
	}
	return objects
}
