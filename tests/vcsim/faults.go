// Fault injection and request logging: an HTTP middleware in front of the
// simulator's SOAP handler (same listener, same certificate).

package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Bounds for the hanging kinds.
var (
	stallMax   = 10 * time.Minute
	endlessMax = 60 * time.Second
)

type faultRule struct {
	spec   string
	kind   string
	method string // SOAP operation, a path.Match glob ("*" = any)
	n      int    // 1-based call number of that operation; 0 = every call
}

var faultKinds = map[string]string{
	"notauth":  "notauth:METHOD[:N]   the N-th call (default 1) gets NotAuthenticated and the session is dropped",
	"http500":  "http500:METHOD[:N]   HTTP 500 with an HTML body (every call, or only the N-th)",
	"http503":  "http503:METHOD[:K]   the first K calls (default 1) get HTTP 503 with a text body",
	"stall":    "stall:METHOD[:N]     read the request, never answer (bounded: 10 min / client gone / shutdown)",
	"truncate": "truncate:METHOD[:N]  the real response cut in half: full Content-Length, then the connection is closed",
	"truncxml": "truncxml:METHOD[:N]  the real response cut in half, correctly framed (Content-Length of the half)",
	"garbage":  "garbage:METHOD[:N]   HTTP 200 text/xml with non-XML bytes",
	"wrongns":  "wrongns:METHOD[:N]   the real response with its body element in a wrong namespace",
	"endless":  "endless:METHOD[:N]   HTTP 200 chunked, XML-looking bytes forever (stops after 60 s or when the client goes)",
	"slow":     "slow:METHOD:MS       delay every call of METHOD by MS milliseconds, then answer normally",
}

func parseFault(spec string) (*faultRule, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("fault %q: want KIND:METHOD[:N]", spec)
	}
	if kind == "nopermission" {
		if _, err := path.Match(rest, ""); err != nil {
			return nil, fmt.Errorf("fault %q: bad glob: %s", spec, err)
		}
		noPermission = append(noPermission, rest)
		return nil, nil
	}
	if _, known := faultKinds[kind]; !known {
		return nil, fmt.Errorf("fault %q: unknown kind %q", spec, kind)
	}
	r := &faultRule{spec: spec, kind: kind}
	method, num, hasNum := strings.Cut(rest, ":")
	if method == "" {
		return nil, fmt.Errorf("fault %q: empty METHOD", spec)
	}
	if _, err := path.Match(method, ""); err != nil {
		return nil, fmt.Errorf("fault %q: bad METHOD glob: %s", spec, err)
	}
	r.method = method
	if hasNum {
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("fault %q: N must be a positive integer", spec)
		}
		r.n = n
	}
	switch kind {
	case "notauth", "http503":
		if r.n == 0 {
			r.n = 1
		}
	case "slow":
		if r.n == 0 {
			return nil, fmt.Errorf("fault %q: slow needs :MS", spec)
		}
	}
	return r, nil
}

func (r *faultRule) matches(op string, call int) bool {
	if ok, _ := path.Match(r.method, op); !ok {
		return false
	}
	switch r.kind {
	case "http503":
		return call <= r.n
	case "slow":
		return true
	}
	return r.n == 0 || r.n == call
}

// faultMux wraps the simulator's handler.
type faultMux struct {
	next  http.Handler
	rules []*faultRule

	mu     sync.Mutex
	counts map[string]int
	logf   *os.File
	done   chan struct{} // closed at shutdown: releases stalled requests
	gzip   bool          // gzip responses for clients that accept it (as vCenter does)
}

func newFaultMux(next http.Handler, rules []*faultRule, logFile string) (*faultMux, error) {
	m := &faultMux{next: next, rules: rules, counts: map[string]int{}, done: make(chan struct{})}
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		m.logf = f
	}
	return m, nil
}

func (m *faultMux) close() {
	select {
	case <-m.done:
	default:
		close(m.done)
	}
}

// soapOp returns the operation (local name of the first child of soap Body)
// and the _this moref of a request.
func soapOp(body []byte) (string, types.ManagedObjectReference) {
	var this types.ManagedObjectReference
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	inBody := false
	op := ""
	for {
		tok, err := d.Token()
		if err != nil {
			return op, this
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case !inBody:
			inBody = se.Name.Local == "Body"
		case op == "":
			op = se.Name.Local
		default:
			if se.Name.Local == "_this" {
				for _, a := range se.Attr {
					if a.Name.Local == "type" {
						this.Type = a.Value
					}
				}
				var v string
				if d.DecodeElement(&v, &se) == nil {
					this.Value = strings.TrimSpace(v)
				}
			}
			return op, this
		}
	}
}

func (m *faultMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/folder/") {
		m.serveFolder(w, r)
		return
	}
	switch r.URL.Path {
	case "/guestFile":
		m.serveGuestFile(w, r)
		return
	case "/vcsim/guest-temp-files":
		serveGuestTempFiles(w, r)
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sdk") {
		m.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	op, this := soapOp(body)
	logOp := op
	if logOp == "" {
		logOp = "-"
	}

	m.mu.Lock()
	m.counts[op]++
	call := m.counts[op]
	if m.logf != nil {
		_, _ = m.logf.WriteString(logOp + "\n")
	}
	var rule *faultRule
	var delay time.Duration
	for _, fr := range m.rules {
		if !fr.matches(op, call) {
			continue
		}
		if fr.kind == "slow" {
			delay += time.Duration(fr.n) * time.Millisecond
			continue
		}
		if rule == nil {
			rule = fr
		}
	}
	m.mu.Unlock()

	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))

	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		case <-m.done:
			return
		}
	}
	if rule == nil {
		if m.gzip && acceptsGzip(r) {
			gw := newGzipWriter(w)
			m.serveSOAP(gw, r, op, this, body)
			gw.close()
			return
		}
		m.serveSOAP(w, r, op, this, body)
		return
	}
	logf("fault %s: %s call #%d", rule.spec, op, call)

	switch rule.kind {
	case "notauth":
		if c, err := r.Cookie(soap.SessionCookieName); err == nil {
			dropSession(c.Value)
		}
		writeFault(w, "The session is not authenticated.", "NotAuthenticated",
			fmt.Sprintf(`<object type="%s">%s</object><privilegeId>System.View</privilegeId>`, xmlEsc(this.Type), xmlEsc(this.Value)))
	case "http500":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"+
			"<body><h1>500 Internal Server Error</h1><p>The server encountered an internal error (vcsim-fixture).</p></body></html>\n")
	case "http503":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "upstream connect error or disconnect/reset before headers. reset reason: connection failure\n")
	case "stall":
		t := time.NewTimer(stallMax)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-m.done:
		case <-t.C:
		}
		panic(http.ErrAbortHandler) // close the connection without an answer
	case "truncate", "truncxml":
		rec := record(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.serveSOAP(w, r, op, this, body) }), r)
		half := rec.body.Bytes()[:rec.body.Len()/2]
		copyHeader(w.Header(), rec.header)
		if rule.kind == "truncate" {
			w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(len(half)))
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(half)
		if rule.kind == "truncate" {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			panic(http.ErrAbortHandler) // the rest never comes: connection closed
		}
	case "garbage":
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		g := []byte("\x00\x01\xfe\xffthis is not XML at all }{ <<< &&& ]]> \xc3\x28 \x89PNG\r\n\x1a\n")
		_, _ = w.Write(bytes.Repeat(g, 16))
	case "wrongns":
		rec := record(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.serveSOAP(w, r, op, this, body) }), r)
		out := bytes.ReplaceAll(rec.body.Bytes(), []byte(`xmlns="urn:vim25"`), []byte(`xmlns="urn:vcsim-fixture:wrong-namespace"`))
		copyHeader(w.Header(), rec.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(out)
	case "endless":
		m.endless(w, r, op)
	}
}

// serveNext calls the simulator. Some simulator code paths panic (e.g.
// CreateSnapshot_Task on a VM with a raw-disk backing): instead of a dropped
// connection the client gets a SOAP fault (SystemError) and the panic is logged.
func (m *faultMux) serveNext(w http.ResponseWriter, r *http.Request, op string) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			logf("simulator panic in %s: %v\n%s", op, p, debug.Stack())
			writeFault(w, fmt.Sprintf("vcsim-fixture: the simulator failed in %s: %v", op, p), "SystemError",
				"<reason>"+xmlEsc(fmt.Sprint(p))+"</reason>")
		}
	}()
	m.next.ServeHTTP(w, r)
}

func (m *faultMux) endless(w http.ResponseWriter, r *http.Request, op string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	head := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Body><` + op + `Response xmlns="urn:vim25"><returnval>`
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	var chunk bytes.Buffer
	for i := 0; chunk.Len() < 32<<10; i++ {
		fmt.Fprintf(&chunk, `<objects><obj type="VirtualMachine">vm-endless-%d</obj><propSet><name>name</name><val xsi:type="xsd:string">endless-%d</val></propSet></objects>`, i, i)
	}
	deadline := time.Now().Add(endlessMax)
	for time.Now().Before(deadline) {
		select {
		case <-r.Context().Done():
			return
		case <-m.done:
			panic(http.ErrAbortHandler)
		default:
		}
		if _, err := w.Write(chunk.Bytes()); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
	panic(http.ErrAbortHandler) // never a complete document
}

// dropSession invalidates a simulator session (as an expired vCenter session).
func dropSession(id string) {
	forgetSession(id)
	sm := simulator.Map.SessionManager()
	ctx := &simulator.Context{Context: context.Background(), Session: &simulator.Session{UserSession: types.UserSession{Key: "vcsim-fixture-internal"}}}
	_ = sm.TerminateSession(ctx, &types.TerminateSession{This: sm.Self, SessionId: []string{id}})
}

func xmlEsc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeFault writes a vim25 SOAP fault envelope as vCenter does (HTTP 500).
func writeFault(w http.ResponseWriter, msg, kind, detail string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		`<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring>`+
		`<detail><%sFault xmlns="urn:vim25" xsi:type="%s">%s</%sFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		xmlEsc(msg), kind, kind, detail, kind)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	started bool
}

func newGzipWriter(w http.ResponseWriter) *gzipWriter {
	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	return &gzipWriter{ResponseWriter: w, gz: gz}
}

func (g *gzipWriter) WriteHeader(code int) {
	if g.started {
		return
	}
	g.started = true
	h := g.Header()
	h.Del("Content-Length")
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/xml; charset=utf-8")
	}
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.started {
		g.WriteHeader(http.StatusOK)
	}
	return g.gz.Write(b)
}

func (g *gzipWriter) close() {
	if g.started {
		_ = g.gz.Close()
	}
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}

func record(h http.Handler, req *http.Request) *recorder {
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.header.Get("Content-Type") == "" {
		rec.header.Set("Content-Type", http.DetectContentType(rec.body.Bytes()))
	}
	return rec
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = append([]string(nil), v...)
	}
}

// serveFolder: the datastore HTTP file access (the simulator's /folder),
// logged as "GET /folder" and, like vCenter's, only for a live session
// (the simulator itself does not check the cookie).
func (m *faultMux) serveFolder(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.counts[r.Method+" /folder"]++
	if m.logf != nil {
		_, _ = m.logf.WriteString(r.Method + " /folder\n")
	}
	m.mu.Unlock()
	if _, live := sessionUser(r); !live {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	m.next.ServeHTTP(w, r)
}
