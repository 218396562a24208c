/*
 * meta.h - the metadata every stored result carries (meta.c): mmlab's
 * version and git commit, the host's name and profile, the time, and a
 * command line as a shell would take it; and JSON output helpers.
 */
#ifndef MMLAB_CLI_META_H
#define MMLAB_CLI_META_H

#include <stdio.h>

const char *meta_version(void);
const char *meta_commit(void);		/* "unknown" outside a git checkout */
const char *meta_hostname(void);
/* This host's profile (`mmlab host --json`) as one JSON array; cached. */
const char *meta_host_profile_json(void);
/* A new directory "$TMPDIR/mmlab-NAME.XXXXXX" (TMPDIR default /tmp) into
 * buf; 0, or -1 said why. */
int meta_mkdtemp(char *buf, size_t len, const char *name);
/* Now, UTC, ISO 8601, into buf (at least 32 bytes). */
char *meta_now(char *buf);
/* argv joined with spaces, each quoted for sh where it needs it
 * (malloc'd). */
char *meta_command(int argc, char *const *argv);

/* JSON output: a string, escaped; a value printed as a number, boolean
 * or string by what it looks like. */
void json_string(FILE *f, const char *s);
void json_value(FILE *f, const char *s);
/* One flat JSON object ({"k": v, ...}; the values strings, numbers,
 * booleans or null) field by field: cb gets each key and value as text
 * (strings unescaped, null as NULL).  Returns 0, -1 when not such an
 * object. */
int json_flat_parse(const char *line, void (*cb)(void *ctx, const char *k,
						 const char *v), void *ctx);

#endif
