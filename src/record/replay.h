/*
 * replay.h - replaying a recorded trace on the model (replay.c: threads and
 * accesses; replay_syscall.c: the address-space events).
 *
 * The trace's threads become tasks of one model process, thread k on CPU
 * (k - 1) % cpus; records are replayed in the trace's order by one host
 * thread, which becomes each record's CPU in turn.  Mappings are made at
 * the addresses the program got (MAP_FIXED), files become memfds of their
 * size (the model's page cache is shmem), and the heap moves to the
 * model's brk start (accesses to it are translated).  An event the model
 * cannot replay, or that ends otherwise than it did on the host, stops the
 * replay with its name and record number.
 */
#ifndef MMLAB_RECORD_REPLAY_H
#define MMLAB_RECORD_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <mmlab/mmlab.h>
#include "record/trace.h"

#define REPLAY_MAX_SAMPLES	64
#define REPLAY_BATCH		4096

struct replay_opts {
	unsigned int cpus;		/* simulated CPUs (default 4) */
	uint64_t mem;			/* bytes of simulated memory (default 4 GiB) */
	uint64_t swap;			/* bytes of swap (0: none) */
	bool deterministic;
	uint64_t seed;
	const char **sets;		/* PATH=VALUE knobs */
	unsigned int nsets;
	bool stale_check;		/* the stale-TLB detector (default on) */
	bool quiet;			/* no progress on stderr */
	unsigned int nodes;		/* NUMA nodes of @mem each (0 or 1: one) */
	/* Called every @tick_every accesses, between two batches, on the
	 * replaying thread outside any task: a benchmark drives migration or
	 * reclaim through it (NULL: none). */
	void (*tick)(struct mmlab_proc *p, void *arg);
	void *tick_arg;
	uint64_t tick_every;
};

/* RSS and page tables after a number of records. */
struct replay_sample {
	uint64_t records, accesses;
	uint64_t rss_kb, anon_kb, pte_kb, thp_kb, swap_kb;
	double sim_s;
};

/* The vmstat counters a replay reports (replay.c), as deltas. */
extern const char *const replay_counters[];
extern const unsigned int replay_nr_counters;

struct replay_result {
	uint64_t records, accesses, events, syscalls, threads, forks;
	uint64_t skipped_failed;	/* system calls that failed on the host */
	uint64_t skipped_kernel;	/* accesses above user space (vsyscall) */
	uint64_t counters[96];		/* replay_counters deltas */
	uint64_t tlb_l1_hits, tlb_l2_hits;
	struct replay_sample samples[REPLAY_MAX_SAMPLES];
	unsigned int nsamples;
	uint64_t sample_every;
	struct mmlab_status end;	/* the process at the end */
	uint64_t peak_rss_kb, peak_pte_kb;
	double sim_s, host_s;
	struct mmlab_sched_stats sched;
	bool have_sched;
	char stop[640];			/* why the replay stopped early */
};

/* Replay @path.  0: ran to its end; 1: stopped at an event the model
 * cannot replay (res->stop says which); 2: a bad trace or bad options
 * (message in res->stop). */
int replay_trace(const char *path, const struct replay_opts *o,
		 struct replay_result *res);

/* ---- shared between replay.c and replay_syscall.c ---- */
struct replay_file {
	uint64_t dev, ino;
	int fd;
	uint64_t size;
};

struct replay_shm {
	int64_t id;
	int fd;
	uint64_t size, addr;
};

struct replay {
	const struct replay_opts *o;
	struct replay_result *res;
	struct mmt_reader *rd;
	struct mmlab_proc *proc;
	struct mmlab_task **tasks;	/* by tid */
	uint64_t ntasks;
	uint64_t cur;			/* current tid */
	struct mmt_rec pending_file;	/* FILE before an mmap */
	bool have_file;
	struct replay_file *files;
	unsigned int nfiles;
	struct replay_shm *shms;
	unsigned int nshms;
	/* heap translation: [rec_brk_start, rec_brk_end) moves by brk_delta */
	uint64_t rec_brk_start, rec_brk_end, model_brk_start;
	bool have_brk;
	/* accesses of the current thread not yet made: one mmlab_access_run */
	struct mmlab_access *batch;
	size_t nbatch;
	uint64_t batch_first;		/* record number of batch[0] */
	uint64_t next_tick;		/* accesses at which o->tick runs next */
};

/* Stop the replay with a message naming the record (returns 1). */
int replay_stop(struct replay *rp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct mmlab_task *replay_task(struct replay *rp);
int replay_syscall(struct replay *rp, const struct mmt_rec *rec);
int replay_segment(struct replay *rp, const struct mmt_rec *rec);

#endif
