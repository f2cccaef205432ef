// SPDX-License-Identifier: GPL-2.0-or-later
//
// vmsc-bench-client: the Go clients vmsnapcheck is benchmarked against, on
// Debian's govmomi (0.24.2), built in GOPATH mode by bench/run.sh.
//
//	-mode govmomi  the mainstream way: view.Manager.CreateContainerView on the
//	               root folder, then ContainerView.Retrieve of the given paths
//	               into []mo.VirtualMachine (property.Collector under the hood;
//	               govmomi 0.24 sends RetrieveProperties, not ...Ex: one reply
//	               with every VM, no paging)
//	-mode naive    how a PowerCLI "Get-VM | foreach { ... }" loop behaves: list
//	               the VM morefs from a container view, then one
//	               RetrieveProperties per VM (property.Collector.RetrieveOne),
//	               sequentially
//	-mode shape    not timed: min-max(mean) per VM of devices, disks,
//	               extraConfig keys, 8 KB+ values and snapshots
//	-mode capture  sends what vmsnapcheck sends (RetrievePropertiesEx with
//	               maxObjects, then ContinueRetrievePropertiesEx) and saves each
//	               page's raw response body to -capture-dir/page-NNNN.xml (the
//	               input of the xmllint --stream parse floor)
//
// Every mode logs in, creates and destroys its view and logs out, and prints
// one line on stdout: "mode=... vms=N requests=R bytes=B" where bytes are the
// HTTP response bodies as received (compressed when the server gzips), the
// figure vmsnapcheck -v prints.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// countingTransport counts requests and response body bytes as they come off
// the connection. Go's transport asks for gzip and inflates by itself, which
// hides the wire size; so compression is switched off in the inner transport
// and done here the same way (Accept-Encoding: gzip, inflate on the fly).
type countingTransport struct {
	inner    http.RoundTripper
	gzip     bool
	requests int64
	bytes    int64
	saveTo   string // when set, the next response body is also written here
}

type countingReader struct {
	r io.ReadCloser
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	atomic.AddInt64(c.n, int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

type teeCloser struct {
	io.Reader
	closers []io.Closer
}

// Close drains the body first: the SOAP decoder may stop reading at the end
// of the envelope, the saved page must still be complete.
func (t *teeCloser) Close() error {
	_, _ = io.Copy(io.Discard, t.Reader)
	var first error
	for _, c := range t.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

type gzipBody struct {
	*gzip.Reader
	raw io.Closer
}

func (g *gzipBody) Close() error { g.Reader.Close(); return g.raw.Close() }

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	atomic.AddInt64(&t.requests, 1)
	if t.gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := t.inner.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	var body io.ReadCloser = &countingReader{r: res.Body, n: &t.bytes}
	if strings.EqualFold(res.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			body.Close()
			return nil, err
		}
		body = &gzipBody{Reader: zr, raw: body}
		res.Header.Del("Content-Encoding")
		res.Header.Del("Content-Length")
		res.ContentLength = -1
		res.Uncompressed = true
	}
	if t.saveTo != "" {
		f, err := os.Create(t.saveTo)
		if err != nil {
			body.Close()
			return nil, err
		}
		body = &teeCloser{Reader: io.TeeReader(body, f), closers: []io.Closer{body, f}}
		t.saveTo = ""
	}
	res.Body = body
	return res, nil
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vmsc-bench-client: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var (
		mode       = flag.String("mode", "govmomi", "govmomi | naive | capture | shape")
		server     = flag.String("url", "", "SDK `URL`, e.g. https://127.0.0.1:PORT/sdk")
		user       = flag.String("u", "u", "user name")
		pwFile     = flag.String("password-file", "", "`FILE` with the password on its first line")
		cacert     = flag.String("cacert", "", "PEM `FILE` of the server certificate")
		pathList   = flag.String("paths", "", "comma-separated property paths (the ones vmsnapcheck asks for)")
		maxObjects = flag.Int("max-objects", 500, "page size for -mode capture (vmsnapcheck's default)")
		captureDir = flag.String("capture-dir", "", "`DIR` for -mode capture")
		useGzip    = flag.Bool("gzip", true, "send Accept-Encoding: gzip (Go's default)")
		limit      = flag.Int("limit", 0, "-mode naive: only the first N VMs (0 = all)")
	)
	flag.Parse()
	if *server == "" || *pwFile == "" || *pathList == "" {
		die("-url, -password-file and -paths are required")
	}
	paths := strings.Split(*pathList, ",")
	pw, err := os.ReadFile(*pwFile)
	if err != nil {
		die("%s", err)
	}
	password := strings.TrimRight(strings.SplitN(string(pw), "\n", 2)[0], "\r")

	ctx := context.Background()
	u, err := soap.ParseURL(*server)
	if err != nil {
		die("%s", err)
	}
	u.User = url.UserPassword(*user, password)

	sc := soap.NewClient(u, false)
	if *cacert != "" {
		if err := sc.SetRootCAs(*cacert); err != nil {
			die("%s", err)
		}
	}
	sc.DefaultTransport().DisableCompression = true
	ct := &countingTransport{inner: sc.Client.Transport, gzip: *useGzip}
	sc.Client.Transport = ct

	vc, err := vim25.NewClient(ctx, sc) // RetrieveServiceContent
	if err != nil {
		die("connect: %s", err)
	}
	sm := session.NewManager(vc)
	if err := sm.Login(ctx, u.User); err != nil {
		die("login: %s", err)
	}

	m := view.NewManager(vc)
	v, err := m.CreateContainerView(ctx, vc.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		die("CreateContainerView: %s", err)
	}

	var nvms, ndev, keyed int
	switch *mode {
	case "govmomi":
		// Keyed paths (config.extraConfig["KEY"]) are plain strings to
		// govmomi's property collector: sent and answered like any other.
		// But mo.VirtualMachine has no field for them (LoadObjectContent
		// skips property names it does not know), so a govmomi user reads
		// the ObjectContent and picks those values out of its propSet, as
		// done here; without keyed paths this is exactly v.Retrieve(&vms).
		var content []types.ObjectContent
		if err := v.Retrieve(ctx, []string{"VirtualMachine"}, paths, &content); err != nil {
			die("Retrieve: %s", err)
		}
		vms, k, err := loadVMs(content)
		if err != nil {
			die("LoadObjectContent: %s", err)
		}
		keyed = k
		nvms = len(vms)
		for i := range vms {
			if vms[i].Config != nil {
				ndev += len(vms[i].Config.Hardware.Device)
			}
		}
	case "shape":
		// not timed: what the inventory's VMs carry, for the report
		var vms []mo.VirtualMachine
		if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"config.template", "config.hardware.device",
			"config.extraConfig", "snapshot"}, &vms); err != nil {
			die("Retrieve: %s", err)
		}
		var dev, disk, ec, blob, snap stat
		for i := range vms {
			c := vms[i].Config
			if c == nil {
				continue
			}
			nd := 0
			for _, d := range c.Hardware.Device {
				if _, ok := d.(*types.VirtualDisk); ok {
					nd++
				}
			}
			nb := 0
			for _, o := range c.ExtraConfig {
				if ov := o.GetOptionValue(); ov != nil {
					if s, ok := ov.Value.(string); ok && len(s) >= 8<<10 {
						nb++
					}
				}
			}
			dev.add(len(c.Hardware.Device))
			disk.add(nd)
			ec.add(len(c.ExtraConfig))
			blob.add(nb)
			snap.add(countSnapshots(vms[i].Snapshot))
		}
		nvms = len(vms)
		fmt.Printf("shape vms=%d devices=%s disks=%s extraConfig_keys=%s blobs_8k=%s snapshots=%s\n",
			nvms, dev, disk, ec, blob, snap)
	case "naive":
		// Get-VM: the VM list first (the view's "view" property), then one
		// property request per VM, as a foreach over the VMs does.
		var cv mo.ContainerView
		if err := v.Properties(ctx, v.Reference(), []string{"view"}, &cv); err != nil {
			die("view: %s", err)
		}
		refs := cv.View
		if *limit > 0 && *limit < len(refs) {
			refs = refs[:*limit]
		}
		pc := property.DefaultCollector(vc)
		for _, ref := range refs {
			// pc.RetrieveOne(ctx, ref, paths, &vm), but through the
			// ObjectContent for the keyed paths (see loadVMs)
			var content []types.ObjectContent
			if err := pc.Retrieve(ctx, []types.ManagedObjectReference{ref}, paths, &content); err != nil {
				die("RetrieveOne %s: %s", ref, err)
			}
			vms, k, err := loadVMs(content)
			if err != nil || len(vms) != 1 {
				die("RetrieveOne %s: %v", ref, err)
			}
			keyed += k
			nvms++
			if vms[0].Config != nil {
				ndev += len(vms[0].Config.Hardware.Device)
			}
		}
	case "capture":
		nvms, err = capture(ctx, vc, ct, v.Reference(), paths, *maxObjects, *captureDir)
		if err != nil {
			die("capture: %s", err)
		}
	default:
		die("unknown -mode %q", *mode)
	}
	if err := v.Destroy(ctx); err != nil {
		die("DestroyView: %s", err)
	}
	if err := sm.Logout(ctx); err != nil {
		die("logout: %s", err)
	}
	fmt.Printf("mode=%s vms=%d devices=%d keyed_values=%d requests=%d bytes=%d\n", *mode, nvms, ndev, keyed,
		atomic.LoadInt64(&ct.requests), atomic.LoadInt64(&ct.bytes))
}

// loadVMs: mo.LoadObjectContent for property sets that may hold keyed
// paths. A VM without the key has the path in its missingSet
// (InvalidProperty: "not set"), on which LoadObjectContent fails, so those
// entries are dropped first; the values found are counted.
func loadVMs(content []types.ObjectContent) ([]mo.VirtualMachine, int, error) {
	keyed := 0
	for i := range content {
		ms := content[i].MissingSet[:0]
		for _, m := range content[i].MissingSet {
			if _, ok := m.Fault.Fault.(*types.InvalidProperty); ok && strings.HasPrefix(m.Path, "config.extraConfig[") {
				continue
			}
			ms = append(ms, m)
		}
		content[i].MissingSet = ms
		for _, p := range content[i].PropSet {
			if strings.HasPrefix(p.Name, "config.extraConfig[") {
				if ov, ok := p.Val.(types.OptionValue); ok && ov.Key != "" {
					keyed++
				}
			}
		}
	}
	var vms []mo.VirtualMachine
	err := mo.LoadObjectContent(content, &vms)
	return vms, keyed, err
}

// stat: min/mean/max of a per-VM count, printed as "min-max(mean)"
type stat struct{ n, sum, min, max int }

func (s *stat) add(v int) {
	if s.n == 0 || v < s.min {
		s.min = v
	}
	if v > s.max {
		s.max = v
	}
	s.n++
	s.sum += v
}

func (s stat) String() string {
	if s.n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d-%d(%.1f)", s.min, s.max, float64(s.sum)/float64(s.n))
}

func countSnapshots(si *types.VirtualMachineSnapshotInfo) int {
	if si == nil {
		return 0
	}
	var walk func([]types.VirtualMachineSnapshotTree) int
	walk = func(l []types.VirtualMachineSnapshotTree) int {
		n := 0
		for i := range l {
			n += 1 + walk(l[i].ChildSnapshotList)
		}
		return n
	}
	return walk(si.RootSnapshotList)
}

// capture pages through the view as vmsnapcheck does (same specSet: the
// view with traverseView, VirtualMachine with the same pathSet, maxObjects)
// and keeps each page's raw reply.
func capture(ctx context.Context, vc *vim25.Client, ct *countingTransport, view types.ManagedObjectReference,
	paths []string, maxObjects int, dir string) (int, error) {
	if dir == "" {
		return 0, fmt.Errorf("-capture-dir is required")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj:  view,
			Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{
				SelectionSpec: types.SelectionSpec{Name: "traverseView"},
				Type:          "ContainerView",
				Path:          "view",
				Skip:          types.NewBool(false),
			}},
		}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: paths}},
	}
	pc := vc.ServiceContent.PropertyCollector
	page := 0
	next := func() string {
		page++
		return filepath.Join(dir, fmt.Sprintf("page-%04d.xml", page))
	}
	ct.saveTo = next()
	res, err := methods.RetrievePropertiesEx(ctx, vc, &types.RetrievePropertiesEx{
		This: pc, SpecSet: []types.PropertyFilterSpec{spec},
		Options: types.RetrieveOptions{MaxObjects: int32(maxObjects)},
	})
	if err != nil {
		return 0, err
	}
	n := 0
	r := res.Returnval
	for r != nil {
		n += len(r.Objects)
		if r.Token == "" {
			break
		}
		ct.saveTo = next()
		cres, err := methods.ContinueRetrievePropertiesEx(ctx, vc, &types.ContinueRetrievePropertiesEx{
			This: pc, Token: r.Token,
		})
		if err != nil {
			return n, err
		}
		r = &cres.Returnval
	}
	// sanity: every saved page must be a complete SOAP envelope
	for i := 1; i <= page; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("page-%04d.xml", i)))
		if err != nil {
			return n, err
		}
		if !bytes.Contains(b, []byte("Envelope>")) {
			return n, fmt.Errorf("page %d is not a complete envelope", i)
		}
	}
	return n, nil
}
