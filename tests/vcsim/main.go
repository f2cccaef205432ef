// vcsim-fixture: a vCenter simulator for vmsnapcheck's integration tests,
// built on Debian's govmomi simulator (0.24.2). See README.md.

package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

var quiet, profiling, viaTask, useGzip bool

func logf(format string, args ...interface{}) {
	if !quiet {
		fmt.Fprintf(os.Stderr, "vcsim-fixture: "+format+"\n", args...)
	}
}

func fatalf(code int, format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vcsim-fixture: "+format+"\n", args...)
	os.Exit(code)
}

func main() {
	var (
		scenarioFile = flag.String("scenario", "", "load VMs from a JSON scenario `FILE`")
		ndatastores  = flag.Int("datastores", 0, "also create `N` datastores in DC0 (gen-ds-0000...), for paging")
		nvms         = flag.Int("vms", 0, "also generate `N` VMs with realistic shapes (deterministic)")
		seed         = flag.Int64("seed", 1, "seed for -vms")
		listen       = flag.String("listen", "127.0.0.1:0", "listen `ADDR` (HTTPS)")
		username     = flag.String("username", "", "only this user may log in (with -password-file)")
		passwordFile = flag.String("password-file", "", "`FILE` holding the only accepted password (first line)")
		envFile      = flag.String("env-file", "", "when ready, write VCSIM_URL/CERT/PID/SHA256/SHA1 to `FILE` (atomically); the cert goes to FILE.pem")
		requestLog   = flag.String("request-log", "", "append each SOAP operation name to `FILE`, one per line")
		pageMaxFlag  = flag.Int("page-max", 0, "never return more than `N` objects per RetrievePropertiesEx page (0 = no cap)")
		pageDefault  = flag.Int("page-default", 100, "page size when the client sets no maxObjects")
		tlsCert      = flag.String("tls-cert", "", "serve this PEM certificate `FILE` (with -tls-key) instead of a fresh self-signed one")
		tlsKey       = flag.String("tls-key", "", "PEM private key `FILE` for -tls-cert")
		trace        = flag.Bool("trace", false, "log SOAP traffic to stderr (simulator trace)")
		quietFlag    = flag.Bool("quiet", false, "no progress messages on stderr")
		gzipFlag     = flag.Bool("gzip", false, "gzip responses when the client sends Accept-Encoding: gzip (vCenter does; the simulator does not)")
		createTask   = flag.Bool("create-task", false, "create VMs with the simulator's CreateVM_Task (VM files and events exist; slower)")
		tmpDir       = flag.String("tmpdir", "", "`DIR` for the simulator's datastore directories (default $TMPDIR or /tmp; a tmpfs such as /dev/shm speeds up big inventories)")
		cpuProfile   = flag.String("cpuprofile", "", "write a CPU profile of the start-up to `FILE` (development)")
		noHistory    = flag.Bool("no-task-history", false, "TaskManager.CreateCollectorForTasks answers NotSupported (a server without task history)")
		histPageMax  = flag.Int("history-page-max", 0, "never return more than `N` tasks per ReadNextTasks/ReadPreviousTasks (0 = no cap but 1000)")
		keyedFlag    = flag.String("keyed-paths", "vcenter", "answer keyed paths (config.extraConfig[\"KEY\"]) as `MODE`: vcenter (the OptionValue, missingSet when unset), missingset (every VM's missingSet, the stock simulator) or fault (refuse the request)")
		realisticFlg = flag.Bool("realistic", false, "-vms: heavier VMs (150-300 extraConfig keys with a few 8-32 KB guestinfo blobs, more devices, 1-4 snapshots each), for bench/")
		noExtraFlag  = flag.Bool("no-extra-config", false, "give every VM an empty extraConfig (a bench baseline)")
		transfers    = flag.String("guest-transfers", transfersVCenter, "serve guest file transfers as `MODE`: vcenter (URL https://*:PORT on this listener), host (a second HTTPS listener with its own certificate, the \"ESXi host\", whose SHA-1 every HostSystem reports), host-wrong-thumbprint (as host, HostSystems report a wrong SHA-1) host-unreachable (the URL names a port where nothing listens) or host-misnamed (URL https://localhost:PORT2, a certificate naming only esx-other.example, a wrong reported SHA-1)")
		faults       multiFlag
		denied       multiFlag
	)
	flag.Var(&faults, "fault", "inject a fault, `SPEC` (repeatable): see README.md")
	flag.Var(&denied, "deny-privilege", "report privilege `PRIV` as not granted (repeatable), e.g. VirtualMachine.State.CreateSnapshot")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: vcsim-fixture [-scenario FILE] [-vms N] [options]\n\n")
		flag.PrintDefaults()
		fmt.Fprintf(flag.CommandLine.Output(), "\nfault SPECs:\n  nopermission:GLOB    VMs whose name matches GLOB come back with a NoPermission missingSet\n")
		for _, k := range []string{"notauth", "http500", "http503", "stall", "truncate", "truncxml", "garbage", "wrongns", "endless", "slow"} {
			fmt.Fprintf(flag.CommandLine.Output(), "  %s\n", faultKinds[k])
		}
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fatalf(2, "unexpected argument %q", flag.Arg(0))
	}
	quiet = *quietFlag
	simulator.Trace = *trace
	if *pageMaxFlag < 0 || *pageDefault < 1 || *nvms < 0 || *histPageMax < 0 {
		fatalf(2, "-page-max, -page-default, -history-page-max and -vms must not be negative")
	}
	pageMax, defaultPageSize = *pageMaxFlag, *pageDefault
	switch *keyedFlag {
	case "vcenter", "missingset", "fault":
		keyedMode = *keyedFlag
	default:
		fatalf(2, "-keyed-paths %q: one of vcenter, missingset, fault", *keyedFlag)
	}
	switch *transfers {
	case transfersVCenter, transfersHost, transfersHostWrongTP, transfersHostDown, transfersHostMisnamed:
		guestTransferMode = *transfers
	default:
		fatalf(2, "-guest-transfers %q: one of vcenter, host, host-wrong-thumbprint, host-unreachable, host-misnamed", *transfers)
	}
	genRealistic, noExtraConfig = *realisticFlg, *noExtraFlag
	noTaskHistory, historyPageMax = *noHistory, *histPageMax
	for _, p := range denied {
		if p == "" || strings.ContainsAny(p, " \t,") {
			fatalf(2, "-deny-privilege %q: one privilege id, e.g. VirtualMachine.State.CreateSnapshot", p)
		}
		deniedPrivileges[p] = true
	}

	var rules []*faultRule
	for _, f := range faults {
		r, err := parseFault(f)
		if err != nil {
			fatalf(2, "%s", err)
		}
		if r != nil {
			rules = append(rules, r)
		}
	}
	var login *url.Userinfo
	if *username != "" || *passwordFile != "" {
		if *username == "" || *passwordFile == "" {
			fatalf(2, "-username and -password-file go together")
		}
		data, err := os.ReadFile(*passwordFile)
		if err != nil {
			fatalf(2, "%s", err)
		}
		pw := strings.SplitN(string(data), "\n", 2)[0]
		pw = strings.TrimSuffix(pw, "\r")
		if pw == "" {
			fatalf(2, "%s: empty password", *passwordFile)
		}
		login = url.UserPassword(*username, pw)
	}
	var specs []VMSpec
	var dsSpecs []DatastoreSpec
	if *scenarioFile != "" {
		sc, err := LoadScenario(*scenarioFile)
		if err != nil {
			fatalf(2, "%s", err)
		}
		specs = append(specs, sc.VMs...)
		dsSpecs = append(dsSpecs, sc.Datastores...)
	}
	dsSpecs = append(dsSpecs, GenerateDatastores(*ndatastores)...)
	if *nvms > 0 {
		specs = append(specs, Generate(*nvms, *seed)...)
	}
	if *tmpDir != "" {
		if st, err := os.Stat(*tmpDir); err != nil || !st.IsDir() {
			fatalf(2, "-tmpdir %s: not a directory", *tmpDir)
		}
		os.Setenv("TMPDIR", *tmpDir) // the simulator uses os.TempDir()
	}
	if *envFile != "" {
		// a harness waiting for the file must never read a stale one
		_ = os.Remove(*envFile)
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fatalf(2, "%s", err)
		}
		_ = pprof.StartCPUProfile(f)
		profiling = true
	}
	viaTask = *createTask
	useGzip = *gzipFlag
	code := run(specs, dsSpecs, *listen, login, *envFile, *requestLog, rules, *tlsCert, *tlsKey)
	os.Exit(code)
}

func run(specs []VMSpec, dsSpecs []DatastoreSpec, listen string, login *url.Userinfo, envFile, requestLog string, rules []*faultRule, certFile, keyFile string) int {
	t0 := time.Now()
	start := t0.UTC().Truncate(time.Second)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	// A harness that closes our stdout/stderr pipe must not kill us mid-test.
	signal.Ignore(syscall.SIGPIPE)

	// Certificate first: cheap to fail early.
	var cert tls.Certificate
	var err error
	if certFile != "" || keyFile != "" {
		cert, err = tls.LoadX509KeyPair(certFile, keyFile)
	} else {
		cert, err = selfSigned(listen)
	}
	if err != nil {
		logf("certificate: %s", err)
		return 1
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		logf("certificate: %s", err)
		return 1
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		logf("listen %s: %s", listen, err)
		return 1
	}

	// The simulator logs chatter while the inventory is built (e.g. each
	// existing .vmsn it skips): silence it until the server runs.
	log.SetOutput(io.Discard)
	// Building a big inventory allocates a lot of long-lived objects: collect
	// less often meanwhile (the GC dominated start-up at 10k VMs).
	gc := debug.SetGCPercent(400)
	m := simulator.VPX()
	m.Machine = 0 // only the scenario's / generated VMs
	if err := m.Create(); err != nil {
		logf("model: %s", err)
		return 1
	}
	defer m.Remove()

	ctx := context.Background()
	b, err := newBuilder(ctx, m.Service, start)
	if err != nil {
		logf("%s", err)
		return 1
	}
	defer b.cleanup()
	b.viaTask = viaTask
	if err := b.datastores(dsSpecs, specs); err != nil {
		logf("%s", err)
		return 1
	}
	for i := range specs {
		vm, err := b.createVM(&specs[i])
		if err != nil {
			logf("%s", err)
			return 1
		}
		if specs[i].SnapshotTask != nil {
			snapshotBehaviour[vm.Self] = specs[i].SnapshotTask
		}
		history.addScenario(vm, specs[i].TaskHistory, start)
		if specs[i].Guest != nil {
			addGuestVM(vm, specs[i].Guest, specs[i].isWindows(), start)
		}
		if (i+1)%2000 == 0 {
			logf("%d/%d VMs", i+1, len(specs))
		}
		select {
		case s := <-sigs:
			logf("%s during start-up: stopping", s)
			return 1
		default:
		}
	}
	registerPagingCollector()
	registerTaskManager()
	for _, p := range registerAuthorizationManager() {
		logf("-deny-privilege %s: not a privilege of the simulator's roles (denied anyway)", p)
	}
	log.SetOutput(os.Stderr)
	debug.SetGCPercent(gc)

	// The simulator's server: only its handler is used; we serve it on our own
	// TLS listener behind the fault middleware.
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: login}
	m.Service.TLS = nil
	srv := m.Service.NewServer()
	_ = srv.Listener.Close()
	defer srv.Close()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	hostPort := net.JoinHostPort(host, port)
	simulator.Map.SessionManager().ServiceHostName = hostPort
	registerGuestOperations(port)
	sdkURL := "https://" + hostPort + "/sdk"

	mux, err := newFaultMux(srv.Config.Handler, rules, requestLog)
	if err != nil {
		logf("request log: %s", err)
		return 1
	}
	mux.gzip = useGzip
	var esx *esxHost
	if guestTransferMode != transfersVCenter {
		if esx, err = startESXHost(guestTransferMode, mux); err != nil {
			logf("%s", err)
			return 1
		}
		defer esx.close()
	}
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 60 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12},
		ErrorLog:          log.New(&tlsLogFilter{os.Stderr}, "vcsim-fixture: ", 0),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.ServeTLS(ln, "", "") }()

	var pemFile string
	if envFile != "" {
		pemFile = envFile + ".pem"
		pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
		if err := writeAtomic(pemFile, pemData); err != nil {
			logf("%s", err)
			return 1
		}
		defer os.Remove(pemFile) // on any exit: the files describe a running server
		if abs, err := filepath.Abs(pemFile); err == nil {
			pemFile = abs
		}
		env := fmt.Sprintf("VCSIM_URL=%s\nVCSIM_CERT=%s\nVCSIM_PID=%d\nVCSIM_SHA256=%s\nVCSIM_SHA1=%s\n",
			sdkURL, pemFile, os.Getpid(), fingerprint(sha256sum(leaf.Raw)), fingerprint(sha1sum(leaf.Raw)))
		if esx != nil {
			hostPem := envFile + ".host.pem"
			if err := writeAtomic(hostPem, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: esx.leaf.Raw})); err != nil {
				logf("%s", err)
				return 1
			}
			defer os.Remove(hostPem)
			if abs, err := filepath.Abs(hostPem); err == nil {
				hostPem = abs
			}
			env += fmt.Sprintf("VCSIM_HOST_URL=%s\nVCSIM_HOST_CERT=%s\nVCSIM_HOST_SHA1=%s\nVCSIM_HOST_REPORTED_SHA1=%s\n",
				esx.url, hostPem, fingerprint(sha1sum(esx.leaf.Raw)), esx.reported)
		}
		if err := writeAtomic(envFile, []byte(env)); err != nil {
			logf("%s", err)
			return 1
		}
		defer os.Remove(envFile)
	}
	if profiling {
		pprof.StopCPUProfile()
	}
	fmt.Printf("VCSIM_URL=%s\n", sdkURL)
	logf("%d VMs ready in %.2fs (cpu %.2fs) at %s", len(specs), time.Since(t0).Seconds(), cpuSeconds(), sdkURL)

	code := 0
	select {
	case s := <-sigs:
		logf("%s: stopping", s)
	case err := <-serveErr:
		logf("server: %s", err)
		code = 1
	case err := <-esxServeErr(esx):
		logf("esx host server: %s", err)
		code = 1
	}
	mux.close()
	_ = hs.Close()
	return code
}

// tlsLogFilter drops the per-connection TLS handshake noise of clients that
// (rightly) reject the self-signed certificate.
type tlsLogFilter struct{ w io.Writer }

func (f *tlsLogFilter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "TLS handshake error") {
		return len(p), nil
	}
	return f.w.Write(p)
}

func selfSigned(listen string) (tls.Certificate, error) {
	return selfSignedCN(listen, "vcsim-fixture")
}

// selfSignedCN: a fresh key and certificate named CN (SAN 127.0.0.1, ::1,
// localhost and the listen host).
func selfSignedCN(listen, cn string) (tls.Certificate, error) {
	dns := []string{"localhost"}
	ips := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	if h, _, err := net.SplitHostPort(listen); err == nil && h != "" {
		if ip := net.ParseIP(h); ip != nil {
			if !ip.IsLoopback() && !ip.IsUnspecified() {
				ips = append(ips, ip)
			}
		} else if h != "localhost" {
			dns = append(dns, h)
		}
	}
	return selfSignedNames(cn, dns, ips)
}

// selfSignedNames: a self-signed (CA) certificate naming exactly these.
func selfSignedNames(cn string, dns []string, ips []net.IP) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"vmsnapcheck tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func sha256sum(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
func sha1sum(b []byte) []byte   { h := sha1.Sum(b); return h[:] }

func fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, c := range sum {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

func writeAtomic(file string, data []byte) error {
	dir := filepath.Dir(file)
	f, err := os.CreateTemp(dir, "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return errors.New("write " + file + ": " + err.Error())
	}
	return nil
}
