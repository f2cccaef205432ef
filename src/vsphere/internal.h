/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSC_VSPHERE_INTERNAL_H
#define VMSC_VSPHERE_INTERNAL_H

/* Shared by src/vsphere/ only: this is where gSOAP and curl types live. */

#include <string.h>
#include <curl/curl.h>
#include <libxml/xmlreader.h>

#include "vimH.h"
#include "vmsnapcheck/vsphere.h"

/* The call of one vim25 operation, in the shape vmsc_call() takes: one line
 * per operation instead of one function each. */
#define VMSC_INVOKER(fn, op)                                                        \
	static int fn(struct vmsc_vsphere *c, void *req, void *resp)                \
	{                                                                            \
		return soap_call___vim__##op(c->soap, c->opts.url, c->action, req, resp); \
	}

#define VMSC_MAX_OPS 32
#define VMSC_LANES 3
#define VMSC_PROP_ROUTES 128   /* a power of two */
#define VMSC_PROP_NAME_MAX 80

struct vmsc_lane;

/* A CustomFieldDef that applies to VMs: customValue keys are named by it. */
struct vmsc_custom_field {
	int key;
	char *name;
};

struct vmsc_transport {
	CURL *curl;
	struct curl_slist *resolve;
	const struct vmsc_vsphere_options *opts;
	size_t max_bytes;
	curl_off_t received;          /* this transfer */
	unsigned long long total_received;
	bool over_cap;
	bool interrupted;
	/* TLS: what the handshake saw, for messages and pinning */
	unsigned char pin[32];
	size_t pin_len;               /* 0 = no pinning, 20 = SHA-1, 32 = SHA-256 */
	char peer_sha256[100];        /* AA:BB:..., of the leaf certificate */
	bool pin_mismatch;
	int verify_error;             /* X509_V_ERR_* of the leaf, 0 = none */
	/* an ESXi host's file transfer (vmsc_transport_for_host) */
	bool host_mode;
	unsigned char host_pin[32];
	size_t host_pin_len;          /* 0: vCenter reported no thumbprint */
	int chain_error;              /* first X509_V_ERR_* above the leaf */
	char check_host[256];         /* the name the certificate must carry */
	char status_line[256];        /* last HTTP status line */
	bool fresh;                   /* next request on a new connection, not a pooled one */
};

int vmsc_transport_init(struct vmsc_transport *t, const struct vmsc_vsphere_options *o,
			struct vmsc_error *err);
void vmsc_transport_release(struct vmsc_transport *t);
/* Before each request (applies and clears `fresh`). */
void vmsc_transport_begin(struct vmsc_transport *t);
/*
 * Re-aims an initialised transport at an ESXi host that serves guest file
 * transfers.  vCenter's pin (--thumbprint) is vCenter's certificate, not
 * the host's: the host is trusted through a CA (system or --cacert, with
 * its name checked) or through the thumbprint vCenter reports for it
 * (`thumbprint`, may be NULL); -k still turns checking off.
 */
int vmsc_transport_for_host(struct vmsc_transport *t, const char *host, const char *thumbprint,
			    struct vmsc_error *err);
/* Forgets the session cookie (re-login must not reuse it). */
void vmsc_transport_drop_cookies(struct vmsc_transport *t);

/* ---- wiping what carried the password (wipe.c) ------------------------ */

/* curl_global_init() with allocators that clear memory before freeing it. */
int vmsc_wipe_global_init(long flags);
/* After soap_curl is registered: requests are cleared as libcurl reads them. */
int vmsc_wipe_install(struct vmsc_vsphere *c);
/* Clears a request the plugin still holds (before soap_curl_reset, soap_free). */
void vmsc_wipe_pending(struct soap *soap);
/* Clears dead stack below the caller, after a Login. */
void vmsc_wipe_stack(void);
/* After a call that sent a password (Login, every guest op): the tail of
 * the request left in gSOAP's send/receive buffer, and the dead stack. */
void vmsc_wipe_sent(struct soap *soap);

/* Why a session-bound call failed in a way its caller recovers from by
 * starting its retrieval over (set by vmsc_call). */
enum vmsc_restart {
	VMSC_RESTART_NONE = 0,
	VMSC_RESTART_RELOGIN,         /* session expired, logged in again: view and tokens are gone */
	VMSC_RESTART_RECONNECT,       /* connection dropped mid-reply: same session, new connection */
};

struct vmsc_vsphere {
	struct vmsc_vsphere_options opts;
	struct soap *soap;
	struct vmsc_transport tr;
	char *action;                 /* SOAPAction: "urn:vim25/<apiVersion>" */
	bool logged_in;
	bool relogged;                /* re-login is allowed once per run */
	bool reconnected;             /* so is starting over after a dropped connection */
	enum vmsc_restart restart;    /* of the last vmsc_call */

	/* service content, copied out of the soap arena */
	char *property_collector;
	char *view_manager;
	char *root_folder;
	char *session_manager;
	char *search_index;
	char *authorization_manager;
	char *task_manager;
	char *custom_fields_manager;
	char *guest_operations_manager; /* NULL: no guest operations (guest.c) */
	char *session_key;            /* UserSession.key, for privilege checks */
	/* custom attribute definitions of VMs (and global ones), read once */
	struct vmsc_custom_field *custom_fields;
	size_t n_custom_fields;
	bool custom_fields_read;
	struct vmsc_vsphere_about about;

	/* What a retrieval's objects are read into: NULL = VMs (struct
	 * vmsc_vm_facts), else a plain record (the Datastore view); and the name
	 * its dropped prefetches are counted under.  Set by fetch.c per retrieval. */
	const struct vmsc_fact_record *read_record;
	const char *continue_op;

	/* Keyed paths (config.extraConfig["KEY"]), found out once per vCenter
	 * (fetch.c): whether the server answers them, the key a calibration
	 * read found, and how many keyed values values.c has read. */
	enum { VMSC_KEYED_UNKNOWN, VMSC_KEYED_YES, VMSC_KEYED_NO } keyed;
	bool calib_capture;
	char *calib_key;
	unsigned long keyed_values;

	/* read_property's routes by property name (values.c): every VM of a
	 * page names the same properties, resolved once instead of per VM */
	struct vmsc_prop_route {
		char name[VMSC_PROP_NAME_MAX]; /* "" = free slot */
		int kind;
		const void *target;
	} routes[VMSC_PROP_ROUTES];

	struct vmsc_request_count counts[VMSC_MAX_OPS];
	size_t n_counts;

	xmlTextReaderPtr reader;      /* reused for every captured value */
	xmlTextReaderPtr stream_reader; /* reused for every streamed page */
	CURLM *multi;                 /* streamed pages (stream.c) */
	struct vmsc_lane *lanes[VMSC_LANES]; /* 0: every call's; 1, 2: pages asked ahead */
	struct soap *call_soap;       /* where vmsc_call's current call ran */
	struct vmsc_transport *call_tr;
	CURLSH *share;                /* one connection for both ways of calling */
	volatile sig_atomic_t *saved_interrupted; /* while cleanup runs uninterruptible */
	int (*plugin_connect)(struct soap *, const char *, const char *, int);
};

/* Whether a property path is a keyed one: config.extraConfig["KEY"]. */
#define VMSC_EXTRA_CONFIG "config.extraConfig"
static inline bool vmsc_keyed_path(const char *p)
{
	return strncmp(p, VMSC_EXTRA_CONFIG "[", sizeof(VMSC_EXTRA_CONFIG)) == 0;
}

/* ---- calls ---------------------------------------------------------- */

enum vmsc_call_flags {
	VMSC_CALL_READ = 1,           /* may be retried on HTTP 503 */
	VMSC_CALL_NO_RELOGIN = 2,     /* Login/Logout themselves */
	VMSC_CALL_SESSION_BOUND = 4,  /* uses session state (view, token): caller restarts */
};

typedef int (*vmsc_invoke_fn)(struct vmsc_vsphere *c, void *req, void *resp);

/* Returned by an invoke function that stopped on its own error (already in
 * the caller's struct vmsc_error): no mapping, no retry. */
#define VMSC_SOAP_STOPPED (-1000)
/* vmsc_stream_take: no page was asked ahead for this token. */
#define VMSC_SOAP_NO_PREFETCH (-1001)

/* Counts a request for -v and the tests (vmsc_call does it for its own). */
void vmsc_count_request(struct vmsc_vsphere *c, const char *op);

/*
 * The one execute path: counts the request, runs it, maps transport errors
 * and SOAP faults to struct vmsc_error, retries once on 503 (reads only)
 * and re-logs in once on NotAuthenticated.  A VMSC_CALL_SESSION_BOUND call
 * is not repeated: after a re-login, or the first connection dropped in
 * the middle of a reply (the next requests go out on new connections),
 * it fails with c->restart set and a notice in *err, so the caller starts
 * its retrieval over.
 */
int vmsc_call(struct vmsc_vsphere *c, const char *op, vmsc_invoke_fn fn, void *req, void *resp,
	      unsigned flags, struct vmsc_error *err);

int vmsc_relogin(struct vmsc_vsphere *c, struct vmsc_error *err);

/* The host `url` names when that is not the server of `server_url` (another
 * host, or another port): malloc'd, IPv6 without brackets.  NULL when it is
 * the same server (or `url` is not an absolute URL). */
char *vmsc_url_other_host(const char *url, const char *server_url);

/*
 * GET of a guest file transfer URL, at most `max` bytes, done by `deadline`
 * (0: only the usual timeout).  esx_host NULL: the
 * URL is on the connected server (its session cookie and TLS policy).
 * Otherwise the URL names that ESXi host: no vCenter cookie goes there and
 * its certificate is checked as vmsc_transport_for_host() says.
 */
int vmsc_vsphere_download_url(struct vmsc_vsphere *c, const char *url, const char *esx_host,
			      const char *esx_thumbprint, time_t deadline, size_t max,
			      unsigned char **data, size_t *len, struct vmsc_error *err);

/* RetrievePropertiesEx of `n` paths of one object; *oc NULL when the server
 * returned none.  Lives in the soap arena until soap_end.  0 or -1. */
int vmsc_retrieve_one(struct vmsc_vsphere *c, const char *type, const char *moid,
		      const char *const *paths, int n, struct vim__ObjectContent **oc,
		      struct vmsc_error *err);

/* A moref in the soap arena (freed by soap_end). */
struct vim__ManagedObjectReference *vmsc_moref(struct soap *soap, const char *type,
					       const char *value);

/* Scope root as "Type:value" (malloc'd) for a fetch spec. */
char *vmsc_resolve_scope(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *s,
			 struct vmsc_error *err);

/* Told the continuation token as soon as a page's reply has it. */
typedef void (*vmsc_token_fn)(void *ud, const char *token);

/* Takes one object read from a reply (moves or releases what it owns): a
 * struct vmsc_vm_facts, or a record of c->read_record's type.  0, or -1 to
 * stop reading (the callee has recorded why). */
typedef int (*vmsc_object_fn)(void *ud, void *obj);

enum vmsc_read_status {
	VMSC_READ_OK = 0,
	VMSC_READ_NOMEM = -1,
	VMSC_READ_STOPPED = -2,       /* fn returned -1 */
	VMSC_READ_BROKEN = 1,         /* not XML, or it broke off */
	VMSC_READ_UNEXPECTED = 2,     /* XML, but not the reply asked for */
	VMSC_READ_FAULT = 3,          /* a SOAP fault */
};

/* ---- streamed pages (stream.c) ------------------------------------- */

int vmsc_stream_init(struct vmsc_vsphere *c, struct vmsc_error *err);
void vmsc_stream_release(struct vmsc_vsphere *c);

/*
 * Receives the reply to the request soap_send_* just wrote: a 200 reply is
 * read by vmsc_values_read_result while it arrives (objects to fn, *token);
 * any other is collected and read by recv_fault (the operation's
 * soap_recv_*), so soap->error and soap->fault are set as for any call.
 * Returns SOAP_OK, a gSOAP error (mapped by vmsc_call), or
 * VMSC_SOAP_STOPPED when fn stopped.
 */
int vmsc_stream_receive(struct vmsc_vsphere *c, const char *response, vmsc_object_fn fn, void *ud,
			char **token, vmsc_token_fn token_fn, void *token_ud,
			int (*recv_fault)(struct soap *soap));

/* Sends ContinueRetrievePropertiesEx(token) ahead on a free lane (best effort). */
void vmsc_stream_prefetch(struct vmsc_vsphere *c, const char *token);

/*
 * Reads the page asked ahead for `token` as vmsc_stream_receive would
 * (c->call_soap / call_tr point at its lane for failure mapping), or
 * returns VMSC_SOAP_NO_PREFETCH when there is none (any other is dropped).
 */
int vmsc_stream_take(struct vmsc_vsphere *c, const char *token, const char *response,
		     vmsc_object_fn fn, void *ud, char **next_token, vmsc_token_fn token_fn,
		     void *token_ud, int (*recv_fault)(struct soap *soap));

/* Abandons pages asked ahead (paging ended or failed). */
void vmsc_stream_drop(struct vmsc_vsphere *c);

/* The lanes' next requests go out on new connections (one was dropped). */
void vmsc_stream_fresh(struct vmsc_vsphere *c);

/* ---- values (libxml2) ------------------------------------------------ */

/*
 * Reads a whole RetrievePropertiesEx / ContinueRetrievePropertiesEx reply
 * (`response` names its body element) from a reader over the envelope, as
 * it arrives: each <objects> becomes facts handed to fn.  *token gets the
 * continuation token (malloc'd) or NULL.  Returns enum vmsc_read_status.
 * Property paths select the readers; unknown paths and types are skipped.
 */
int vmsc_values_read_result(struct vmsc_vsphere *c, xmlTextReaderPtr r, const char *response,
			    vmsc_object_fn fn, void *ud, char **token, vmsc_token_fn token_fn,
			    void *token_ud);

/* Text of a scalar value (<val>text</val>), malloc'd; NULL on failure. */
char *vmsc_values_scalar(struct vmsc_vsphere *c, const char *xml);

/* Reads the fault type and message of a captured fault detail / missingSet
 * fault.  Returns malloc'd strings (either may be NULL). */
void vmsc_values_read_fault(xmlTextReaderPtr *reader, const char *xml, char **type,
			    char **message);

/* Snapshots of a <val> VirtualMachineSnapshotInfo whose name starts with
 * prefix (all when NULL), appended to *out.  0, or -1 on allocation failure. */
int vmsc_values_read_snapshot_list(struct vmsc_vsphere *c, const char *xml, const char *prefix,
				   struct vmsc_snapshot_ref **out, size_t *n);

/* Quiesced flag and backupManifest of the snapshot `snapshot` (moref
 * value) in a <val> VirtualMachineSnapshotInfo.  0, or -1. */
int vmsc_values_read_snapshot_record(struct vmsc_vsphere *c, const char *xml, const char *snapshot,
				     struct vmsc_snapshot_record *rec);
/* CustomFieldsManager.field (<val> ArrayOfCustomFieldDef) into c->custom_fields:
 * the definitions for VirtualMachine and for every type.  0, or -1. */
int vmsc_values_read_custom_fields(struct vmsc_vsphere *c, const char *xml);

/* One TaskInfo's content (literal XML of a ReadNextTasks returnval) to fn. */
int vmsc_values_read_task(struct vmsc_vsphere *c, const char *content, vmsc_task_fn fn, void *ud);

/* RFC 3339 / xsd:dateTime to time_t (UTC); -1 when malformed. */
time_t vmsc_parse_datetime(const char *s);

#endif
