/* bug.c - where VM_BUG_ON and WARN land. */
#include "bug.h"
#include "sched.h"

unsigned long mmlab_nr_warnings;

void mmlab_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "mmlab BUG at %s:%d: %s%s\n", file, line, cond, dsched_where());
	fflush(stderr);
	abort();
}

void mmlab_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&mmlab_nr_warnings, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "mmlab WARNING at %s:%d: %s%s\n", file, line, cond, dsched_where());
}
