/*
 * Allocation wrappers that never return NULL: on exhaustion they log and
 * exit, so callers need no error path for memory.
 */
#ifndef CARRIERLAB_COMMON_XMALLOC_H
#define CARRIERLAB_COMMON_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
/* Resizes to nmemb * size, checking the product for overflow. */
void	*xreallocarray(void *, size_t nmemb, size_t size);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
