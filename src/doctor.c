/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vmsnapcheck doctor`: can we reach and use this vCenter?  Each step
 * prints OK, WARN or FAIL with a hint; a failed step skips those that
 * depend on it.  Name resolution, TCP and TLS are done here with plain
 * sockets and OpenSSL so each can fail on its own; SOAP, login,
 * privileges and the clock go through the vSphere client.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "vmsnapcheck/cli.h"
#include "vmsnapcheck/doctor.h"
#include "vmsnapcheck/fingerprint.h"
#include "vmsnapcheck/vsphere.h"

#define CONNECT_TIMEOUT_MS 10000
#define SKEW_WARN 60
#define SKEW_FAIL 300
#define CERT_WARN_DAYS 30

enum outcome { STEP_OK, STEP_WARN, STEP_FAIL, STEP_SKIP };

struct doctor {
	FILE *out;
	bool color;
	int failed;
	int warned;
};

static const char *outcome_name(enum outcome o)
{
	switch (o) {
	case STEP_OK: return " OK ";
	case STEP_WARN: return "WARN";
	case STEP_FAIL: return "FAIL";
	case STEP_SKIP: return "SKIP";
	}
	return "????";
}

static void step(struct doctor *d, enum outcome o, const char *name, const char *hint,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void step(struct doctor *d, enum outcome o, const char *name, const char *hint,
		 const char *fmt, ...)
{
	static const char *const colors[] = { "\033[32m", "\033[33m", "\033[31m", "\033[2m" };
	va_list ap;

	if (o == STEP_FAIL)
		d->failed++;
	if (o == STEP_WARN)
		d->warned++;
	fprintf(d->out, "[%s%s%s] %-11s ", d->color ? colors[o] : "", outcome_name(o),
		d->color ? "\033[0m" : "", name);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
	if (hint)
		fprintf(d->out, "       %-11s hint: %s\n", "", hint);
}

/* ---- network steps -------------------------------------------------- */

static int connect_with_timeout(const struct addrinfo *ai, int *fd_out, long *ms,
				char *why, size_t whylen)
{
	struct timespec t0, t1;
	struct pollfd pfd;
	int fd, err = 0;
	socklen_t len = sizeof(err);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, CONNECT_TIMEOUT_MS) <= 0) {
		snprintf(why, whylen, "no answer within %d s", CONNECT_TIMEOUT_MS / 1000);
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		snprintf(why, whylen, "%s", strerror(err ? err : errno));
		close(fd);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*fd_out = fd;
	return 0;
}

static void addr_text(const struct addrinfo *ai, char *buf, size_t len)
{
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, (socklen_t)len, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, len, "?");
}

static void x509_name(X509_NAME *n, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int got;

	buf[0] = '\0';
	if (!b)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	got = BIO_read(b, buf, (int)len - 1);
	buf[got > 0 ? got : 0] = '\0';
	BIO_free(b);
}

static void fingerprint(X509 *cert, const EVP_MD *md, char *buf, size_t len)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	buf[0] = '\0';
	if (X509_digest(cert, md, d, &n))
		vmsc_fingerprint_format(d, n, buf, len);
}

/* --thumbprint as the check applies it (SHA-256 or SHA-1 of the leaf). */
static bool thumbprint_matches(const char *want, X509 *cert)
{
	unsigned char pin[VMSC_FINGERPRINT_MAX], d[EVP_MAX_MD_SIZE];
	int n = vmsc_fingerprint_parse(want, pin);
	unsigned got = 0;

	return n > 0 && X509_digest(cert, n == 20 ? EVP_sha1() : EVP_sha256(), d, &got) &&
	       got == (unsigned)n && memcmp(d, pin, got) == 0;
}

/* The TLS step: handshake, then what a human needs to decide on trust. */
static bool check_tls(struct doctor *d, const struct vmsc_options *o, const char *host, int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	X509 *cert = NULL;
	bool ok = false;
	char subject[512], issuer[512], sha256[100], hint[700];
	long verify;
	int days = 0, secs = 0;

	if (!ctx)
		goto out;
	if (o->cacert) {
		if (SSL_CTX_load_verify_locations(ctx, o->cacert, NULL) != 1) {
			step(d, STEP_FAIL, "tls", "check the file is a PEM CA certificate",
			     "cannot read CA certificates from '%s'", o->cacert);
			goto out;
		}
	} else {
		SSL_CTX_set_default_verify_paths(ctx);
	}
	ssl = SSL_new(ctx);
	if (!ssl)
		goto out;
	SSL_set_tlsext_host_name(ssl, host);
	SSL_set1_host(ssl, host);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		char e[256];

		ERR_error_string_n(ERR_get_error(), e, sizeof(e));
		step(d, STEP_FAIL, "tls", "is this port a TLS (HTTPS) endpoint? vCenter answers on 443",
		     "handshake with '%s' failed: %s", host, e);
		goto out;
	}
	cert = SSL_get1_peer_certificate(ssl);
	if (!cert) {
		step(d, STEP_FAIL, "tls", NULL, "'%s' sent no certificate", host);
		goto out;
	}
	x509_name(X509_get_subject_name(cert), subject, sizeof(subject));
	x509_name(X509_get_issuer_name(cert), issuer, sizeof(issuer));
	fingerprint(cert, EVP_sha256(), sha256, sizeof(sha256));
	ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(cert));
	verify = SSL_get_verify_result(ssl);
	snprintf(hint, sizeof(hint), "use --cacert FILE with its CA, --thumbprint %s to pin it, "
		 "or -k to skip verification", sha256);
	if (days < 0 || (days == 0 && secs < 0)) {
		step(d, STEP_FAIL, "tls", "renew the vCenter certificate (vSphere Certificate Manager)",
		     "certificate of '%s' has expired", host);
	} else if (o->thumbprint) {
		if (thumbprint_matches(o->thumbprint, cert)) {
			step(d, STEP_OK, "tls", NULL, "certificate matches --thumbprint");
			ok = true;
		} else {
			step(d, STEP_FAIL, "tls", hint, "certificate does not match --thumbprint");
		}
	} else if (verify != X509_V_OK) {
		if (o->insecure) {
			step(d, STEP_WARN, "tls", hint, "not trusted (%s), accepted because of -k",
			     X509_verify_cert_error_string(verify));
			ok = true;
		} else {
			step(d, STEP_FAIL, "tls", hint, "certificate not trusted: %s",
			     X509_verify_cert_error_string(verify));
		}
	} else if (days < CERT_WARN_DAYS) {
		step(d, STEP_WARN, "tls", "renew the certificate soon", "trusted, expires in %d days",
		     days);
		ok = true;
	} else {
		step(d, STEP_OK, "tls", NULL, "certificate trusted");
		ok = true;
	}
	fprintf(d->out, "       %-11s %s %s (%s, %s)\n", "", "certificate", subject,
		SSL_get_version(ssl), SSL_get_cipher(ssl));
	fprintf(d->out, "       %-11s issuer %s\n", "", issuer);
	fprintf(d->out, "       %-11s expires in %d days, SHA-256 %s\n", "", days, sha256);
out:
	X509_free(cert);
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	return ok;
}

/* ---- SOAP steps ------------------------------------------------------ */

static const char *const privileges[] = {
	"System.View",
	"VirtualMachine.State.CreateSnapshot",
	"VirtualMachine.State.RemoveSnapshot",
};

static void check_api(struct doctor *d, const struct vmsc_options *o,
		      const struct vmsc_server *srv, bool probe)
{
	struct vmsc_vsphere_options vo = { 0 };
	struct vmsc_vsphere *c;
	struct vmsc_error err = { 0 };
	char *password = NULL;
	bool granted[3];
	time_t server_now, before, after;
	long skew;

	vmsc_cli_vsphere_options(o, srv, &vo);
	c = vmsc_vsphere_new(&vo, &err);
	if (!c) {
		step(d, STEP_FAIL, "sdk", NULL, "%s", err.message);
		return;
	}
	if (vmsc_vsphere_lookup_service(c, &err) < 0) {
		step(d, STEP_FAIL, "sdk", "check the URL path (usually /sdk) and that this is vCenter "
		     "or ESXi", "%s", err.message);
		goto out;
	}
	{
		const struct vmsc_vsphere_about *a = vmsc_vsphere_get_about(c);

		step(d, STEP_OK, "sdk", NULL, "%s answers SOAP at %s", srv->url.host, srv->url.url);
		step(d, STEP_OK, "version", NULL, "%s (%s, API %s, build %s)",
		     a->full_name ? a->full_name : "?", a->api_type ? a->api_type : "?",
		     a->api_version ? a->api_version : "?", a->build ? a->build : "?");
	}
	if (!vo.username) {
		step(d, STEP_FAIL, "login", "use -u, VMSNAPCHECK_USERNAME or GOVC_USERNAME",
		     "no user name");
		goto out;
	}
	password = vmsc_password_read(o, srv, &err);
	vmsc_password_forget_env();
	if (!password) {
		step(d, STEP_FAIL, "login", NULL, "%s", err.message);
		goto out;
	}
	/* the same client and connection: only now is the password known */
	vmsc_vsphere_set_password(c, password);
	if (vmsc_vsphere_login(c, &err) < 0) {
		step(d, STEP_FAIL, "login", err.code == VMSC_E_LOGIN ?
		     "check the user name (user@domain) and password; locked accounts fail the same way" :
		     NULL, "%s", err.message);
		goto out;
	}
	step(d, STEP_OK, "login", NULL, "logged in as '%s'", vo.username);

	if (vmsc_vsphere_lookup_privileges(c, privileges, 3, granted, &err) < 0) {
		step(d, STEP_WARN, "privileges", NULL, "cannot check privileges: %s", err.message);
	} else {
		step(d, granted[0] ? STEP_OK : STEP_FAIL, "privileges",
		     granted[0] ? NULL : "grant the Read-only role (System.View) on the vCenter root, propagated",
		     "System.View on the root folder: %s", granted[0] ? "granted" : "missing");
		for (int i = 1; i < 3; i++) {
			enum outcome oc = granted[i] ? STEP_OK : probe ? STEP_FAIL : STEP_WARN;

			step(d, oc, "privileges",
			     granted[i] ? NULL : "needed only for --probe: add it to the user's role",
			     "%s: %s", privileges[i], granted[i] ? "granted" : "missing");
		}
	}

	before = time(NULL);
	if (vmsc_vsphere_lookup_time(c, &server_now, &err) < 0) {
		step(d, STEP_WARN, "clock", NULL, "cannot read the server time: %s", err.message);
	} else {
		after = time(NULL);
		skew = (long)(server_now - (before + (after - before) / 2));
		if (labs(skew) >= SKEW_FAIL)
			step(d, STEP_FAIL, "clock", "fix NTP on this host or the vCenter: SSO tokens fail "
			     "beyond a few minutes of skew", "clock skew %+ld s against vCenter", skew);
		else if (labs(skew) >= SKEW_WARN)
			step(d, STEP_WARN, "clock", "check NTP; snapshot ages use vCenter's clock",
			     "clock skew %+ld s against vCenter", skew);
		else
			step(d, STEP_OK, "clock", NULL, "clock skew %+ld s against vCenter", skew);
	}
out:
	if (c)
		vmsc_vsphere_logout(c);
	vmsc_vsphere_free(c);
	vmsc_password_free(password);
}

static void doctor_server(struct doctor *d, const struct vmsc_options *o,
			  const struct vmsc_server *srv, bool probe)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char port[16], addr[INET6_ADDRSTRLEN + 8], list[512] = "";
	char why[256] = "";
	int fd = -1, rc;
	long ms = 0;
	size_t pos = 0;

	fprintf(d->out, "vmsnapcheck doctor: %s\n", srv->url.url);
	snprintf(port, sizeof(port), "%d", srv->url.port);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	rc = getaddrinfo(srv->url.host, port, &hints, &res);
	if (rc != 0) {
		step(d, STEP_FAIL, "resolve", "check the server name, DNS or /etc/hosts",
		     "cannot resolve '%s': %s", srv->url.host, gai_strerror(rc));
		return;
	}
	for (ai = res; ai && pos + 2 < sizeof(list); ai = ai->ai_next) {
		addr_text(ai, addr, sizeof(addr));
		if (!strstr(list, addr))
			pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%s", pos ? ", " : "", addr);
	}
	step(d, STEP_OK, "resolve", NULL, "%s is %s", srv->url.host, list);

	for (ai = res; ai; ai = ai->ai_next) {
		addr_text(ai, addr, sizeof(addr));
		if (connect_with_timeout(ai, &fd, &ms, why, sizeof(why)) == 0)
			break;
	}
	if (fd < 0) {
		step(d, STEP_FAIL, "connect", "check the port, firewalls and that vCenter is up",
		     "cannot connect to '%s' port %d: %s", srv->url.host, srv->url.port, why);
		freeaddrinfo(res);
		return;
	}
	step(d, STEP_OK, "connect", NULL, "%s port %d in %ld ms", addr, srv->url.port, ms);
	freeaddrinfo(res);
	if (!check_tls(d, o, srv->url.host, fd)) {
		close(fd);
		return;
	}
	close(fd);
	check_api(d, o, srv, probe);
}

int vmsc_doctor(const struct vmsc_options *o, bool probe, bool color, FILE *out)
{
	struct doctor d = { .out = out, .color = color };

	for (size_t i = 0; i < o->n_servers; i++) {
		if (i)
			fputc('\n', out);
		doctor_server(&d, o, &o->servers[i], probe);
	}
	fprintf(out, "\n%s: %d failed, %d warnings\n", d.failed ? "FAIL" : "OK", d.failed, d.warned);
	return d.failed ? 3 : 0;
}
