// Snapshot task outcomes (scenario "snapshotTask"), CancelTask, and the
// login name of each session (TaskReasonUser of the tasks it starts).
//
// The simulator runs CreateSnapshot_Task synchronously (snapshot created,
// task success at once) and has no CancelTask. VMs cannot be wrapped: the
// simulator type-asserts *simulator.VirtualMachine all over. So the HTTP
// middleware hooks the SOAP call instead (faults.go, serveSOAP): it lets the
// simulator check the session, create the snapshot and the Task, then turns
// the finished Task back into a queued/running one driven by timers, and for
// an "error" outcome removes the snapshot again. The Task object is then
// registered again under its moref as a fixtureTask, which adds CancelTask
// (the simulator dispatches a call by _this moref and method name, by
// reflection). Other tasks become fixtureTasks when CancelTask is called on
// them (all simulator tasks are finished by then: InvalidState).

package main

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	quiesceFault   = "ApplicationQuiesceFault"
	quiesceMessage = "An error occurred while quiescing the virtual machine. See the virtual machine's event log for details."
	cancelMessage  = "The task was canceled by a user."
)

// snapshotBehaviour is filled at start-up (read-only once the server runs).
var snapshotBehaviour = map[types.ManagedObjectReference]*SnapshotTaskSpec{}

var eventChain int32 = 1000

func nextEventChain() int32 { return atomic.AddInt32(&eventChain, 1) }

// newFault returns a new zero vim25 fault of the named type.
func newFault(name string) (types.BaseMethodFault, error) {
	t, ok := types.TypeFunc()(name)
	if !ok {
		return nil, fmt.Errorf("%q is not a vim25 type", name)
	}
	f, ok := reflect.New(t).Interface().(types.BaseMethodFault)
	if !ok {
		return nil, fmt.Errorf("%q is not a vim25 fault type", name)
	}
	return f, nil
}

func mustFault(name string) types.BaseMethodFault {
	if name == "" {
		name = quiesceFault
	}
	f, err := newFault(name)
	if err != nil {
		panic(err) // validated when the scenario was loaded
	}
	return f
}

// fixtureTask is a simulator Task with CancelTask and, for the snapshot
// tasks the scenario drives, a timer-driven life.
type fixtureTask struct {
	simulator.Task // first field: the property collector digs mo.Task out of it

	ctl *taskCtl // nil: a task of the simulator's own
}

// taskCtl drives one snapshot task. Its fields are used with the task's
// registry lock held (simulator.Map.WithLock on the task).
type taskCtl struct {
	kind   string // success | error | hang
	vm     *simulator.VirtualMachine
	snap   types.ManagedObjectReference // the snapshot a success or hang task created
	fault  types.BaseMethodFault
	msg    string
	timers []*time.Timer
	done   bool
}

// at runs f after d with the task locked, unless the task ended meanwhile.
func (ft *fixtureTask) at(d time.Duration, f func()) {
	ctl := ft.ctl
	ctl.timers = append(ctl.timers, time.AfterFunc(d, func() {
		simulator.Map.WithLock(ft, func() {
			if !ctl.done {
				f()
			}
		})
	}))
}

func (ft *fixtureTask) update(changes ...types.PropertyChange) {
	simulator.Map.Update(ft, changes)
}

// finish ends the task (task lock held) and records it in the task history.
func (ft *fixtureTask) finish(state types.TaskInfoState, result types.AnyType, fault types.BaseMethodFault, msg string, cancelled bool) {
	now := time.Now().UTC()
	var changes []types.PropertyChange
	if ft.Info.StartTime == nil {
		changes = append(changes, types.PropertyChange{Name: "info.startTime", Val: now})
	}
	changes = append(changes,
		types.PropertyChange{Name: "info.completeTime", Val: now},
		types.PropertyChange{Name: "info.cancelable", Val: false},
	)
	if cancelled {
		changes = append(changes, types.PropertyChange{Name: "info.cancelled", Val: true})
	}
	if state == types.TaskInfoStateSuccess {
		changes = append(changes, types.PropertyChange{Name: "info.result", Val: result},
			types.PropertyChange{Name: "info.progress", Val: int32(100)})
	}
	if fault != nil {
		changes = append(changes, types.PropertyChange{Name: "info.error", Val: types.LocalizedMethodFault{Fault: fault, LocalizedMessage: msg}})
	}
	changes = append(changes, types.PropertyChange{Name: "info.state", Val: state})
	ft.update(changes...)
	if ft.ctl != nil {
		ft.ctl.done = true
		for _, t := range ft.ctl.timers {
			t.Stop()
		}
	}
	history.add(ft.Info)
}

// CancelTask: a running scenario task ends in error RequestCanceled
// (cancelled=true); a success task still running is rolled back (its
// snapshot removed), a hanging one keeps its snapshot. A finished task is
// InvalidState, as on vCenter.
func (ft *fixtureTask) CancelTask(ctx *simulator.Context, req *types.CancelTask) soap.HasFault {
	body := &methods.CancelTaskBody{}
	if privilegeDenied("Global.CancelTask") {
		body.Fault_ = noPermissionFault(req.This, "Global.CancelTask")
		return body
	}
	switch ft.Info.State {
	case types.TaskInfoStateSuccess, types.TaskInfoStateError:
		body.Fault_ = simulator.Fault("The operation is not allowed in the current state.", &types.InvalidState{})
		return body
	}
	if ft.ctl == nil || ft.ctl.done {
		ft.update(types.PropertyChange{Name: "info.cancelled", Val: true})
	} else {
		if ft.ctl.kind == "success" {
			removeSnapshot(ft.ctl.vm, ft.ctl.snap)
		}
		ft.finish(types.TaskInfoStateError, nil, &types.RequestCanceled{}, cancelMessage, true)
	}
	body.Res = &types.CancelTaskResponse{}
	return body
}

// asFixtureTask registers a simulator Task again as a fixtureTask (same
// moref) so that CancelTask reaches it.
func asFixtureTask(ref types.ManagedObjectReference) *fixtureTask {
	switch t := simulator.Map.Get(ref).(type) {
	case *fixtureTask:
		return t
	case *simulator.Task:
		var ft *fixtureTask
		simulator.Map.WithLock(t, func() {
			ft = &fixtureTask{Task: *t}
			simulator.Map.Put(ft) // same moref: replaces t (taskManager.PutObject ignores the repeat)
		})
		return ft
	}
	return nil
}

// adoptTask registers a finished simulator Task again as a fixtureTask
// about vm, with vCenter's entityName (the VM's name, not its moref), the
// session's user as reason, an eventChainId, and name/descriptionId when given.
func adoptTask(st *simulator.Task, vm *simulator.VirtualMachine, user, name, descID string) *fixtureTask {
	ft := &fixtureTask{}
	simulator.Map.WithLock(st, func() {
		ft.Task = *st
		e := vm.Self
		ft.Info.Entity = &e
		ft.Info.EntityName = vm.Name
		if user != "" {
			ft.Info.Reason = &types.TaskReasonUser{UserName: user}
		}
		if name != "" {
			ft.Info.Name = name
		}
		if descID != "" {
			ft.Info.DescriptionId = descID
		}
		ft.Info.EventChainId = nextEventChain()
		simulator.Map.Put(ft) // same moref: replaces st (taskManager.PutObject ignores the repeat)
	})
	return ft
}

// quiescable: vSphere ignores quiesce=true when the VM is powered off or
// Tools do not run (the snapshot is taken, not quiesced).
func quiescable(vm *simulator.VirtualMachine) bool {
	return vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn &&
		vm.Guest != nil && vm.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
}

func rootRefs(tree []types.VirtualMachineSnapshotTree) []types.ManagedObjectReference {
	var refs []types.ManagedObjectReference
	for _, t := range tree {
		refs = append(refs, t.Snapshot)
	}
	return refs
}

// afterCreateSnapshot adjusts what the simulator's CreateSnapshot_Task did:
// the snapshot's quiesced/state fields and rootSnapshot, the task's
// entityName/reason, then the scenario's outcome.
func afterCreateSnapshot(vm *simulator.VirtualMachine, taskRef types.ManagedObjectReference, req *types.CreateSnapshot_Task, user string) {
	st, ok := simulator.Map.Get(taskRef).(*simulator.Task)
	if !ok {
		return
	}
	snap, _ := st.Info.Result.(types.ManagedObjectReference)
	created := st.Info.State == types.TaskInfoStateSuccess && snap.Value != ""
	if created {
		simulator.Map.WithLock(vm, func() {
			if vm.Snapshot == nil {
				return
			}
			if item := findSnap(vm.Snapshot.RootSnapshotList, snap); item != nil {
				item.CreateTime = item.CreateTime.UTC()
				item.Quiesced = req.Quiesce && quiescable(vm)
				if b := snapshotBehaviour[vm.Self]; b != nil {
					if b.Quiesced != nil {
						item.Quiesced = item.Quiesced && *b.Quiesced
					}
					if b.Manifest != "" && item.Quiesced {
						item.BackupManifest = writeManifest(vm, snap, b.Manifest)
					}
				}
				if !req.Memory && item.State == types.VirtualMachinePowerStatePoweredOn {
					item.State = types.VirtualMachinePowerStatePoweredOff // disk-only snapshot of a running VM
				}
			}
			simulator.Map.Update(vm, []types.PropertyChange{{Name: "rootSnapshot", Val: rootRefs(vm.Snapshot.RootSnapshotList)}})
		})
	}

	ft := adoptTask(st, vm, user, "CreateSnapshot_Task", "")

	b := snapshotBehaviour[vm.Self]
	if b == nil || !created || ((b.Result == "" || b.Result == "success") && (b.Seconds == nil || *b.Seconds == 0)) {
		simulator.Map.WithLock(ft, func() { history.add(ft.Info) })
		return
	}
	secs := 1.0
	if b.Seconds != nil {
		secs = *b.Seconds
	}
	d := time.Duration(secs * float64(time.Second))
	ctl := &taskCtl{kind: b.Result, vm: vm, snap: snap}
	if ctl.kind == "" {
		ctl.kind = "success"
	}
	if ctl.kind == "error" {
		// vCenter creates no snapshot when quiescing fails
		removeSnapshot(vm, snap)
		ctl.fault = mustFault(b.Fault)
		ctl.msg = b.Message
		if ctl.msg == "" {
			ctl.msg = quiesceMessage
		}
	}
	simulator.Map.WithLock(ft, func() {
		ft.ctl = ctl
		now := time.Now().UTC()
		changes := []types.PropertyChange{
			{Name: "info.queueTime", Val: now},
			{Name: "info.result", Val: nil},
			{Name: "info.completeTime", Val: nil},
			{Name: "info.cancelable", Val: true},
		}
		switch ctl.kind {
		case "error":
			// queued a moment, then running (a client must expect both)
			changes = append(changes, types.PropertyChange{Name: "info.startTime", Val: nil},
				types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateQueued})
			ft.update(changes...)
			ft.at(minDuration(d/2, 200*time.Millisecond), func() {
				ft.update(types.PropertyChange{Name: "info.startTime", Val: time.Now().UTC()},
					types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateRunning})
			})
			ft.at(d/2, func() { ft.update(types.PropertyChange{Name: "info.progress", Val: int32(45)}) })
			ft.at(d, func() { ft.finish(types.TaskInfoStateError, nil, ctl.fault, ctl.msg, false) })
		case "success":
			changes = append(changes, types.PropertyChange{Name: "info.startTime", Val: now},
				types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateRunning})
			ft.update(changes...)
			ft.at(d/2, func() { ft.update(types.PropertyChange{Name: "info.progress", Val: int32(50)}) })
			ft.at(d, func() { ft.finish(types.TaskInfoStateSuccess, snap, nil, "", false) })
		case "hang":
			changes = append(changes, types.PropertyChange{Name: "info.startTime", Val: now},
				types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateRunning})
			ft.update(changes...)
			ft.at(500*time.Millisecond, func() { ft.update(types.PropertyChange{Name: "info.progress", Val: int32(35)}) })
		}
	})
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// removeSnapshot undoes a snapshot the simulator just created (no children):
// tree, currentSnapshot, rootSnapshot, the parent's childSnapshot, layout,
// layoutEx and the .vmsn file. Unlike the simulator's RemoveSnapshot_Task it
// does not call RefreshStorageInfo (which panics on non-flat disks).
func removeSnapshot(vm *simulator.VirtualMachine, snap types.ManagedObjectReference) {
	simulator.Map.WithLock(vm, func() {
		if vm.Snapshot == nil {
			return
		}
		if item := findSnap(vm.Snapshot.RootSnapshotList, snap); item != nil && item.BackupManifest != "" {
			if f := datastoreFile(vm, item.BackupManifest); f != "" {
				_ = os.Remove(f)
			}
		}
		parent := snapParent(vm.Snapshot.RootSnapshotList, snap, nil)
		tree := removeSnap(vm.Snapshot.RootSnapshotList, snap)
		var changes []types.PropertyChange
		if len(tree) == 0 {
			changes = append(changes, types.PropertyChange{Name: "snapshot", Val: nil}, types.PropertyChange{Name: "rootSnapshot", Val: nil})
		} else {
			changes = append(changes, types.PropertyChange{Name: "snapshot.rootSnapshotList", Val: tree},
				types.PropertyChange{Name: "rootSnapshot", Val: rootRefs(tree)})
			if cur := vm.Snapshot.CurrentSnapshot; cur != nil && *cur == snap {
				if parent != nil {
					changes = append(changes, types.PropertyChange{Name: "snapshot.currentSnapshot", Val: *parent})
				} else {
					changes = append(changes, types.PropertyChange{Name: "snapshot.currentSnapshot", Val: nil})
				}
			}
		}
		if parent != nil {
			if p, ok := simulator.Map.Get(*parent).(*simulator.VirtualMachineSnapshot); ok {
				var kids []types.ManagedObjectReference
				for _, c := range p.ChildSnapshot {
					if c != snap {
						kids = append(kids, c)
					}
				}
				p.ChildSnapshot = kids
			}
		}
		files := map[int32]bool{}
		var lx []types.VirtualMachineFileLayoutExSnapshotLayout
		for _, s := range vm.LayoutEx.Snapshot {
			if s.Key == snap {
				files[s.DataKey], files[s.MemoryKey] = true, true
				continue
			}
			lx = append(lx, s)
		}
		vm.LayoutEx.Snapshot = lx
		var keep []types.VirtualMachineFileLayoutExFileInfo
		for _, f := range vm.LayoutEx.File {
			if files[f.Key] {
				removeDatastoreFile(vm, f.Name)
				continue
			}
			keep = append(keep, f)
		}
		vm.LayoutEx.File = keep
		if vm.Layout != nil {
			var ly []types.VirtualMachineFileLayoutSnapshotLayout
			for _, s := range vm.Layout.Snapshot {
				if s.Key != snap {
					ly = append(ly, s)
				}
			}
			vm.Layout.Snapshot = ly
		}
		simulator.Map.Update(vm, changes)
	})
	simulator.Map.Remove(snap)
}

func snapParent(tree []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference, parent *types.ManagedObjectReference) *types.ManagedObjectReference {
	for i := range tree {
		if tree[i].Snapshot == ref {
			return parent
		}
		if p := snapParent(tree[i].ChildSnapshotList, ref, &tree[i].Snapshot); p != nil {
			return p
		}
	}
	return nil
}

func removeSnap(tree []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference) []types.VirtualMachineSnapshotTree {
	var out []types.VirtualMachineSnapshotTree
	for _, t := range tree {
		if t.Snapshot == ref {
			out = append(out, t.ChildSnapshotList...)
			continue
		}
		t.ChildSnapshotList = removeSnap(t.ChildSnapshotList, ref)
		out = append(out, t)
	}
	return out
}

// writeManifest writes the VSS manifest zip of a quiesced snapshot next to
// its .vmsn, named as vCenter names them (<vm>-vss_manifests<N>.zip for
// <vm>-Snapshot<N>.vmsn), and returns its "[ds] path" for backupManifest.
// kind "backup": backup.xml only (file-system quiescing); "writers":
// backup.xml and one writer manifest per writer (application quiescing).
// The VM lock is held.
func writeManifest(vm *simulator.VirtualMachine, snap types.ManagedObjectReference, kind string) string {
	var vmsn string
	for _, s := range vm.LayoutEx.Snapshot {
		if s.Key != snap {
			continue
		}
		for _, f := range vm.LayoutEx.File {
			if f.Key == s.DataKey {
				vmsn = f.Name
			}
		}
	}
	i := strings.LastIndex(vmsn, "-Snapshot")
	if i < 0 || !strings.HasSuffix(vmsn, ".vmsn") {
		logf("manifest: no .vmsn for snapshot %s of %s", snap.Value, vm.Name)
		return ""
	}
	name := vmsn[:i] + "-vss_manifests" + strings.TrimSuffix(vmsn[i+len("-Snapshot"):], ".vmsn") + ".zip"
	local := datastoreFile(vm, name)
	if local == "" {
		return ""
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{"backup.xml": `<BACKUP_COMPONENTS xmlns="x-schema:#VssComponentMetadata" version="1.2" bootableSystemStateBackup="yes" selectComponents="yes" backupType="copy" partialFileSupport="no"/>`}
	order := []string{"backup.xml"}
	if kind == "writers" {
		for i, w := range []string{"System Writer", "SqlServerWriter"} {
			n := fmt.Sprintf("wm%d.xml", i)
			files[n] = fmt.Sprintf(`<WRITER_METADATA xmlns="x-schema:#VssWriterMetadataInfo" version="1.2"><IDENTIFICATION friendlyName=%q usage="USER_DATA" dataSource="TRANSACTION_DB"/></WRITER_METADATA>`, w)
			order = append(order, n)
		}
	}
	for _, n := range order {
		f, err := zw.Create(n)
		if err == nil {
			_, err = io.WriteString(f, files[n])
		}
		if err != nil {
			logf("manifest: %v", err)
			return ""
		}
	}
	if err := zw.Close(); err != nil {
		logf("manifest: %v", err)
		return ""
	}
	if err := os.WriteFile(local, buf.Bytes(), 0o600); err != nil {
		logf("manifest: %v", err)
		return ""
	}
	return name
}

// datastoreFile maps "[ds] dir/file" of one of the VM's datastores to its
// local path ("" when it is not one).
func datastoreFile(vm *simulator.VirtualMachine, name string) string {
	if !strings.HasPrefix(name, "[") {
		return ""
	}
	i := strings.Index(name, "]")
	if i < 0 {
		return ""
	}
	dsName, rel := name[1:i], strings.TrimSpace(name[i+1:])
	for _, ref := range vm.Datastore {
		if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok && ds.Name == dsName {
			return path.Join(ds.Info.GetDatastoreInfo().Url, rel)
		}
	}
	return ""
}

// removeDatastoreFile deletes "[ds] dir/file" from the simulated datastore.
func removeDatastoreFile(vm *simulator.VirtualMachine, name string) {
	if !strings.HasPrefix(name, "[") {
		return
	}
	i := strings.Index(name, "]")
	if i < 0 {
		return
	}
	dsName, rel := name[1:i], strings.TrimSpace(name[i+1:])
	for _, ref := range vm.Datastore {
		if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok && ds.Name == dsName {
			_ = os.Remove(path.Join(ds.Info.GetDatastoreInfo().Url, rel))
			return
		}
	}
}

// ---------------------------------------------------------------------------
// Sessions: the user each session cookie logged in as (for TaskReasonUser)

var sessionUsers = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// noteLogin records the session cookie and user name of a successful login
// response (Login, LoginByToken, CloneSession, ...).
func noteLogin(rec *recorder) {
	if rec.status != http.StatusOK {
		return
	}
	var id string
	for _, c := range (&http.Response{Header: rec.header}).Cookies() {
		if c.Name == soap.SessionCookieName {
			id = c.Value
		}
	}
	user := firstElementText(rec.body.Bytes(), "userName")
	if id == "" || user == "" {
		return
	}
	sessionUsers.Lock()
	if len(sessionUsers.m) > 10000 { // a long benchmark logging in over and over
		sessionUsers.m = map[string]string{}
	}
	sessionUsers.m[id] = taskUserName(user)
	sessionUsers.Unlock()
}

func forgetSession(id string) {
	sessionUsers.Lock()
	delete(sessionUsers.m, id)
	sessionUsers.Unlock()
}

// sessionUser: the user of the request's session; ok=false when the cookie
// is not one of a known, live session.
func sessionUser(r *http.Request) (string, bool) {
	c, err := r.Cookie(soap.SessionCookieName)
	if err != nil {
		return "", false
	}
	sessionUsers.Lock()
	defer sessionUsers.Unlock()
	u, ok := sessionUsers.m[c.Value]
	return u, ok
}

// taskUserName spells a login name as vCenter's task and event reasons do:
// svc-backup@vsphere.local -> VSPHERE.LOCAL\svc-backup.
func taskUserName(login string) string {
	if i := strings.LastIndex(login, "@"); i > 0 && i < len(login)-1 {
		return strings.ToUpper(login[i+1:]) + `\` + login[:i]
	}
	return login
}

func firstElementText(doc []byte, local string) string {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == local {
			var s string
			if d.DecodeElement(&s, &se) != nil {
				return ""
			}
			return strings.TrimSpace(s)
		}
	}
}

// returnvalRef reads <returnval type="T">value</returnval> of a response.
func returnvalRef(doc []byte) (types.ManagedObjectReference, bool) {
	var ref types.ManagedObjectReference
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return ref, false
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "returnval" {
			for _, a := range se.Attr {
				if a.Name.Local == "type" {
					ref.Type = a.Value
				}
			}
			var v string
			if d.DecodeElement(&v, &se) != nil {
				return ref, false
			}
			ref.Value = strings.TrimSpace(v)
			return ref, ref.Type != "" && ref.Value != ""
		}
	}
}

// ---------------------------------------------------------------------------
// SOAP hooks (called by the fault middleware for every non-faulted request)

// serveSOAP passes a request to the simulator, through the fixture's hook for
// a few operations.
func (m *faultMux) serveSOAP(w http.ResponseWriter, r *http.Request, op string, this types.ManagedObjectReference, body []byte) {
	switch op {
	case "Login", "LoginByToken", "LoginExtensionByCertificate", "LoginExtensionBySubjectName", "LoginExtensionByCertificate2", "CloneSession":
		rec := m.forward(r, op)
		noteLogin(rec)
		writeRecorded(w, rec)
	case "Logout":
		if c, err := r.Cookie(soap.SessionCookieName); err == nil {
			forgetSession(c.Value)
		}
		m.serveNext(w, r, op)
	case "CreateSnapshot_Task":
		m.createSnapshot(w, r, op, body)
	case "RemoveSnapshot_Task":
		m.removeSnapshotTask(w, r, op, this)
	case "CancelTask":
		if this.Type == "Task" {
			asFixtureTask(this)
		}
		m.serveNext(w, r, op)
	default:
		m.serveNext(w, r, op)
	}
}

func (m *faultMux) forward(r *http.Request, op string) *recorder {
	return record(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.serveNext(w, r, op) }), r)
}

func writeRecorded(w http.ResponseWriter, rec *recorder) {
	copyHeader(w.Header(), rec.header)
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

func (m *faultMux) createSnapshot(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	method, err := simulator.UnmarshalBody(types.TypeFunc(), body)
	req, ok := (*types.CreateSnapshot_Task)(nil), false
	if err == nil {
		req, ok = method.Body.(*types.CreateSnapshot_Task)
	}
	var vm *simulator.VirtualMachine
	if ok {
		vm, _ = simulator.Map.Get(req.This).(*simulator.VirtualMachine)
	}
	if vm == nil {
		m.serveNext(w, r, op)
		return
	}
	user, live := sessionUser(r)
	if live && privilegeDenied("VirtualMachine.State.CreateSnapshot") {
		writeNoPermission(w, vm.Self, "VirtualMachine.State.CreateSnapshot")
		return
	}
	rec := m.forward(r, op)
	if rec.status == http.StatusOK {
		if ref, ok := returnvalRef(rec.body.Bytes()); ok && ref.Type == "Task" {
			afterCreateSnapshot(vm, ref, req, user)
		}
	}
	writeRecorded(w, rec)
}

// removeSnapshotTask: the simulator's RemoveSnapshot_Task (it accepts
// removeChildren and consolidate), then rootSnapshot kept in step.
func (m *faultMux) removeSnapshotTask(w http.ResponseWriter, r *http.Request, op string, this types.ManagedObjectReference) {
	s, ok := simulator.Map.Get(this).(*simulator.VirtualMachineSnapshot)
	if !ok {
		m.serveNext(w, r, op)
		return
	}
	vmRef := s.Vm
	user, live := sessionUser(r)
	if live && privilegeDenied("VirtualMachine.State.RemoveSnapshot") {
		writeNoPermission(w, vmRef, "VirtualMachine.State.RemoveSnapshot")
		return
	}
	var manifest string // the simulator removes the .vmsn only
	if vm, ok := simulator.Map.Get(vmRef).(*simulator.VirtualMachine); ok {
		simulator.Map.WithLock(vm, func() {
			if vm.Snapshot != nil {
				if item := findSnap(vm.Snapshot.RootSnapshotList, this); item != nil && item.BackupManifest != "" {
					manifest = datastoreFile(vm, item.BackupManifest)
				}
			}
		})
	}
	rec := m.forward(r, op)
	if manifest != "" && rec.status == http.StatusOK {
		_ = os.Remove(manifest)
	}
	if vm, ok := simulator.Map.Get(vmRef).(*simulator.VirtualMachine); ok && rec.status == http.StatusOK {
		// The simulator names this task "RemoveSnapshot" about the snapshot,
		// descriptionId VirtualMachineSnapshot.removeSnapshot; vCenter's:
		if ref, ok := returnvalRef(rec.body.Bytes()); ok && ref.Type == "Task" {
			if st, ok := simulator.Map.Get(ref).(*simulator.Task); ok {
				ft := adoptTask(st, vm, user, "RemoveSnapshot_Task", "VirtualMachineSnapshot.remove")
				simulator.Map.WithLock(ft, func() {
					if ft.Info.State == types.TaskInfoStateSuccess || ft.Info.State == types.TaskInfoStateError {
						history.add(ft.Info)
					}
				})
			}
		}
		simulator.Map.WithLock(vm, func() {
			var roots interface{} // untyped nil: no snapshot left
			if vm.Snapshot != nil && len(vm.Snapshot.RootSnapshotList) > 0 {
				roots = rootRefs(vm.Snapshot.RootSnapshotList)
			}
			simulator.Map.Update(vm, []types.PropertyChange{{Name: "rootSnapshot", Val: roots}})
		})
	}
	writeRecorded(w, rec)
}
