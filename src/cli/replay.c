/*
 * replay.c - `mmlab replay`: replay a recorded trace (`mmlab record`) on
 * the model (src/record/replay.c) and print what a kernel developer wants
 * to know of it, as text or JSON; `--info` summarises a trace without
 * replaying it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "record/replay.h"

static void replay_usage(FILE *f)
{
	fprintf(f,
"usage: mmlab replay [options] FILE.mmt\n"
"       mmlab replay --info|--events FILE.mmt\n"
"\n"
"Replay a trace written by `mmlab record` on the model: thread k of the\n"
"program runs on simulated CPU (k - 1) %% N, every address-space event goes\n"
"through the model's system call, every access through the TLB and the\n"
"page walker.  Prints faults by kind, TLB hits and misses, shootdowns and\n"
"IPIs by cause, stale-TLB reports, RSS and VmPTE over the run, THP\n"
"coverage, swap traffic and simulated time (docs/record-replay.md).\n"
"\n"
"options:\n"
"  --cpus N           simulated CPUs (default 4, at most %d)\n"
"  --mem SIZE         simulated memory (default 4G)\n"
"  --swap SIZE        a swap area of SIZE (a temporary file; default none)\n"
"  --set PATH=VALUE   set a tunable before the replay (repeatable)\n"
"  --deterministic    run the model under its seeded scheduler\n"
"  --seed N           the model's seed (and the scheduler's; default 1)\n"
"  --no-stale-check   turn the stale-TLB detector off (on by default)\n"
"  --json             one JSON object instead of the text report\n"
"  --records          flat JSON records instead (the summary, the counters,\n"
"                     the end state: one line each), as mmlab sweep stores them\n"
"  --info             print the trace's header and record counts only\n"
"  --events           --info and every record but accesses\n"
"  -h, --help         this text\n"
"\n"
"exit status: 0 the replay ran to the trace's end with no stale-TLB\n"
"report; 1 it stopped at an event the model cannot replay (named, with\n"
"its record number) or the detector reported; 2 usage error or a bad\n"
"trace (truncated or corrupt: the byte offset where it goes wrong).\n",
		MMLAB_MAX_CPUS);
}

struct replay_cli {
	struct replay_opts o;
	const char *sets[256];
	const char *file;
	bool json, info, events, records;
};

static int parse(struct replay_cli *c, int argc, char **argv)
{
	uint64_t v;

	c->o = (struct replay_opts){ .cpus = 4, .mem = 4ULL << 30, .seed = 1,
				     .stale_check = true, .sets = c->sets };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			replay_usage(stdout);
			return 256;
		} else if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--records")) {
			c->records = true;
		} else if (!strcmp(a, "--info")) {
			c->info = true;
		} else if (!strcmp(a, "--events")) {
			c->info = c->events = true;
		} else if (!strcmp(a, "--deterministic")) {
			c->o.deterministic = true;
		} else if (!strcmp(a, "--no-stale-check")) {
			c->o.stale_check = false;
		} else if (!strcmp(a, "--cpus") || !strcmp(a, "--seed") ||
			   !strcmp(a, "--mem") || !strcmp(a, "--set") ||
			   !strcmp(a, "--swap")) {
			if (!val) {
				fprintf(stderr, "mmlab replay: %s needs a value\n", a);
				return 2;
			}
			i++;
			if (!strcmp(a, "--mem")) {
				if (cli_parse_mem("replay", val, &c->o.mem))
					return 2;
			} else if (!strcmp(a, "--swap")) {
				if (cli_parse_u64(val, &c->o.swap, true) || c->o.swap < (40 << 10)) {
					fprintf(stderr, "mmlab replay: --swap '%s': a size of "
						"at least 40K, such as 256M\n", val);
					return 2;
				}
			} else if (!strcmp(a, "--set")) {
				if (c->o.nsets == 256 || !strchr(val, '=')) {
					fprintf(stderr, "mmlab replay: --set '%s': expected "
						"PATH=VALUE\n", val);
					return 2;
				}
				c->sets[c->o.nsets++] = val;
			} else if (cli_parse_u64(val, &v, false) ||
				   (!strcmp(a, "--cpus") && (v < 1 || v > MMLAB_MAX_CPUS))) {
				fprintf(stderr, "mmlab replay: %s '%s': not a valid number%s\n",
					a, val, !strcmp(a, "--cpus") ? " of CPUs (1..64)" : "");
				return 2;
			} else if (!strcmp(a, "--cpus")) {
				c->o.cpus = (unsigned int)v;
			} else {
				c->o.seed = v;
			}
		} else if (a[0] == '-' || c->file) {
			fprintf(stderr, "mmlab replay: unexpected argument '%s'\n", a);
			return 2;
		} else {
			c->file = a;
		}
	}
	if (!c->file) {
		replay_usage(stderr);
		return 2;
	}
	return 0;
}

/* One event of --events. */
static void dump(struct mmt_reader *r, const struct mmt_rec *rec)
{
	const char *name;

	printf("%10" PRIu64 "  ", mmt_reader_records(r));
	switch (rec->type) {
	case MMT_THREAD:
		printf("thread %" PRIu64 "\n", rec->tid);
		break;
	case MMT_THREAD_NEW:
		printf("thread %" PRIu64 " creates thread %" PRIu64 "\n", rec->tid, rec->tid2);
		break;
	case MMT_THREAD_EXIT:
		printf("thread %" PRIu64 " exits\n", rec->tid);
		break;
	case MMT_SYSCALL:
		name = mmt_syscall_name(rec->nr);
		printf("%s(", name ? name : "?");
		for (unsigned int i = 0; i < rec->nargs; i++)
			printf("%s0x%" PRIx64, i ? ", " : "", rec->args[i]);
		printf(") = %" PRId64 "%s\n", rec->result,
		       rec->result < 0 && rec->result > -4096 ? " (error)" : "");
		break;
	case MMT_FILE:
		printf("file %s (%" PRIu64 " bytes)\n", rec->path, rec->fsize);
		break;
	case MMT_SEGMENT:
		printf("segment [0x%" PRIx64 ", 0x%" PRIx64 ") prot %" PRIu64 " %s%s\n",
		       rec->start, rec->start + rec->len, rec->prot,
		       rec->kind == MMT_SEG_FILE ? "file " : "anon", rec->path);
		break;
	case MMT_BRK_START:
		printf("heap at 0x%" PRIx64 "\n", rec->addr);
		break;
	case MMT_END:
		printf("end: %" PRIu64 " accesses, %" PRIu64 " events\n",
		       rec->accesses, rec->events);
		break;
	}
}

/* --info: the header and a count of every record kind; --events: every
 * record but accesses. */
static int info(const char *file, bool events)
{
	uint64_t n[128] = { 0 }, threads = 1;
	struct mmt_reader *r;
	struct mmt_rec rec;
	char err[640];
	int ret;

	r = mmt_reader_open(file, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "mmlab replay: %s\n", err);
		return 2;
	}
	printf("trace %s: version %u, %" PRIu64 " bytes\n%s", file,
	       mmt_reader_version(r), mmt_reader_file_size(r), mmt_reader_header(r));
	while ((ret = mmt_reader_next(r, &rec)) > 0) {
		n[rec.type & 127]++;
		if (rec.type == MMT_THREAD_NEW)
			threads++;
		if (events && rec.type != MMT_ACCESS_MAX)
			dump(r, &rec);
	}
	if (ret < 0) {
		fprintf(stderr, "mmlab replay: %s\n", mmt_reader_error(r));
		mmt_reader_close(r);
		return 2;
	}
	printf("records: %" PRIu64 "\naccesses: %" PRIu64 "\nthreads: %" PRIu64
	       "\nsegments: %" PRIu64 "\nsystem calls: %" PRIu64 "\nthread exits: %"
	       PRIu64 "\n", mmt_reader_records(r), n[MMT_ACCESS_MAX], threads,
	       n[MMT_SEGMENT], n[MMT_SYSCALL], n[MMT_THREAD_EXIT]);
	mmt_reader_close(r);
	return 0;
}

static uint64_t counter(const struct replay_result *res, const char *name)
{
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		if (!strcmp(replay_counters[i], name))
			return res->counters[i];
	return 0;
}

static void print_text(const char *file, const struct replay_cli *c,
		       const struct replay_result *res)
{
	uint64_t thp = 0;

	printf("replay %s on %u CPUs: %" PRIu64 " records, %" PRIu64 " accesses, %"
	       PRIu64 " threads, %" PRIu64 " system calls (%" PRIu64 " failed on the "
	       "host, skipped), %" PRIu64 " forks\n", file, c->o.cpus, res->records,
	       res->accesses, res->threads, res->syscalls, res->skipped_failed,
	       res->forks);
	printf("host time %.3f s (%.2f M accesses/s); simulated time %.6f s\n",
	       res->host_s, res->host_s > 0 ? res->accesses / res->host_s / 1e6 : 0,
	       res->sim_s);
	printf("\n%-34s %14s\n", "counter", "delta");
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		printf("%-34s %14" PRIu64 "\n", replay_counters[i], res->counters[i]);
	printf("\nRSS and page tables over the run (kB):\n%12s %14s %10s %10s %8s %8s %8s %10s\n",
	       "record", "accesses", "VmRSS", "RssAnon", "VmPTE", "THP", "VmSwap", "sim s");
	for (unsigned int i = 0; i < res->nsamples; i++) {
		const struct replay_sample *s = &res->samples[i];

		printf("%12" PRIu64 " %14" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8" PRIu64
		       " %8" PRIu64 " %8" PRIu64 " %10.6f\n", s->records, s->accesses,
		       s->rss_kb, s->anon_kb, s->pte_kb, s->thp_kb, s->swap_kb, s->sim_s);
	}
	if (res->nsamples)
		thp = res->samples[res->nsamples - 1].thp_kb;
	printf("\nend: VmRSS %" PRIu64 " kB (peak %" PRIu64 "), RssAnon %" PRIu64
	       " kB, RssShmem %" PRIu64 " kB, VmPTE %" PRIu64 " kB (peak %" PRIu64
	       "), THP coverage %.1f%% of anonymous memory\n", res->end.VmRSS,
	       res->peak_rss_kb, res->end.RssAnon, res->end.RssShmem, res->end.VmPTE,
	       res->peak_pte_kb, res->end.RssAnon ? 100.0 * thp / res->end.RssAnon : 0.0);
	printf("stale-TLB reports: %" PRIu64 "%s\n", counter(res, "stale_tlb_reports"),
	       c->o.stale_check ? "" : " (detector off)");
	if (res->have_sched)
		printf("schedule: %" PRIu64 " steps, %" PRIu64 " switches, hash %016"
		       PRIx64 ", simulated %.6f s\n", res->sched.steps,
		       res->sched.switches, res->sched.hash, res->sched.clock_ns / 1e9);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* The run's summary fields (of --json and --records) */
static void print_summary(const char *file, const struct replay_cli *c,
			  const struct replay_result *res, int status)
{
	printf("\"file\": ");
	json_str(file);
	printf(", \"cpus\": %u, \"status\": %d, \"stop\": ", c->o.cpus, status);
	json_str(res->stop);
	printf(", \"records\": %" PRIu64 ", \"accesses\": %" PRIu64 ", \"threads\": %"
	       PRIu64 ", \"syscalls\": %" PRIu64 ", \"skipped_failed\": %" PRIu64
	       ", \"forks\": %" PRIu64 ", \"host_s\": %.6f, \"sim_s\": %.9f",
	       res->records, res->accesses, res->threads, res->syscalls,
	       res->skipped_failed, res->forks, res->host_s, res->sim_s);
}

static void print_json(const char *file, const struct replay_cli *c,
		       const struct replay_result *res, int status)
{
	printf("{");
	print_summary(file, c, res, status);
	printf(", \"counters\": {");
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		printf("%s\"%s\": %" PRIu64, i ? ", " : "", replay_counters[i],
		       res->counters[i]);
	printf("}, \"end\": {\"VmRSS\": %" PRIu64 ", \"RssAnon\": %" PRIu64
	       ", \"RssShmem\": %" PRIu64 ", \"VmPTE\": %" PRIu64 ", \"VmSwap\": %"
	       PRIu64 ", \"peak_rss_kb\": %" PRIu64 ", \"peak_pte_kb\": %" PRIu64 "}",
	       res->end.VmRSS, res->end.RssAnon, res->end.RssShmem, res->end.VmPTE,
	       res->end.VmSwap, res->peak_rss_kb, res->peak_pte_kb);
	printf(", \"samples\": [");
	for (unsigned int i = 0; i < res->nsamples; i++) {
		const struct replay_sample *s = &res->samples[i];

		printf("%s{\"records\": %" PRIu64 ", \"accesses\": %" PRIu64
		       ", \"rss_kb\": %" PRIu64 ", \"anon_kb\": %" PRIu64 ", \"pte_kb\": %"
		       PRIu64 ", \"thp_kb\": %" PRIu64 ", \"swap_kb\": %" PRIu64
		       ", \"sim_s\": %.9f}", i ? ", " : "", s->records, s->accesses,
		       s->rss_kb, s->anon_kb, s->pte_kb, s->thp_kb, s->swap_kb, s->sim_s);
	}
	printf("]");
	if (res->have_sched)
		printf(", \"schedule\": {\"steps\": %" PRIu64 ", \"hash\": \"%016" PRIx64
		       "\"}", res->sched.steps, res->sched.hash);
	printf("}\n");
}

/* --records: three flat records, as a benchmark prints them */
static void print_records(const char *file, const struct replay_cli *c,
			  const struct replay_result *res, int status)
{
	printf("{\"record\": \"replay\", ");
	print_summary(file, c, res, status);
	printf("}\n");
	printf("{\"record\": \"counters\"");
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		printf(", \"%s\": %" PRIu64, replay_counters[i], res->counters[i]);
	printf("}\n{\"record\": \"end\", \"VmRSS\": %" PRIu64 ", \"RssAnon\": %" PRIu64
	       ", \"RssShmem\": %" PRIu64 ", \"VmPTE\": %" PRIu64 ", \"VmSwap\": %" PRIu64
	       ", \"peak_rss_kb\": %" PRIu64 ", \"peak_pte_kb\": %" PRIu64 "}\n",
	       res->end.VmRSS, res->end.RssAnon, res->end.RssShmem, res->end.VmPTE,
	       res->end.VmSwap, res->peak_rss_kb, res->peak_pte_kb);
}

int cmd_replay(int argc, char **argv)
{
	static struct replay_result res;
	struct replay_cli c = { 0 };
	int ret = parse(&c, argc, argv);

	if (ret)
		return ret == 256 ? 0 : ret;
	if (c.info)
		return info(c.file, c.events);
	ret = replay_trace(c.file, &c.o, &res);
	if (ret == 2 && !res.records) {
		fprintf(stderr, "mmlab replay: %s\n", res.stop);
		return 2;
	}
	if (c.records)
		print_records(c.file, &c, &res, ret);
	else if (c.json)
		print_json(c.file, &c, &res, ret);
	else
		print_text(c.file, &c, &res);
	if (ret) {
		fprintf(stderr, "mmlab replay: %s %s\n", ret == 2 ? "bad trace:" :
			"stopped at", res.stop);
		return ret;
	}
	if (counter(&res, "stale_tlb_reports")) {
		fprintf(stderr, "mmlab replay: the stale-TLB detector reported %" PRIu64
			" accesses\n", counter(&res, "stale_tlb_reports"));
		return 1;
	}
	return 0;
}
