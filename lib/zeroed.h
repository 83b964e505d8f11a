/*
 * zeroed.h - room for n elements of size bytes, all zero, written before
 * anything reads it.
 *
 * calloc hands back memory fresh from the kernel without touching it. A
 * hash table's first probe then reads each page before writing it: the
 * read maps the kernel's shared zero page, and the write that follows
 * faults again to copy it, flushing the stale mapping from every
 * processor the process runs on (an interrupt of each of the other
 * threads). The writer's tables growing with the store (the deltas, the
 * entity index) paid that on every page. Written first, a page faults
 * once, and no other processor is interrupted.
 */
#ifndef KUSKA_ZEROED_H
#define KUSKA_ZEROED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* zeroed_new - as calloc(n, size); NULL when out of memory or when n *
 * size overflows. The caller frees. */
static inline void *
zeroed_new(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = malloc(n * size);
	if (p == NULL)
		return NULL;
	/* Else the compiler makes malloc and memset a calloc again. */
	__asm__ volatile("" : : "r"(p) : "memory");
	memset(p, 0, n * size);
	return p;
}

#endif
