/*
 * FNV-1a, 64 bits: the hash our trees of string keys compare first, so a
 * lookup compares integers and reads a string only on a hash match.
 * Not for anything an adversary chooses to collide: a collision costs a
 * string comparison, nothing more.
 */
#ifndef CARRIERLAB_COMMON_HASH_H
#define CARRIERLAB_COMMON_HASH_H

#include <stdint.h>

#define HASH_FNV_OFFSET	UINT64_C(14695981039346656037)
#define HASH_FNV_PRIME	UINT64_C(1099511628211)

/* Continues h over the string s, without its NUL. */
static inline uint64_t
hash_str(uint64_t h, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		h = (h ^ *p) * HASH_FNV_PRIME;
	return h;
}

#endif
