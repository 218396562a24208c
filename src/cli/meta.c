/*
 * meta.c - the metadata of a stored result: mmlab's version (meson's
 * project version) and commit (git describe at build time, "-dirty" when
 * the tree had changes), the hostname and host profile, the time, the
 * command line; and the JSON helpers the CLI's --json outputs share.
 * Single-threaded: the caches are the calling process's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meta.h"
#include "cli/version.h"
#include "cli/mmlab_version.h"
#include "script/host_profile.h"

const char *meta_version(void)
{
	return MMLAB_VERSION;
}

const char *meta_commit(void)
{
	return MMLAB_GIT_COMMIT[0] ? MMLAB_GIT_COMMIT : "unknown";
}

const char *meta_hostname(void)
{
	static char name[256];

	if (!name[0] && gethostname(name, sizeof(name) - 1))
		strcpy(name, "unknown");
	return name;
}

const char *meta_host_profile_json(void)
{
	static char *json;
	char *lines = NULL, *line, *save;
	size_t len = 0;
	FILE *f, *out;
	bool first = true;

	if (json)
		return json;
	f = open_memstream(&lines, &len);
	if (!f)
		return "[]";
	host_profile_print(host_profile(), f, true);
	fclose(f);
	out = open_memstream(&json, &len);
	if (!out) {
		free(lines);
		return "[]";
	}
	fputc('[', out);
	for (line = strtok_r(lines, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '{')
			continue;
		fprintf(out, "%s%s", first ? "" : ",", line);
		first = false;
	}
	fputc(']', out);
	fclose(out);
	free(lines);
	return json;
}

int meta_mkdtemp(char *buf, size_t len, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/mmlab-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	if (mkdtemp(buf))
		return 0;
	fprintf(stderr, "mmlab: mkdtemp %s: %s\n", buf, strerror(errno));
	return -1;
}

char *meta_now(char *buf)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/._-=,:+@%", *s))
			return true;
	return false;
}

char *meta_command(int argc, char *const *argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return strdup("");
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (i)
			fputc(' ', f);
		if (!needs_quotes(s)) {
			fputs(s, f);
			continue;
		}
		fputc('\'', f);
		for (; *s; s++)
			if (*s == '\'')
				fputs("'\\''", f);
			else
				fputc(*s, f);
		fputc('\'', f);
	}
	fclose(f);
	return buf;
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_value(FILE *f, const char *s)
{
	char *end;

	if (!s) {
		fputs("null", f);
		return;
	}
	if (!strcmp(s, "true") || !strcmp(s, "false")) {
		fputs(s, f);
		return;
	}
	if (*s && !isspace((unsigned char)*s)) {
		double d = strtod(s, &end);

		/* JSON has no inf, nan, hex or leading '+' */
		if (!*end && d == d && d - d == 0 && *s != '+' &&
		    !strpbrk(s, "xXnN") && !(s[0] == '0' && isdigit((unsigned char)s[1]))) {
			fputs(s, f);
			return;
		}
	}
	json_string(f, s);
}

/* A JSON string at *p (after its opening quote) into out, unescaped. */
static int parse_string(const char **p, char *out, size_t max)
{
	const char *s = *p;
	size_t n = 0;

	for (; *s && *s != '"'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			switch (*s) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'u': c = '?'; s += 4; break;
			case 0: return -1;
			default: c = *s;
			}
		}
		if (n + 1 < max)
			out[n++] = c;
	}
	if (*s != '"')
		return -1;
	out[n] = 0;
	*p = s + 1;
	return 0;
}

int json_flat_parse(const char *line, void (*cb)(void *ctx, const char *k,
						 const char *v), void *ctx)
{
	const char *p = line;
	char key[256], val[4096];

	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '{')
		return -1;
	for (;;) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '}')
			return 0;
		if (*p++ != '"' || parse_string(&p, key, sizeof(key)))
			return -1;
		while (isspace((unsigned char)*p))
			p++;
		if (*p++ != ':')
			return -1;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '"') {
			p++;
			if (parse_string(&p, val, sizeof(val)))
				return -1;
			cb(ctx, key, val);
		} else {
			size_t n = strcspn(p, ",}");

			if (!p[n] || n >= sizeof(val) || *p == '{' || *p == '[')
				return -1;
			memcpy(val, p, n);
			while (n && isspace((unsigned char)val[n - 1]))
				n--;
			val[n] = 0;
			cb(ctx, key, strcmp(val, "null") ? val : NULL);
			p += strcspn(p, ",}");
		}
	}
}
