/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Login request carries the password (XML-escaped) through gSOAP's
 * send buffer, the curl plugin's block list and libcurl's upload buffer
 * before OpenSSL encrypts it in place.  None of them clears memory it
 * frees, so the password would linger in the heap: wipe it on the way.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "curlapi.h"
#include "internal.h"

/* ---- libcurl's heap ---------------------------------------------------- */

/*
 * The upload buffer (freed after each transfer) and the dynbufs libcurl
 * builds requests in are plain malloc memory: clear it all on free.  The
 * usable size covers every byte libcurl may have written.
 */
static void wipe_free(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

/* realloc() may move a block and free the old one uncleared: move it ourselves. */
static void *wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p)
		return malloc(n);
	old = malloc_usable_size(p);
	if (n && n <= old)
		return p;
	q = malloc(n ? n : 1);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}

int vmsc_wipe_global_init(long flags)
{
	return curl_global_init_mem(flags, malloc, wipe_free, wipe_realloc, strdup, calloc) ==
	       CURLE_OK ? 0 : -1;
}

/* ---- the curl plugin's block list ------------------------------------- */

/*
 * soap_curl_read_callback() of the plugin, except that every byte handed
 * to libcurl is cleared in the block: soap_next_block() and
 * soap_end_block() free blocks as they are.
 */
static size_t read_wiping(char *buffer, size_t size, size_t nitems, void *ud)
{
	struct soap_curl_data *d = ud;
	struct soap *soap = d->soap;
	size_t len;

	if (!d->lst)
		return 0;
	if (!d->blk) {
		d->ptr = d->blk = soap_first_block(soap, d->lst);
		if (!d->blk) {
			soap_end_block(soap, d->lst);
			d->lst = NULL;
			return 0;
		}
	}
	len = soap_block_size(soap, d->lst) - (size_t)(d->ptr - d->blk);
	if (len > size * nitems)
		len = size * nitems;
	memcpy(buffer, d->ptr, len);
	explicit_bzero(d->ptr, len);
	d->ptr += len;
	if (d->ptr >= d->blk + soap_block_size(soap, d->lst)) {
		d->ptr = d->blk = soap_next_block(soap, d->lst);
		if (!d->blk) {
			soap_end_block(soap, d->lst);
			d->lst = NULL;
		}
	}
	return len;
}

/* A request never read by libcurl (connect or TLS failure) is freed by the
 * plugin on the next connect or reset: clear it first. */
void vmsc_wipe_pending(struct soap *soap)
{
	struct soap_curl_data *d = soap_lookup_plugin(soap, soap_curl_id);

	if (!d || !d->lst)
		return;
	for (char *p = soap_first_block(soap, d->lst); p; p = soap_next_block(soap, d->lst))
		explicit_bzero(p, soap_block_size(soap, d->lst));
	d->blk = d->ptr = NULL;
}

static int connect_wiping(struct soap *soap, const char *endpoint, const char *host, int port)
{
	struct vmsc_vsphere *c = soap->user;
	struct soap_curl_data *d = soap_lookup_plugin(soap, soap_curl_id);
	int rc;

	vmsc_wipe_pending(soap);
	rc = c->plugin_connect(soap, endpoint, host, port);
	/* the plugin sets its own read function on every connect */
	if (rc == SOAP_OK && d) {
		curl_easy_setopt(d->curl, CURLOPT_READFUNCTION, read_wiping);
		curl_easy_setopt(d->curl, CURLOPT_READDATA, d);
	}
	return rc;
}

int vmsc_wipe_install(struct vmsc_vsphere *c)
{
	if (!soap_lookup_plugin(c->soap, soap_curl_id))
		return -1;
	c->soap->user = c;
	c->plugin_connect = c->soap->fconnect;
	c->soap->fconnect = connect_wiping;
	return 0;
}

/* ---- the stack ---------------------------------------------------------- */

/*
 * Frames of libcurl, OpenSSL and gSOAP below login() leave pieces of the
 * request (and, under ASan, the raw password) in dead stack, where a later
 * stack buffer may pick them up (vmsc_error_set() once did).  64 KiB is
 * far deeper than one request goes; clearing it costs microseconds.
 */
__attribute__((noinline)) void vmsc_wipe_stack(void)
{
	unsigned char pad[64 * 1024];

	explicit_bzero(pad, sizeof(pad));
	__asm__ volatile("" : : "r"(pad) : "memory");
}

/* ---- gSOAP's own buffer ------------------------------------------------- */

/*
 * soap->buf holds the last part of each request sent (the curl plugin
 * takes the rest as blocks) and is then overwritten by the reply, only as
 * far as the reply goes: after a short reply (a fault, DeleteFileInGuest's
 * empty one) the request's <password> element is still there.
 */
void vmsc_wipe_sent(struct soap *soap)
{
	explicit_bzero(soap->buf, sizeof(soap->buf));
	vmsc_wipe_stack();
}
