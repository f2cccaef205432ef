/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_POOL_H
#define VMSNAPCHECK_POOL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A bounded pool of threads: runs fn(item) for each of `n` items (an array
 * of `size`-byte elements), at most `parallel` at a time, started in order;
 * the next starts as soon as the oldest running one ends.  Items for which
 * `wanted` says false (NULL: all) are not run.  A thread that cannot be
 * created runs its item in the caller's thread instead.  Returns when all
 * have ended.
 */
void vmsc_pool_run(void *items, size_t n, size_t size, size_t parallel, void (*fn)(void *item),
		   bool (*wanted)(const void *item));

#endif
