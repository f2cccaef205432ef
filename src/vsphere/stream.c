/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Property pages read while they arrive.  A page of 500 VMs is ~14 MB of
 * XML; the curl plugin would buffer it whole and gSOAP would copy every
 * <val> once more before libxml2 reads it.  Here gSOAP only writes the
 * request (soap_send_*), libcurl's multi interface feeds the body to one
 * libxml2 reader as it comes in, and values.c turns it into facts on the
 * way.  Replies other than 200 (faults, HTTP errors) are collected the way
 * the plugin collects them and read by gSOAP, so every failure is mapped in
 * one place (vmsc_map_failure).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "curlapi.h"
#include "internal.h"

#define POLL_MS 1000
#define READER_OPTIONS (XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET | \
			XML_PARSE_COMPACT)

struct stream {
	struct vmsc_vsphere *c;
	struct soap_curl_data *plugin;
	char *buf;                    /* body bytes not yet read by libxml2 */
	size_t len, off, cap;
	bool started;                 /* the first body bytes arrived */
	bool collect;                 /* not 200: the body goes to gSOAP */
	bool done;
	bool oom;
	CURLcode result;
};

int vmsc_stream_init(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	c->multi = curl_multi_init();
	c->share = curl_share_init();
	if (!c->multi || !c->share)
		return vmsc_error_set(err, VMSC_E_NOMEM, "cannot initialise libcurl");
	/* gSOAP's calls (curl_easy_perform) and the streamed ones (our multi
	 * handle) keep using one kept-alive connection */
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_easy_setopt(c->tr.curl, CURLOPT_SHARE, c->share);
	return 0;
}

/* After the easy handle is gone: a share in use cannot be cleaned up. */
void vmsc_stream_release(struct vmsc_vsphere *c)
{
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

/* What the plugin's own write callback does: keep the body for gSOAP. */
static size_t collect(struct stream *s, const char *p, size_t n)
{
	struct soap *soap = s->c->soap;
	struct soap_curl_data *d = s->plugin;
	char *blk;

	if (!d->lst) {
		if (!(d->lst = soap_alloc_block(soap)))
			return 0;
		soap->blist = soap->blist->next; /* isolated, as the plugin keeps it */
	}
	if (!(blk = soap_push_block(soap, d->lst, n)))
		return 0;
	memcpy(blk, p, n);
	return n;
}

static size_t on_body(char *p, size_t size, size_t nitems, void *ud)
{
	struct stream *s = ud;
	size_t n = size * nitems;

	if (!s->started) {
		long status = 0;

		s->started = true;
		curl_easy_getinfo(s->c->tr.curl, CURLINFO_RESPONSE_CODE, &status);
		s->collect = status != 200;
	}
	if (s->collect)
		return collect(s, p, n);
	if (s->off == s->len)
		s->off = s->len = 0;
	if (s->len + n > s->cap) {
		size_t live = s->len - s->off;
		char *grown;

		/* move what libxml2 has not read yet to the front, grow if still short */
		if (live && s->off)
			memmove(s->buf, s->buf + s->off, live);
		s->off = 0;
		s->len = live;
		if (live + n > s->cap) {
			size_t cap = (live + n) * 2;

			if (!(grown = realloc(s->buf, cap))) {
				s->oom = true;
				return 0;
			}
			s->buf = grown;
			s->cap = cap;
		}
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return n;
}

/*
 * Moves the transfer on: until body bytes wait for libxml2 (or the body
 * turned out to be one for gSOAP), or with to_end, until it ended; bytes
 * after a whole envelope are dropped.
 */
static void pump(struct stream *s, bool to_end)
{
	while (!s->done) {
		int running = 0, queued;
		CURLMsg *m;

		if (to_end)
			s->off = s->len;
		else if (s->off < s->len || (s->started && s->collect))
			return;
		if (curl_multi_perform(s->c->multi, &running) != CURLM_OK) {
			s->result = CURLE_OUT_OF_MEMORY;
			s->done = true;
			return;
		}
		if (!running) {
			while ((m = curl_multi_info_read(s->c->multi, &queued)))
				if (m->msg == CURLMSG_DONE)
					s->result = m->data.result;
			s->done = true;
			return;
		}
		if (to_end || s->off == s->len)
			curl_multi_poll(s->c->multi, NULL, 0, POLL_MS, NULL);
	}
}

static int on_read(void *ctx, char *buffer, int len)
{
	struct stream *s = ctx;
	size_t n;

	pump(s, false);
	n = s->len - s->off;
	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(buffer, s->buf + s->off, n);
	s->off += n;
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

int vmsc_stream_receive(struct vmsc_vsphere *c, const char *response, vmsc_object_fn fn, void *ud,
			char **token, int (*recv_fault)(struct soap *soap))
{
	struct soap *soap = c->soap;
	struct soap_curl_data *d = soap_lookup_plugin(soap, soap_curl_id);
	struct stream s = { .c = c, .plugin = d };
	struct curl_slist *hdr;
	int rc = SOAP_OK, read = VMSC_READ_OK;
	bool parsed = false;
	long status = 0;

	*token = NULL;
	if (!d || !d->curl || !d->active)
		return soap_failure(soap, SOAP_PLUGIN_ERROR);
	/* what soap_curl_prepare_init_recv_callback sets before it performs */
	curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE, (long)(d->lst ? d->lst->size : 0));
	hdr = curl_slist_append(d->hdr, "Expect:");
	if (!hdr)
		return soap_failure(soap, SOAP_EOM);
	d->hdr = hdr;
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->hdr);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &s);
	if (curl_multi_add_handle(c->multi, d->curl) != CURLM_OK) {
		rc = soap_failure(soap, SOAP_EOM);
		goto out;
	}

	pump(&s, false);
	if (s.started && !s.collect) {
		xmlTextReaderPtr r;

		if (!c->stream_reader)
			c->stream_reader = r = xmlReaderForIO(on_read, on_close, &s, NULL, NULL,
							      READER_OPTIONS);
		else
			r = xmlReaderNewIO(c->stream_reader, on_read, on_close, &s, NULL, NULL,
					   READER_OPTIONS) == 0 ? c->stream_reader : NULL;
		read = r ? vmsc_values_read_result(c, r, response, fn, ud, token) : VMSC_READ_NOMEM;
		parsed = read == VMSC_READ_OK;
		if (r)
			xmlTextReaderClose(r); /* drops &s */
	}
	if (read == VMSC_READ_OK)
		pump(&s, true);
	curl_multi_remove_handle(c->multi, d->curl);
	if (d->lst && !s.collect) {
		/* what is left of the request */
		soap_end_block(soap, d->lst);
		d->lst = NULL;
	}
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	soap->status = (int)status;

	if (read == VMSC_READ_STOPPED) {
		rc = VMSC_SOAP_STOPPED;
	} else if (s.oom || read == VMSC_READ_NOMEM) {
		rc = soap_failure(soap, SOAP_EOM);
	} else if (s.done && s.result != CURLE_OK && !parsed) {
		/* the transfer failed (cap, timeout, cut off): as the plugin reports it */
		rc = soap_sender_fault(soap, curl_easy_strerror(s.result), "origin: soap_curl plugin");
	} else if (s.collect) {
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
	} else if (!s.started) {
		rc = soap_failure(soap, SOAP_EOF);
	} else if (read == VMSC_READ_BROKEN) {
		rc = soap_failure(soap, s.done && s.result == CURLE_OK && s.off == s.len ? SOAP_EOF
											: SOAP_SYNTAX_ERROR);
	} else if (read == VMSC_READ_UNEXPECTED || read == VMSC_READ_FAULT) {
		rc = soap_failure(soap, SOAP_TAG_MISMATCH);
	}
out:
	d->active = 0; /* as soap_curl_prepare_final_recv_callback leaves it */
	curl_slist_free_all(d->hdr);
	d->hdr = NULL;
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, NULL);
	c->tr.received = (curl_off_t)0;
	{
		curl_off_t got = 0;

		if (curl_easy_getinfo(d->curl, CURLINFO_SIZE_DOWNLOAD_T, &got) == CURLE_OK)
			c->tr.received = got;
	}
	free(s.buf);
	if (rc != SOAP_OK) {
		free(*token);
		*token = NULL;
	}
	return rc;
}
