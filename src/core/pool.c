/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <stdlib.h>

#include "vmsnapcheck/pool.h"

struct slot {
	pthread_t thread;
	bool started;
	void (*fn)(void *item);
	void *item;
};

static void *trampoline(void *arg)
{
	struct slot *s = arg;

	s->fn(s->item);
	return NULL;
}

void vmsc_pool_run(void *items, size_t n, size_t size, size_t parallel, void (*fn)(void *item),
		   bool (*wanted)(const void *item))
{
	struct slot *slots;
	size_t next = 0, done = 0;

	if (parallel == 0)
		parallel = 1;
	/* a ring of `parallel` slots: item i uses slot i % parallel */
	slots = calloc(parallel, sizeof(*slots));
	if (!slots)
		parallel = 0; /* no memory for threads: run everything here */
	while (done < n) {
		while (next < n && next - done < (parallel ? parallel : 1)) {
			void *item = (char *)items + next * size;

			if (wanted && !wanted(item)) {
				if (slots)
					slots[next % parallel].started = false;
			} else if (slots) {
				struct slot *s = &slots[next % parallel];

				*s = (struct slot){ .fn = fn, .item = item };
				s->started = pthread_create(&s->thread, NULL, trampoline, s) == 0;
				if (!s->started)
					fn(item);
			} else {
				fn(item);
			}
			next++;
		}
		if (slots && slots[done % parallel].started)
			pthread_join(slots[done % parallel].thread, NULL);
		done++;
	}
	free(slots);
}
