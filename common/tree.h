/*
 * sys/tree.h as every module should include it. glibc has no tree.h, so
 * configure takes libbsd's through its overlay; libbsd leaves __unused
 * undefined (it would clash with Linux headers), which its
 * RB_GENERATE_STATIC needs, hence TREE_GENERATE_STATIC.
 */
#ifndef CARRIERLAB_COMMON_TREE_H
#define CARRIERLAB_COMMON_TREE_H

#include <sys/tree.h>

#define TREE_GENERATE_STATIC(name, type, field, cmp) \
	RB_GENERATE_INTERNAL(name, type, field, cmp, \
	    __attribute__((__unused__)) static)

#endif
