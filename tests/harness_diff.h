/*
 * harness_diff.h - the differential tests' runner (included by harness.h):
 * smaps on both sides, then diff_run(), which runs a case on the host in a
 * forked child and on the model, compares the observations and reports a
 * case the host cannot show as skipped.
 */
#ifndef MMLAB_TESTS_HARNESS_DIFF_H
#define MMLAB_TESTS_HARNESS_DIFF_H

/* Parse the smaps entry of the VMA holding @addr in /proc/@pid/smaps (0:
 * this process). */
static inline int host_smaps_pid(int pid, uint64_t addr, struct mmlab_smaps *out)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "Size:", offsetof(struct mmlab_smaps, Size) },
		{ "Rss:", offsetof(struct mmlab_smaps, Rss) },
		{ "Pss:", offsetof(struct mmlab_smaps, Pss) },
		{ "Shared_Clean:", offsetof(struct mmlab_smaps, Shared_Clean) },
		{ "Shared_Dirty:", offsetof(struct mmlab_smaps, Shared_Dirty) },
		{ "Private_Clean:", offsetof(struct mmlab_smaps, Private_Clean) },
		{ "Private_Dirty:", offsetof(struct mmlab_smaps, Private_Dirty) },
		{ "Referenced:", offsetof(struct mmlab_smaps, Referenced) },
		{ "Anonymous:", offsetof(struct mmlab_smaps, Anonymous) },
		{ "AnonHugePages:", offsetof(struct mmlab_smaps, AnonHugePages) },
		{ "ShmemPmdMapped:", offsetof(struct mmlab_smaps, ShmemPmdMapped) },
		{ "Swap:", offsetof(struct mmlab_smaps, Swap) },
		{ "SwapPss:", offsetof(struct mmlab_smaps, SwapPss) },
		{ "Locked:", offsetof(struct mmlab_smaps, Locked) },
	};
	const char *s = host_maps_buf;
	bool in = false;
	char path[40];
	size_t k;

	memset(out, 0, sizeof(*out));
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	if (host_slurp(pid ? path : "/proc/self/smaps", host_maps_buf, sizeof(host_maps_buf)) < 0)
		return -EIO;
	while (*s) {
		const char *line = s;

		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
		if ((line[0] >= '0' && line[0] <= '9') ||
		    (line[0] >= 'a' && line[0] <= 'f')) {
			const char *q = line;
			uint64_t st = parse_hex(&q), en;

			if (*q != '-')
				goto field;
			q++;
			en = parse_hex(&q);
			if (in)
				return 0;
			in = addr >= st && addr < en;
			if (in) {
				out->start = st;
				out->end = en;
			}
			continue;
		}
field:
		if (!in)
			continue;
		if (!strncmp(line, "VmFlags:", 8)) {
			size_t n = 0;

			line += 8;
			while (*line == ' ')
				line++;
			while (line[n] && line[n] != '\n' && n < sizeof(out->flags) - 1) {
				out->flags[n] = line[n];
				n++;
			}
			out->flags[n] = 0;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t kl = strlen(keys[k].key);
			const char *q = line + kl;
			uint64_t v = 0;

			if (strncmp(line, keys[k].key, kl))
				continue;
			while (*q == ' ')
				q++;
			while (*q >= '0' && *q <= '9')
				v = v * 10 + (uint64_t)(*q++ - '0');
			*(uint64_t *)((char *)out + keys[k].off) = v;
		}
	}
	return in ? 0 : -ENOENT;
}

static inline int host_smaps(uint64_t addr, struct mmlab_smaps *out)
{
	return host_smaps_pid(0, addr, out);
}

static inline int be_smaps(struct be *b, uint64_t addr, struct mmlab_smaps *out)
{
	if (b->model)
		return mmlab_smaps(b->p, addr, out);
	return host_smaps(addr, out);
}

/* Does the VmFlags string hold the two-letter @tok? */
static inline bool vmflag(const char *flags, const char *tok)
{
	const char *s;

	for (s = flags; (s = strstr(s, tok)); s++)
		if ((s == flags || s[-1] == ' ') && (s[2] == ' ' || s[2] == 0))
			return true;
	return false;
}

/* Record smaps of the VMA at @addr: range, sizes, and the common VmFlags. */
static inline void obs_smaps(struct be *b, const char *label, uint64_t addr)
{
	static const char *const toks[] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gu", "ac", "nr",
		"hg", "nh", "mg",
	};
	struct mmlab_smaps sm;
	size_t k;
	int ret = be_smaps(b, addr, &sm);

	OBS(b, label, ret);
	if (ret)
		return;
	OBS(b, "  smaps start", sm.start);
	OBS(b, "  smaps end", sm.end);
	OBS(b, "  Size", sm.Size);
	OBS(b, "  Rss", sm.Rss);
	OBS(b, "  Pss", sm.Pss);
	OBS(b, "  Shared_Clean", sm.Shared_Clean);
	OBS(b, "  Shared_Dirty", sm.Shared_Dirty);
	OBS(b, "  Private_Clean", sm.Private_Clean);
	OBS(b, "  Private_Dirty", sm.Private_Dirty);
	OBS(b, "  Anonymous", sm.Anonymous);
	OBS(b, "  AnonHugePages", sm.AnonHugePages);
	OBS(b, "  Swap", sm.Swap);
	for (k = 0; k < ARRAY_SIZE(toks); k++)
		OBS(b, toks[k], vmflag(sm.flags, toks[k]));	/* VmFlags token */
}

/*
 * Under ASan and TSan the host child's own RSS moves by itself (shadow
 * pages of the runtime): RSS deltas are then checked on the model only.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HOST_RSS_EXACT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HOST_RSS_EXACT 0
#endif
#endif
#ifndef HOST_RSS_EXACT
#define HOST_RSS_EXACT 1
#endif

/* An RSS delta: compared with the host only where the host's is exact. */
#define EXPECT_RSS(b, label, v, want) do {				\
	if (HOST_RSS_EXACT)						\
		EXPECT(b, label, v, want);				\
	else if ((b)->model)						\
		EXPECT_ONLY(b, label, v, want);				\
} while (0)

typedef void (*diff_case_fn)(struct be *b);

static int diff_skipped;

/* main's exit status: cmocka's, or 77 (skip) when cases were skipped. */
static inline int tests_exit(int failed)
{
	if (!failed && diff_skipped) {
		fprintf(stderr, "%d case(s) skipped\n", diff_skipped);
		return 77;
	}
	return failed;
}

/* Check the case's range is free on the host; mark the log skipped if not. */
static inline bool host_range_free(struct be *b)
{
	struct vma_desc v[1];

	if (host_vmas(DIFF_BASE, DIFF_BASE + DIFF_SPAN, v, 1) != 0) {
		b->log->skip = true;
		b->log->skip_why = "host: the test range is in use";
		return false;
	}
	return true;
}

/*
 * Touch the child's buffers and some stack before the case runs, so that
 * VmPTE and RSS move only with what the case does.
 */
static inline void host_prefault(void)
{
	volatile char stack[128 * 1024];
	size_t i;

	for (i = 0; i < sizeof(stack); i += 1024)
		stack[i] = 0;
	memset(host_maps_buf, 0, sizeof(host_maps_buf));
	memset(host_status_buf, 0, sizeof(host_status_buf));
}

static inline struct obs_log *diff_run_host(diff_case_fn fn)
{
	struct obs_log *log;
	pid_t pid;
	int st = 0;

	log = mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(log != MAP_FAILED);
	memset(log, 0, sizeof(*log));
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa;
		struct be b = {
			.model = false, .name = "host", .log = log,
			.pagemap_fd = -1,
		};

		/* Not cmocka's handlers: a crash here is the child's death. */
		signal(SIGABRT, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = host_on_signal;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		host_drop_rawio();
		host_prefault();
		b.mmap_min_addr = host_read_u64_file("/proc/sys/vm/mmap_min_addr");
		if (host_range_free(&b))
			fn(&b);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("host child died: status %#x", st);
	return log;
}

static inline void diff_print(const char *who, const struct obs *o)
{
	if (o->idx >= 0)
		print_message("  %s: %s[%ld] = %" PRId64, who, o->label, o->idx, o->v);
	else
		print_message("  %s: %s = %" PRId64, who, o->label, o->v);
	if (o->expect && !o->ok)
		print_message(" (want %" PRId64 ")", o->want);
	print_message("\n");
}

/* A model backend recording into @log: a new process on the machine up
 * now. */
static inline void be_model_init(struct be *b, struct obs_log *log)
{
	memset(b, 0, sizeof(*b));
	b->model = true;
	b->name = "model";
	b->log = log;
	b->mmap_min_addr = MODEL_MMAP_MIN;
	b->pagemap_fd = -1;
	b->p = spawn();
	b->t = mmlab_main_task(b->p);
}

/* Run @fn on a fresh model machine (in the host's profile, or stock) and
 * return its log; the machine is still up. */
static inline struct obs_log *diff_run_model(diff_case_fn fn, bool profile)
{
	struct obs_log *model = calloc(1, sizeof(*model));
	struct be b;

	assert_non_null(model);
	if (profile)
		host_profile_load();
	machine_up_cfg(NULL);
	if (profile)
		host_profile_apply();
	be_model_init(&b, model);
	fn(&b);
	assert_int_equal(mmlab_exit(b.p), 0);
	return model;
}

/*
 * A case that needs something of the host kernel (a name of `mm.require`):
 * where the host profile says this host lacks it, the case runs on the
 * model alone, as stock 6.18, its expectations checked, and counts as
 * skipped (the executable exits 77 when nothing failed).
 */
static inline bool diff_host_lacks_one(const char *name, const char *exe,
				       const char *req)
{
	char cmd[600], why[512] = "";
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' host --has %s", exe, req);
	f = popen(cmd, "re");
	if (!f)
		return false;
	if (!fgets(why, sizeof(why), f))
		why[0] = 0;
	st = pclose(f);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return false;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
		fail_msg("%s: mmlab host --has %s failed", name, req);
	print_message("%s: host side skipped: %s", name, why);
	return true;
}

/* @reqs: names separated by commas; true when the host lacks one. */
static inline bool diff_host_lacks(const char *name, const char *reqs)
{
	const char *exe = getenv("MMLAB_EXE");
	char list[128], *tok, *save;

	if (!exe)
		return false;
	snprintf(list, sizeof(list), "%s", reqs);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (diff_host_lacks_one(name, exe, tok))
			return true;
	return false;
}

/* Run @fn on the host and on a fresh model machine; fail on any difference. */
static inline void diff_run(const char *name, diff_case_fn fn)
{
	struct obs_log *host = diff_run_host(fn);
	struct obs_log *model;
	int i, j, bad = 0, hfail, mfail;

	if (host->skip) {
		print_message("%s: skipped: %s\n", name, host->skip_why);
		diff_skipped++;
		munmap(host, sizeof(*host));
		skip();
	}
	/* MMLAB_TEST_HOST_ONLY=1: check the expectations on the host only. */
	if (env_u64("MMLAB_TEST_HOST_ONLY", 0)) {
		hfail = host->nfail;
		for (i = 0; i < host->n; i++)
			if (!host->e[i].ok || env_u64("MMLAB_TEST_HOST_ONLY", 0) > 1)
				diff_print(host->e[i].ok ? "host" : "HOST MISSED",
					   &host->e[i]);
		munmap(host, sizeof(*host));
		if (hfail)
			fail_msg("%s: %d host expectation(s) missed", name, hfail);
		return;
	}
	model = diff_run_model(fn, true);
	hfail = host->nfail;
	mfail = model->nfail;

	for (i = 0; i < host->n; i++)
		if (!host->e[i].ok) {
			print_message("%s: host kernel misses an expectation:\n", name);
			diff_print("host", &host->e[i]);
		}
	for (i = 0; i < model->n; i++)
		if (!model->e[i].ok) {
			print_message("%s: model misses an expectation:\n", name);
			diff_print("model", &model->e[i]);
		}
	for (i = 0, j = 0;; i++, j++) {
		while (i < host->n && host->e[i].nodiff)
			i++;
		while (j < model->n && model->e[j].nodiff)
			j++;
		if (i >= host->n || j >= model->n) {
			if (i < host->n || j < model->n) {
				print_message("%s: backends recorded different numbers of observations\n",
					      name);
				if (i < host->n)
					diff_print("host", &host->e[i]);
				if (j < model->n)
					diff_print("model", &model->e[j]);
				bad++;
			}
			break;
		}
		if (host->e[i].label != model->e[j].label ||
		    host->e[i].idx != model->e[j].idx ||
		    host->e[i].v != model->e[j].v) {
			if (bad < 8) {
				print_message("%s: model and host differ:\n", name);
				diff_print("host", &host->e[i]);
				diff_print("model", &model->e[j]);
			}
			bad++;
		}
	}
	if (host->overflow || model->overflow)
		bad++;
	munmap(host, sizeof(*host));
	free(model);
	machine_down();
	if (hfail || mfail || bad)
		fail_msg("%s: %d host expectation(s) missed, %d model expectation(s) missed, %d difference(s)",
			 name, hfail, mfail, bad);
}

static inline void diff_run_req(const char *name, diff_case_fn fn, const char *req)
{
	struct obs_log *model;
	int mfail;

	if (!diff_host_lacks(name, req)) {
		diff_run(name, fn);
		return;
	}
	model = diff_run_model(fn, false);
	mfail = model->nfail;
	for (int i = 0; i < model->n; i++)
		if (!model->e[i].ok) {
			print_message("%s: model misses an expectation:\n", name);
			diff_print("model", &model->e[i]);
		}
	free(model);
	machine_down();
	diff_skipped++;
	if (mfail)
		fail_msg("%s: %d model expectation(s) missed", name, mfail);
}

#define DIFF_TEST_REQUIRES(c, req)				\
	static void t_##c(void **state)				\
	{							\
		(void)state;					\
		diff_run_req(#c, c, req);			\
	}

#define DIFF_TEST(c)						\
	static void t_##c(void **state)				\
	{							\
		(void)state;					\
		diff_run(#c, c);				\
	}

#endif
