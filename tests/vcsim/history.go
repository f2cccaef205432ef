// Task history: TaskManager.CreateCollectorForTasks and TaskHistoryCollector,
// which the simulator lacks.
//
// The history holds the scenario's "taskHistory" entries (synthetic Task
// morefs task-hN that no longer exist, as old tasks on vCenter) and every
// CreateSnapshot_Task the server ran once it finished (tasks.go). A wrapper
// embedding simulator.TaskManager by value is registered under the
// TaskManager moref; collectors live in the caller's session (morefs
// "session[<key>]<uuid>", gone at logout, as on vCenter).

package main

import (
	"fmt"
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

var (
	history        = &historyStore{}
	noTaskHistory  bool // -no-task-history: CreateCollectorForTasks is NotSupported
	historyPageMax int  // -history-page-max: cap on ReadNextTasks/ReadPreviousTasks
)

const (
	defaultCollectorPage = 10   // latestPage size of a new collector (vCenter's default)
	maxHistoryRead       = 1000 // ReadNext/PreviousTasks never return more
	recentTaskMax        = 200  // TaskManager.recentTask, as the simulator (and vCenter)
)

type historyStore struct {
	mu      sync.Mutex
	entries []types.TaskInfo // by queueTime, then key
	seq     int
}

func taskBefore(a, b *types.TaskInfo) bool {
	if !a.QueueTime.Equal(b.QueueTime) {
		return a.QueueTime.Before(b.QueueTime)
	}
	return a.Key < b.Key
}

func (h *historyStore) add(info types.TaskInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := sort.Search(len(h.entries), func(i int) bool { return taskBefore(&info, &h.entries[i]) })
	h.entries = append(h.entries, types.TaskInfo{})
	copy(h.entries[i+1:], h.entries[i:])
	h.entries[i] = info
}

func (h *historyStore) match(c *taskHistoryCollector) []types.TaskInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []types.TaskInfo
	for i := range h.entries {
		if c.matches(&h.entries[i]) {
			out = append(out, h.entries[i])
		}
	}
	return out
}

var taskNames = map[string]string{
	"VirtualMachine.createSnapshot":     "CreateSnapshot_Task",
	"VirtualMachine.removeAllSnapshots": "RemoveAllSnapshots_Task",
	"VirtualMachine.consolidateDisks":   "ConsolidateVMDisks_Task",
	"VirtualMachine.powerOn":            "PowerOnVM_Task",
	"VirtualMachine.powerOff":           "PowerOffVM_Task",
	"VirtualMachine.reset":              "ResetVM_Task",
	"VirtualMachine.suspend":            "SuspendVM_Task",
	"VirtualMachine.reconfigure":        "ReconfigVM_Task",
	"VirtualMachine.relocate":           "RelocateVM_Task",
	"VirtualMachine.clone":              "CloneVM_Task",
	"VirtualMachineSnapshot.remove":     "RemoveSnapshot_Task",
	"VirtualMachineSnapshot.revert":     "RevertToSnapshot_Task",
}

// taskName: TaskInfo.name (the method) for a descriptionId.
func taskName(descID string) string {
	if n, ok := taskNames[descID]; ok {
		return n
	}
	m := descID[strings.LastIndex(descID, ".")+1:]
	if m == "" {
		return ""
	}
	return strings.ToUpper(m[:1]) + m[1:] + "_Task"
}

// addScenario adds a VM's scenario history; times are relative to start.
func (h *historyStore) addScenario(vm *simulator.VirtualMachine, specs []TaskHistorySpec, start time.Time) {
	for _, s := range specs {
		h.mu.Lock()
		h.seq++
		key := fmt.Sprintf("task-h%d", h.seq)
		h.mu.Unlock()
		desc := s.DescriptionID
		if desc == "" {
			desc = "VirtualMachine.createSnapshot"
		}
		user := s.User
		if user == "" {
			user = `VSPHERE.LOCAL\Administrator`
		}
		entity := vm.Self
		q := start.Add(-time.Duration(s.AgeHours * float64(time.Hour))).UTC()
		info := types.TaskInfo{
			Key:           key,
			Task:          types.ManagedObjectReference{Type: "Task", Value: key},
			Name:          taskName(desc),
			DescriptionId: desc,
			Entity:        &entity,
			EntityName:    vm.Name,
			State:         types.TaskInfoState(s.State),
			Cancelled:     s.Cancelled,
			Reason:        &types.TaskReasonUser{UserName: user},
			QueueTime:     q,
			EventChainId:  nextEventChain(),
		}
		if s.State != "queued" {
			st := q.Add(time.Second)
			info.StartTime = &st
		}
		switch s.State {
		case "running":
			info.Cancelable = true
			info.Progress = 30
		case "success", "error":
			secs := s.Seconds
			if secs == 0 {
				secs = 5
			}
			ct := info.StartTime.Add(time.Duration(secs * float64(time.Second)))
			info.CompleteTime = &ct
		}
		if s.State == "error" {
			msg := s.Message
			if msg == "" {
				msg = quiesceMessage
			}
			info.Error = &types.LocalizedMethodFault{Fault: mustFault(s.Fault), LocalizedMessage: msg}
		}
		h.add(info)
	}
}

// ---------------------------------------------------------------------------
// TaskManager

type taskManager struct {
	simulator.TaskManager // first field (the property collector digs the mo type out of Field(0))
}

func registerTaskManager() {
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	ref := *si.Content.TaskManager
	old := simulator.Map.Get(ref).(*simulator.TaskManager)
	tm := &taskManager{}
	tm.TaskManager.TaskManager = old.TaskManager // the mo part; a fresh mutex
	// The builder removed its start-up tasks from the registry: a client
	// reading recentTask must find every task it lists.
	var recent []types.ManagedObjectReference
	for _, r := range old.RecentTask {
		if simulator.Map.Get(r) != nil {
			recent = append(recent, r)
		}
	}
	tm.RecentTask = recent
	simulator.Map.Remove(ref) // also drops the old one as registry handler
	simulator.Map.Put(tm)
	simulator.Map.AddHandler(tm)
}

// PutObject keeps recentTask, like the simulator's, but ignores a Task put
// again under the same moref (asFixtureTask).
func (m *taskManager) PutObject(obj mo.Reference) {
	ref := obj.Reference()
	if ref.Type != "Task" {
		return
	}
	m.Lock()
	defer m.Unlock()
	for _, r := range m.RecentTask {
		if r == ref {
			return
		}
	}
	recent := make([]types.ManagedObjectReference, 0, len(m.RecentTask)+1)
	recent = append(recent, m.RecentTask...)
	recent = append(recent, ref)
	if len(recent) > recentTaskMax {
		recent = recent[len(recent)-recentTaskMax:]
	}
	simulator.Map.Update(m, []types.PropertyChange{{Name: "recentTask", Val: recent}})
}

func invalidArgument(prop string) *soap.Fault {
	return simulator.Fault("A specified parameter was not correct: "+prop, &types.InvalidArgument{InvalidProperty: prop})
}

func (m *taskManager) CreateCollectorForTasks(ctx *simulator.Context, req *types.CreateCollectorForTasks) soap.HasFault {
	body := &methods.CreateCollectorForTasksBody{}
	if noTaskHistory {
		body.Fault_ = simulator.Fault("The operation is not supported on the object.", &types.NotSupported{})
		return body
	}
	c := &taskHistoryCollector{spec: req.Filter, pageSize: defaultCollectorPage}
	if e := req.Filter.Entity; e != nil {
		root := simulator.Map.Get(e.Entity)
		if root == nil {
			body.Fault_ = simulator.Fault("The object has already been deleted or has not been completely created",
				&types.ManagedObjectNotFound{Obj: e.Entity})
			return body
		}
		switch e.Recursion {
		case types.TaskFilterSpecRecursionOptionSelf:
			c.scope = map[types.ManagedObjectReference]bool{e.Entity: true}
		case types.TaskFilterSpecRecursionOptionChildren, types.TaskFilterSpecRecursionOptionAll:
			if e.Entity == simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content.RootFolder {
				break // everything
			}
			c.scope = map[types.ManagedObjectReference]bool{}
			descend(root, c.scope)
			if e.Recursion == types.TaskFilterSpecRecursionOptionAll {
				c.scope[e.Entity] = true
			} else {
				delete(c.scope, e.Entity)
			}
		default:
			body.Fault_ = invalidArgument("filter.entity.recursion")
			return body
		}
	}
	if t := req.Filter.Time; t != nil {
		switch t.TimeType {
		case types.TaskFilterSpecTimeOptionQueuedTime, types.TaskFilterSpecTimeOptionStartedTime, types.TaskFilterSpecTimeOptionCompletedTime:
		default:
			body.Fault_ = invalidArgument("filter.time.timeType")
			return body
		}
	}
	for _, s := range req.Filter.State {
		switch s {
		case types.TaskInfoStateQueued, types.TaskInfoStateRunning, types.TaskInfoStateSuccess, types.TaskInfoStateError:
		default:
			body.Fault_ = invalidArgument("filter.state")
			return body
		}
	}
	c.Self.Type = "TaskHistoryCollector"
	c.Filter = req.Filter
	ref := ctx.Session.Put(c).Reference()
	body.Res = &types.CreateCollectorForTasksResponse{Returnval: ref}
	return body
}

// descend adds every entity below obj (inventory containment: folders,
// datacenters, compute resources, resource pools, hosts, VMs).
func descend(obj mo.Reference, seen map[types.ManagedObjectReference]bool) {
	var kids []types.ManagedObjectReference
	switch e := moOf(obj).(type) {
	case *mo.Datacenter:
		kids = []types.ManagedObjectReference{e.VmFolder, e.HostFolder, e.DatastoreFolder, e.NetworkFolder}
	case *mo.Folder:
		kids = e.ChildEntity
	case *mo.ComputeResource:
		kids = append(append(kids, e.Host...), refOrNone(e.ResourcePool)...)
	case *mo.ClusterComputeResource:
		kids = append(append(kids, e.Host...), refOrNone(e.ResourcePool)...)
	case *mo.ResourcePool:
		kids = append(append(kids, e.ResourcePool...), e.Vm...)
	case *mo.VirtualApp:
		kids = append(append(kids, e.ResourcePool.ResourcePool...), e.Vm...)
	case *mo.HostSystem:
		kids = e.Vm
	}
	for _, k := range kids {
		if seen[k] {
			continue
		}
		seen[k] = true
		if o := simulator.Map.Get(k); o != nil {
			descend(o, seen)
		}
	}
}

func refOrNone(r *types.ManagedObjectReference) []types.ManagedObjectReference {
	if r == nil {
		return nil
	}
	return []types.ManagedObjectReference{*r}
}

// ---------------------------------------------------------------------------
// TaskHistoryCollector

type taskHistoryCollector struct {
	mo.TaskHistoryCollector // first field

	spec     types.TaskFilterSpec
	scope    map[types.ManagedObjectReference]bool // nil: any entity
	pos      int                                   // scrollable view: index of the next item ReadNextTasks returns
	pageSize int
}

func (c *taskHistoryCollector) matches(t *types.TaskInfo) bool {
	f := &c.spec
	if c.scope != nil && (t.Entity == nil || !c.scope[*t.Entity]) {
		return false
	}
	if len(f.State) > 0 {
		ok := false
		for _, s := range f.State {
			ok = ok || s == t.State
		}
		if !ok {
			return false
		}
	}
	if tm := f.Time; tm != nil {
		var at *time.Time
		switch tm.TimeType {
		case types.TaskFilterSpecTimeOptionQueuedTime:
			q := t.QueueTime
			at = &q
		case types.TaskFilterSpecTimeOptionStartedTime:
			at = t.StartTime
		case types.TaskFilterSpecTimeOptionCompletedTime:
			at = t.CompleteTime
		}
		if at == nil || (tm.BeginTime != nil && at.Before(*tm.BeginTime)) || (tm.EndTime != nil && at.After(*tm.EndTime)) {
			return false
		}
	}
	if u := f.UserName; u != nil && (u.SystemUser || len(u.UserList) > 0) {
		ok := false
		switch r := t.Reason.(type) {
		case *types.TaskReasonUser:
			for _, n := range u.UserList {
				ok = ok || strings.EqualFold(n, r.UserName)
			}
		case *types.TaskReasonSystem:
			ok = u.SystemUser
		}
		if !ok {
			return false
		}
	}
	if len(f.EventChainId) > 0 {
		ok := false
		for _, id := range f.EventChainId {
			ok = ok || id == t.EventChainId
		}
		if !ok {
			return false
		}
	}
	// Our tasks come from no alarm, scheduled task, activation or parent task
	// and carry no tag: such filters match nothing.
	if f.Alarm != nil || f.ScheduledTask != nil || len(f.ActivationId) > 0 || len(f.Tag) > 0 ||
		len(f.ParentTaskKey) > 0 || len(f.RootTaskKey) > 0 {
		return false
	}
	return true
}

func (c *taskHistoryCollector) items() []types.TaskInfo { return history.match(c) }

// latest: the "viewable latest page", newest first (the API calls it unordered).
func (c *taskHistoryCollector) latest(items []types.TaskInfo) []types.TaskInfo {
	n := c.pageSize
	if n > len(items) {
		n = len(items)
	}
	page := make([]types.TaskInfo, 0, n)
	for i := len(items) - 1; i >= len(items)-n; i-- {
		page = append(page, items[i])
	}
	return page
}

// Get gives the property collector a view with latestPage filled in.
func (c *taskHistoryCollector) Get() mo.Reference {
	clone := c.TaskHistoryCollector
	clone.LatestPage = c.latest(c.items())
	return &clone
}

func readCount(n int32) (int, *soap.Fault) {
	if n <= 0 {
		return 0, invalidArgument("maxCount")
	}
	count := int(n)
	if count > maxHistoryRead {
		count = maxHistoryRead
	}
	if historyPageMax > 0 && count > historyPageMax {
		count = historyPageMax
	}
	return count, nil
}

// ReadNextTasks: the next items after the scrollable position, oldest first.
func (c *taskHistoryCollector) ReadNextTasks(ctx *simulator.Context, req *types.ReadNextTasks) soap.HasFault {
	body := &methods.ReadNextTasksBody{}
	n, fault := readCount(req.MaxCount)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	items := c.items()
	if c.pos > len(items) {
		c.pos = len(items)
	}
	end := c.pos + n
	if end > len(items) {
		end = len(items)
	}
	body.Res = &types.ReadNextTasksResponse{Returnval: items[c.pos:end]}
	c.pos = end
	return body
}

// ReadPreviousTasks: the items before the scrollable position, newest first.
func (c *taskHistoryCollector) ReadPreviousTasks(ctx *simulator.Context, req *types.ReadPreviousTasks) soap.HasFault {
	body := &methods.ReadPreviousTasksBody{}
	n, fault := readCount(req.MaxCount)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	items := c.items()
	if c.pos > len(items) {
		c.pos = len(items)
	}
	start := c.pos - n
	if start < 0 {
		start = 0
	}
	var out []types.TaskInfo
	for i := c.pos - 1; i >= start; i-- {
		out = append(out, items[i])
	}
	body.Res = &types.ReadPreviousTasksResponse{Returnval: out}
	c.pos = start
	return body
}

// RewindCollector: back to the oldest item (the position of a new collector).
func (c *taskHistoryCollector) RewindCollector(ctx *simulator.Context, req *types.RewindCollector) soap.HasFault {
	c.pos = 0
	return &methods.RewindCollectorBody{Res: &types.RewindCollectorResponse{}}
}

// ResetCollector: to the item just before the latest page.
func (c *taskHistoryCollector) ResetCollector(ctx *simulator.Context, req *types.ResetCollector) soap.HasFault {
	items := c.items()
	c.pos = len(items) - len(c.latest(items))
	return &methods.ResetCollectorBody{Res: &types.ResetCollectorResponse{}}
}

func (c *taskHistoryCollector) SetCollectorPageSize(ctx *simulator.Context, req *types.SetCollectorPageSize) soap.HasFault {
	body := &methods.SetCollectorPageSizeBody{}
	if req.MaxCount < 0 || req.MaxCount > maxHistoryRead {
		body.Fault_ = invalidArgument("maxCount")
		return body
	}
	c.pageSize = int(req.MaxCount)
	if c.pageSize == 0 {
		c.pageSize = defaultCollectorPage
	}
	body.Res = &types.SetCollectorPageSizeResponse{}
	return body
}

func (c *taskHistoryCollector) DestroyCollector(ctx *simulator.Context, req *types.DestroyCollector) soap.HasFault {
	ctx.Session.Remove(req.This)
	return &methods.DestroyCollectorBody{Res: &types.DestroyCollectorResponse{}}
}
