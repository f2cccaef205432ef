/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Property pages read while they arrive, the next one asked for early.
 *
 * A page of 500 VMs is ~14 MB of XML; the curl plugin would buffer it
 * whole and gSOAP would copy every <val> once more before libxml2 reads
 * it.  Here gSOAP only writes the request (soap_send_*), libcurl's multi
 * interface feeds the body to one libxml2 reader as it comes in, and
 * values.c turns it into facts on the way.  Replies other than 200
 * (faults, HTTP errors) are collected the way the plugin collects them and
 * read by gSOAP, so every failure is mapped in one place (vmsc_call).
 *
 * The continuation token comes first in a page.  As soon as it is read,
 * ContinueRetrievePropertiesEx for the next page goes out on a second
 * connection, so the server builds page N+1 while page N is still being
 * read: the server's serialising, not our parsing, is what a big inventory
 * waits for.  Prefetches alternate between two lanes of their own (lane 0
 * is every other call's), and one that nobody reads yet is paused after
 * half a MiB so memory stays flat.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "curlapi.h"
#include "internal.h"

#define POLL_MS 1000
/* A page asked ahead waits in the kernel's socket buffers beyond this: the
 * server has built it by then (the simulator serialises a whole reply
 * before writing), and three lanes of 2 MiB each were most of the peak RSS
 * at 10,000 VMs. */
#define PREFETCH_BUFFER_MAX (512u << 10)
/* One curl_multi_perform() can deliver megabytes (gzip inflates 10×): past
 * this much unread, the transfer waits for libxml2. */
#define READ_BUFFER_MAX (256u << 10)
#define READER_OPTIONS (XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET | \
			XML_PARSE_COMPACT)

/* One connection's page: a soap context and a CURL handle of its own. */
struct vmsc_lane {
	struct vmsc_vsphere *c;
	struct soap *soap;
	struct vmsc_transport *tr;
	struct vmsc_transport own_tr;  /* lanes 1 and 2 */
	char *buf;                     /* body bytes not yet read by libxml2 */
	size_t len, off, cap;
	bool active;                   /* in the multi handle */
	bool started;                  /* the first body bytes arrived */
	bool collect;                  /* not 200: the body goes to gSOAP */
	bool done;
	bool oom;
	bool paused;
	bool prefetch;                 /* asked ahead, not read yet */
	char *token;                   /* the token a prefetch continues */
	CURLcode result;
};

int vmsc_stream_init(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	c->multi = curl_multi_init();
	c->share = curl_share_init();
	c->lanes[0] = calloc(1, sizeof(*c->lanes[0]));
	if (!c->multi || !c->share || !c->lanes[0])
		return vmsc_error_set(err, VMSC_E_NOMEM, "cannot initialise libcurl");
	/* gSOAP's calls (curl_easy_perform) and the streamed ones (our multi
	 * handle) keep using kept-alive connections; every lane has the session */
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
	curl_easy_setopt(c->tr.curl, CURLOPT_SHARE, c->share);
	c->lanes[0]->c = c;
	c->lanes[0]->tr = &c->tr;
	return 0;
}

/* Out of the multi handle, request headers freed (the plugin frees them
 * only before its next request). */
static void lane_detach(struct vmsc_lane *l)
{
	struct soap_curl_data *d = l->soap ? soap_lookup_plugin(l->soap, soap_curl_id) : NULL;

	if (l->active)
		curl_multi_remove_handle(l->c->multi, l->tr->curl);
	l->active = l->prefetch = l->paused = false;
	free(l->token);
	l->token = NULL;
	if (d && d->hdr) {
		curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(d->hdr);
		d->hdr = NULL;
	}
}

/* After the first easy handle is gone: a share in use cannot be cleaned up. */
void vmsc_stream_release(struct vmsc_vsphere *c)
{
	for (int i = 0; i < VMSC_LANES; i++) {
		struct vmsc_lane *l = c->lanes[i];

		if (!l)
			continue;
		if (i > 0) {
			lane_detach(l);
			if (l->soap) {
				soap_destroy(l->soap);
				soap_end(l->soap);
				soap_free(l->soap);
			}
			vmsc_transport_release(&l->own_tr);
		}
		free(l->buf);
		free(l);
		c->lanes[i] = NULL;
	}
	if (c->stream_reader)
		xmlFreeTextReader(c->stream_reader);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	if (c->share)
		curl_share_cleanup(c->share);
	c->stream_reader = NULL;
	c->multi = NULL;
	c->share = NULL;
}

/* Lanes 1 and 2 come into being with the first page that has a next one. */
static struct vmsc_lane *lane_get(struct vmsc_vsphere *c, int i)
{
	struct vmsc_lane *l = c->lanes[i];
	struct vmsc_error err;

	if (l)
		return l->soap ? l : NULL;
	if (!(l = c->lanes[i] = calloc(1, sizeof(*l))))
		return NULL;
	l->c = c;
	l->tr = &l->own_tr;
	if (vmsc_transport_init(&l->own_tr, &c->opts, &err) < 0)
		return NULL;
	curl_easy_setopt(l->own_tr.curl, CURLOPT_SHARE, c->share);
	l->soap = soap_new1(SOAP_C_UTFSTRING | SOAP_XML_NOTYPE);
	if (!l->soap)
		return NULL;
	soap_set_namespaces(l->soap, c->soap->namespaces);
	if (soap_register_plugin_arg(l->soap, soap_curl, l->own_tr.curl) != SOAP_OK) {
		soap_free(l->soap);
		l->soap = NULL;
		return NULL;
	}
	return l;
}

/* What the plugin's own write callback does: keep the body for gSOAP. */
static size_t collect(struct vmsc_lane *l, struct soap_curl_data *d, const char *p, size_t n)
{
	char *blk;

	if (!d->lst) {
		if (!(d->lst = soap_alloc_block(l->soap)))
			return 0;
		l->soap->blist = l->soap->blist->next; /* isolated, as the plugin keeps it */
	}
	if (!(blk = soap_push_block(l->soap, d->lst, n)))
		return 0;
	memcpy(blk, p, n);
	return n;
}

static size_t on_body(char *p, size_t size, size_t nitems, void *ud)
{
	struct vmsc_lane *l = ud;
	size_t n = size * nitems;

	if (!l->started) {
		long status = 0;

		l->started = true;
		curl_easy_getinfo(l->tr->curl, CURLINFO_RESPONSE_CODE, &status);
		l->collect = status != 200;
	}
	if (l->collect)
		return collect(l, soap_lookup_plugin(l->soap, soap_curl_id), p, n);
	if (l->len - l->off >= (l->prefetch ? PREFETCH_BUFFER_MAX : READ_BUFFER_MAX)) {
		l->paused = true; /* curl hands the same bytes again on resume */
		return CURL_WRITEFUNC_PAUSE;
	}
	if (l->off == l->len)
		l->off = l->len = 0;
	if (l->len + n > l->cap) {
		size_t live = l->len - l->off;
		char *grown;

		/* move what libxml2 has not read yet to the front, grow if still short */
		if (live && l->off)
			memmove(l->buf, l->buf + l->off, live);
		l->off = 0;
		l->len = live;
		if (live + n > l->cap) {
			/* a quarter more, not double: a lane fills to its limit once
			 * and keeps its buffer for every page after */
			size_t cap = (live + n) + (live + n) / 4;

			if (!(grown = realloc(l->buf, cap))) {
				l->oom = true;
				return 0;
			}
			l->buf = grown;
			l->cap = cap;
		}
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
	return n;
}

/* Finished transfers, whichever lane they belong to. */
static void reap(struct vmsc_vsphere *c)
{
	CURLMsg *m;
	int queued;

	while ((m = curl_multi_info_read(c->multi, &queued))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		for (int i = 0; i < VMSC_LANES; i++) {
			struct vmsc_lane *l = c->lanes[i];

			if (l && l->active && l->tr->curl == m->easy_handle) {
				l->done = true;
				l->result = m->data.result;
			}
		}
	}
}

/*
 * Moves the transfers on: until body bytes of `l` wait for libxml2 (or its
 * body turned out to be one for gSOAP), or with to_end, until it ended;
 * bytes after a whole envelope are dropped.
 */
static void pump(struct vmsc_lane *l, bool to_end)
{
	struct vmsc_vsphere *c = l->c;

	while (!l->done) {
		int running = 0;

		if (to_end)
			l->off = l->len;
		else if (l->off < l->len || (l->started && l->collect))
			return;
		if (l->paused && !l->prefetch) {
			l->paused = false;
			curl_easy_pause(l->tr->curl, CURLPAUSE_CONT);
			if (l->off < l->len && !to_end)
				continue;
		}
		if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
			l->result = CURLE_OUT_OF_MEMORY;
			l->done = true;
			return;
		}
		reap(c);
		if (!l->done && (to_end || l->off == l->len))
			curl_multi_poll(c->multi, NULL, 0, POLL_MS, NULL);
	}
}

static int on_read(void *ctx, char *buffer, int len)
{
	struct vmsc_lane *l = ctx;
	size_t n;

	pump(l, false);
	n = l->len - l->off;
	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(buffer, l->buf + l->off, n);
	l->off += n;
	/* 0 with the transfer failed is EOF to libxml2: the reply reads as broken */
	return (int)n;
}

static int on_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* The reply was no reply: set soap->error the way the plugin and gSOAP do. */
static int soap_failure(struct soap *soap, int code)
{
	soap->error = code;
	return code;
}

/* Sends what soap_send_* left in the plugin's blocks, as the plugin would. */
static int lane_start(struct vmsc_lane *l)
{
	struct soap_curl_data *d = soap_lookup_plugin(l->soap, soap_curl_id);
	struct curl_slist *hdr;

	l->len = l->off = 0;
	l->started = l->collect = l->done = l->oom = l->paused = false;
	l->result = CURLE_OK;
	if (!d || !d->curl || !d->active)
		return soap_failure(l->soap, SOAP_PLUGIN_ERROR);
	/* what soap_curl_prepare_init_recv_callback sets before it performs */
	curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE, (long)(d->lst ? d->lst->size : 0));
	hdr = curl_slist_append(d->hdr, "Expect:");
	if (!hdr)
		return soap_failure(l->soap, SOAP_EOM);
	d->hdr = hdr;
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->hdr);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, l);
	if (curl_multi_add_handle(l->c->multi, d->curl) != CURLM_OK)
		return soap_failure(l->soap, SOAP_EOM);
	l->active = true;
	return SOAP_OK;
}

/* Reads a started lane's reply to its end (see vmsc_stream_receive). */
static int lane_finish(struct vmsc_lane *l, const char *response, vmsc_object_fn fn, void *ud,
		       char **token, vmsc_token_fn token_fn, void *token_ud,
		       int (*recv_fault)(struct soap *soap))
{
	struct vmsc_vsphere *c = l->c;
	struct soap *soap = l->soap;
	struct soap_curl_data *d = soap_lookup_plugin(soap, soap_curl_id);
	int rc = SOAP_OK, read = VMSC_READ_OK;
	bool parsed = false;
	long status = 0;
	curl_off_t got = 0;

	*token = NULL;
	pump(l, false);
	if (l->started && !l->collect) {
		xmlTextReaderPtr r;

		if (!c->stream_reader)
			c->stream_reader = r = xmlReaderForIO(on_read, on_close, l, NULL, NULL,
							      READER_OPTIONS);
		else
			r = xmlReaderNewIO(c->stream_reader, on_read, on_close, l, NULL, NULL,
					   READER_OPTIONS) == 0 ? c->stream_reader : NULL;
		read = r ? vmsc_values_read_result(c, r, response, fn, ud, token, token_fn, token_ud)
			 : VMSC_READ_NOMEM;
		parsed = read == VMSC_READ_OK;
		if (r)
			xmlTextReaderClose(r); /* drops l */
	}
	if (read == VMSC_READ_OK)
		pump(l, true);
	lane_detach(l);
	if (d->lst && !l->collect) {
		/* what is left of the request */
		soap_end_block(soap, d->lst);
		d->lst = NULL;
	}
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	soap->status = (int)status;

	if (read == VMSC_READ_STOPPED) {
		rc = VMSC_SOAP_STOPPED;
	} else if (l->oom || read == VMSC_READ_NOMEM) {
		rc = soap_failure(soap, SOAP_EOM);
	} else if (l->done && l->result != CURLE_OK && !parsed) {
		/* the transfer failed (cap, timeout, cut off): as the plugin reports it */
		rc = soap_sender_fault(soap, curl_easy_strerror(l->result), "origin: soap_curl plugin");
	} else if (l->collect) {
		if (status >= 200 && status <= 299) /* 2xx but not 200: read by gSOAP */
			status = 500;
		if (status == 400 || status == 500) {
			/* a SOAP fault: gSOAP reads it from the collected blocks */
			int (*prepare)(struct soap *) = soap->fprepareinitrecv;

			d->blk = NULL;
			soap->fprepareinitrecv = d->fprepareinitrecv;
			rc = recv_fault(soap);
			soap->fprepareinitrecv = prepare;
			soap->status = (int)status; /* gSOAP reset it; the plugin sets it after */
			if (rc == SOAP_OK)
				rc = soap_failure(soap, SOAP_NO_TAG);
		} else {
			rc = soap_set_receiver_error(soap, "HTTP Error", NULL, (int)status);
		}
	} else if (!l->started) {
		rc = soap_failure(soap, SOAP_EOF);
	} else if (read == VMSC_READ_BROKEN) {
		rc = soap_failure(soap, l->done && l->result == CURLE_OK && l->off == l->len
						? SOAP_EOF : SOAP_SYNTAX_ERROR);
	} else if (read == VMSC_READ_UNEXPECTED || read == VMSC_READ_FAULT) {
		rc = soap_failure(soap, SOAP_TAG_MISMATCH);
	}
	d->active = 0; /* as soap_curl_prepare_final_recv_callback leaves it */
	if (curl_easy_getinfo(d->curl, CURLINFO_SIZE_DOWNLOAD_T, &got) == CURLE_OK)
		l->tr->received = got;
	if (rc != SOAP_OK) {
		free(*token);
		*token = NULL;
	}
	return rc;
}

int vmsc_stream_receive(struct vmsc_vsphere *c, const char *response, vmsc_object_fn fn, void *ud,
			char **token, vmsc_token_fn token_fn, void *token_ud,
			int (*recv_fault)(struct soap *soap))
{
	struct vmsc_lane *l = c->lanes[0];
	int rc;

	*token = NULL;
	l->soap = c->soap;
	if ((rc = lane_start(l)) != SOAP_OK) {
		lane_detach(l);
		return rc;
	}
	return lane_finish(l, response, fn, ud, token, token_fn, token_ud, recv_fault);
}

void vmsc_stream_prefetch(struct vmsc_vsphere *c, const char *token)
{
	struct _vim__ContinueRetrievePropertiesEx req = { 0 };
	struct vmsc_lane *l = NULL;

	if (c->opts.connections == 1)
		return;
	/* the prefetch lane not being read now, if it is free */
	for (int i = 1; i < VMSC_LANES; i++) {
		struct vmsc_lane *cand = c->lanes[i];

		if (cand && cand->active)
			continue;
		if ((l = lane_get(c, i)))
			break;
	}
	if (!l || !c->property_collector)
		return;
	soap_end(l->soap);
	vmsc_transport_begin(l->tr);
	req._USCOREthis = vmsc_moref(l->soap, "PropertyCollector", c->property_collector);
	req.token = soap_strdup(l->soap, token);
	if (!req._USCOREthis || !req.token || !(l->token = strdup(token)) ||
	    soap_send___vim__ContinueRetrievePropertiesEx(l->soap, c->opts.url, c->action, &req) !=
		    SOAP_OK ||
	    lane_start(l) != SOAP_OK) {
		lane_detach(l);
		soap_curl_reset(l->soap);
		return;
	}
	l->prefetch = true;
	if (c->opts.debug)
		fprintf(stderr, "vmsnapcheck: debug: next page asked ahead on a second connection\n");
}

int vmsc_stream_take(struct vmsc_vsphere *c, const char *token, const char *response,
		     vmsc_object_fn fn, void *ud, char **next_token, vmsc_token_fn token_fn,
		     void *token_ud, int (*recv_fault)(struct soap *soap))
{
	struct vmsc_lane *l = NULL;
	int rc;

	*next_token = NULL;
	for (int i = 1; i < VMSC_LANES; i++)
		if (c->lanes[i] && c->lanes[i]->prefetch && !strcmp(c->lanes[i]->token, token))
			l = c->lanes[i];
	if (!l) {
		vmsc_stream_drop(c);
		return VMSC_SOAP_NO_PREFETCH;
	}
	l->prefetch = false; /* pump() resumes it once what it holds is read */
	/* vmsc_call maps a failure with this lane's soap and transport */
	c->call_soap = l->soap;
	c->call_tr = l->tr;
	rc = lane_finish(l, response, fn, ud, next_token, token_fn, token_ud, recv_fault);
	c->tr.total_received += (unsigned long long)l->tr->received;
	return rc;
}

void vmsc_stream_fresh(struct vmsc_vsphere *c)
{
	for (int i = 1; i < VMSC_LANES; i++)
		if (c->lanes[i] && c->lanes[i]->soap)
			c->lanes[i]->own_tr.fresh = true;
}

void vmsc_stream_drop(struct vmsc_vsphere *c)
{
	for (int i = 1; i < VMSC_LANES; i++) {
		struct vmsc_lane *l = c->lanes[i];

		if (!l || !l->active)
			continue;
		lane_detach(l);
		soap_curl_reset(l->soap);
		vmsc_count_request(c, c->continue_op ? c->continue_op : "ContinueRetrievePropertiesEx");
	}
}
