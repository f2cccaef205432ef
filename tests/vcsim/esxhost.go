// -guest-transfers: where InitiateFileTransferFromGuest's URL points. On a
// real vCenter it names the ESXi host running the VM, a server with its own
// certificate (HostSystem summary.config.sslThumbprint) that authorises the
// GET by the token alone. The "host" modes open a second HTTPS listener as
// that ESXi host, so a client must verify and address it on its own and must
// not send it the vCenter session cookie. See README.md (Guest operations).

package main

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
)

const (
	transfersVCenter     = "vcenter"
	transfersHost        = "host"
	transfersHostWrongTP = "host-wrong-thumbprint"
	transfersHostDown    = "host-unreachable"
	// a CA-trusted host certificate that names another host than the URL
	// (and a wrong reported thumbprint): only a name check refuses it
	transfersHostMisnamed = "host-misnamed"
)

var guestTransferMode = transfersVCenter

// esxHost is the simulated ESXi host of the host modes.
type esxHost struct {
	leaf     *x509.Certificate
	url      string // https://127.0.0.1:PORT2 (nothing listens in host-unreachable)
	reported string // what every HostSystem reports as summary.config.sslThumbprint
	srv      *http.Server
	serveErr chan error
}

// startESXHost opens the host listener (not in host-unreachable), points the
// transfer URLs at it and sets every HostSystem's thumbprint.
func startESXHost(mode string, mux *faultMux) (*esxHost, error) {
	var cert tls.Certificate
	var err error
	if mode == transfersHostMisnamed {
		cert, err = selfSignedNames("esx-other", []string{"esx-other.example"}, nil)
	} else {
		cert, err = selfSignedCN("127.0.0.1:0", "esx-sim")
	}
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, err
	}
	h := &esxHost{leaf: leaf, reported: fingerprint(sha1sum(leaf.Raw)), serveErr: make(chan error, 1)}
	if mode == transfersHostWrongTP || mode == transfersHostMisnamed {
		// a thumbprint of no certificate the fixture serves (not the vCenter's either)
		var b [32]byte
		_, _ = rand.Read(b[:])
		h.reported = fingerprint(sha1sum(b[:]))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("host listener: %s", err)
	}
	h.url = "https://" + ln.Addr().String()
	if mode == transfersHostMisnamed {
		h.url = fmt.Sprintf("https://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	}
	if mode == transfersHostDown {
		// a port where nothing listens: the client gets "connection refused"
		_ = ln.Close()
	} else {
		h.srv = &http.Server{
			Handler:           &esxHostHandler{mux: mux},
			ReadHeaderTimeout: 60 * time.Second,
			TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12},
			ErrorLog:          log.New(&tlsLogFilter{os.Stderr}, "vcsim-fixture: esx host: ", 0),
		}
		go func() { h.serveErr <- h.srv.ServeTLS(ln, "", "") }()
	}
	guests.mu.Lock()
	guests.hostURL = h.url
	guests.mu.Unlock()
	for _, e := range simulator.Map.All("HostSystem") {
		hs, ok := e.(*simulator.HostSystem)
		if !ok {
			continue
		}
		hs.Summary.Config.SslThumbprint = h.reported
	}
	return h, nil
}

// esxServeErr: the host server's exit (never, without one).
func esxServeErr(h *esxHost) <-chan error {
	if h == nil {
		return nil
	}
	return h.serveErr
}

func (h *esxHost) close() {
	if h != nil && h.srv != nil {
		_ = h.srv.Close()
	}
}

// esxHostHandler serves GET /guestFile?id=TOKEN only. Like ESXi, the token
// is the authorisation; a vCenter session cookie here means the client leaked
// it to another server, which must fail visibly.
type esxHostHandler struct{ mux *faultMux }

func (e *esxHostHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mux.mu.Lock()
	if e.mux.logf != nil {
		_, _ = e.mux.logf.WriteString(r.Method + " " + r.URL.Path + " (host)\n")
	}
	e.mux.mu.Unlock()
	if r.URL.Path != "/guestFile" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if _, err := r.Cookie(soap.SessionCookieName); err == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "vCenter session cookie sent to an ESXi host")
		return
	}
	serveTransfer(w, r.URL.Query().Get("id"))
}
