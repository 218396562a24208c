/*
 * mmtrace.c - the valgrind tool behind `mmlab record`: it writes a program's
 * memory behaviour as the record stream of a `.mmt` trace (trace_format.h)
 * to a pipe that `mmlab record` compresses into the file.
 *
 * Built against Debian's valgrind tool headers and static core libraries
 * (libcoregrind, libvex), without libc; run as
 *   VALGRIND_LIB=DIR valgrind --tool=mmtrace --mmt-fd=N PROGRAM ...
 *
 * What it records, in the order the program did it:
 * - every data access (loads, stores, guarded loads and stores, CAS as a
 *   read and a write, LL/SC, and the memory effects of helper calls: x87,
 *   SSE/AVX state, cpuid...) with its address and size;
 * - one read per code page an executed block enters (the fetch of its first
 *   instruction on that page), so the program's text is faulted in;
 * - thread switches: valgrind runs one thread at a time and says which
 *   (track_start_client_code), so every record belongs to the thread
 *   named by the THREAD record before it: attribution is exact;
 * - thread creation and exit, the mappings present before the first
 *   instruction, and the address-space system calls with their arguments
 *   and results (with the file behind an mmap'd fd).
 *
 * A child made by fork records nothing (its parent's trace goes on).  The
 * tool is single-threaded as valgrind runs it: no locks.
 */
#include "pub_tool_basics.h"
#include "pub_tool_tooliface.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcfile.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_libcproc.h"
#include "pub_tool_machine.h"
#include "pub_tool_options.h"
#include "pub_tool_threadstate.h"

#include "trace_format.h"
#include "trace_varint.h"

/* valgrind's core keeps fds it must not lose above the client's limit */
extern Int VG_(safe_fd)(Int oldfd);

#define BUF_CAP		(1 << 20)
#define BUF_FLUSH	(BUF_CAP - 8192)
#define MAX_VG_TID	4096

static Long clo_fd = -1;
static Bool clo_fetch = True;

static UChar buf[BUF_CAP];
static Int buf_len;
static Int out_fd = -1;
static Bool disabled;		/* a forked child */
static Addr last_addr;
static ULong accesses, events;
static ULong tidmap[MAX_VG_TID];
static ULong next_tid = 2, cur_tid;

static void flush(void)
{
	Int off = 0;

	while (off < buf_len) {
		Int n = VG_(write)(out_fd, buf + off, buf_len - off);

		if (n <= 0) {
			VG_(umsg)("mmtrace: writing the trace failed; stopping\n");
			VG_(exit)(2);
		}
		off += n;
	}
	buf_len = 0;
}

static inline UChar *reserve(Int n)
{
	if (buf_len + n > BUF_FLUSH)
		flush();
	return buf + buf_len;
}

static inline void commit(UChar *end)
{
	buf_len = (Int)(end - buf);
}

static inline void put_access(Addr a, HWord size, UInt write)
{
	UChar *p;
	UInt code = MMT_SIZE_EXPLICIT;

	if (UNLIKELY(disabled))
		return;
	p = reserve(2 * MMT_VARINT_MAX + 1);
	if (size && size <= 64 && !(size & (size - 1)))
		code = (UInt)__builtin_ctzl(size);
	*p++ = (UChar)((code << MMT_SIZE_SHIFT) | write);
	if (code == MMT_SIZE_EXPLICIT)
		p = mmt_put_u(p, size);
	p = mmt_put_s(p, (Long)(a - last_addr));
	last_addr = a;
	accesses++;
	commit(p);
}

static VG_REGPARM(2) void trace_read(Addr a, HWord size)
{
	put_access(a, size, 0);
}

static VG_REGPARM(2) void trace_write(Addr a, HWord size)
{
	put_access(a, size, MMT_ACCESS_WRITE);
}

static void put_tag_u(UChar tag, Int n, ULong v0, ULong v1)
{
	UChar *p = reserve(1 + 2 * MMT_VARINT_MAX);

	*p++ = tag;
	p = mmt_put_u(p, v0);
	if (n > 1)
		p = mmt_put_u(p, v1);
	commit(p);
}

/* Make vg thread @tid the current one of the trace. */
static void switch_to(ThreadId tid)
{
	tl_assert(tid < MAX_VG_TID);
	if (disabled || tidmap[tid] == cur_tid)
		return;
	cur_tid = tidmap[tid];
	put_tag_u(MMT_THREAD, 1, cur_tid, 0);
}

static void start_client_code(ThreadId tid, ULong bbs_done)
{
	switch_to(tid);
}

static void thread_create(ThreadId parent, ThreadId child)
{
	if (disabled)
		return;
	tl_assert(child < MAX_VG_TID);
	if (parent == VG_INVALID_THREADID) {
		tidmap[child] = 1;	/* the main thread, made at start */
		return;
	}
	switch_to(parent);
	tidmap[child] = next_tid++;
	put_tag_u(MMT_THREAD_NEW, 2, tidmap[parent], tidmap[child]);
	events++;
}

static void thread_exit(ThreadId tid)
{
	if (disabled || tid >= MAX_VG_TID || !tidmap[tid])
		return;
	put_tag_u(MMT_THREAD_EXIT, 1, tidmap[tid], 0);
	events++;
}

static UChar *put_file(UChar *p, ULong dev, ULong ino, ULong size, const HChar *path)
{
	Int n = path ? VG_(strlen)(path) : 0;

	if (n > MMT_MAX_PATH)
		n = MMT_MAX_PATH;
	p = mmt_put_u(p, dev);
	p = mmt_put_u(p, ino);
	p = mmt_put_u(p, size);
	p = mmt_put_u(p, (ULong)n);
	VG_(memcpy)(p, path ? path : "", n);
	return p + n;
}

static ULong file_size(ULong dev, ULong ino, const HChar *path)
{
	struct vg_stat st;
	SysRes r;

	if (!path)
		return 0;
	r = VG_(stat)(path, &st);
	if (sr_isError(r) || st.dev != dev || st.ino != ino)
		return 0;
	return (ULong)st.size;
}

static void new_mem_startup(Addr a, SizeT len, Bool rr, Bool ww, Bool xx, ULong di)
{
	NSegment const *seg = VG_(am_find_nsegment)(a), *below;
	UChar *p;
	Bool file = seg && seg->kind == SkFileC, stack = False;
	ULong prot = (rr ? 1 : 0) | (ww ? 2 : 0) | (xx ? 4 : 0);

	/* valgrind's own: the trampoline's sub-page pieces (the page holding
	 * them is a segment of its own), and the heap's first page, which the
	 * program sees only as its break (brk) */
	if ((a | len) & 0xfff || (seg && seg->isCH))
		return;
	/* the main stack grows into the reservation below it: map that too */
	below = a ? VG_(am_find_nsegment)(a - 1) : NULL;
	if (seg && seg->kind == SkAnonC && below && below->kind == SkResvn) {
		len += a - below->start;
		a = below->start;
		stack = True;
	}
	p = reserve(MMT_MAX_PATH + 16 * MMT_VARINT_MAX);
	*p++ = MMT_SEGMENT;
	p = mmt_put_u(p, a);
	p = mmt_put_u(p, len);
	p = mmt_put_u(p, prot);
	p = mmt_put_u(p, file ? MMT_SEG_FILE : stack ? MMT_SEG_STACK : MMT_SEG_ANON);
	p = mmt_put_u(p, file ? (ULong)seg->offset + (a - seg->start) : 0);
	if (file) {
		const HChar *path = VG_(am_get_filename)(seg);

		p = put_file(p, seg->dev, seg->ino, file_size(seg->dev, seg->ino, path), path);
	}
	commit(p);
	events++;
}

static Bool recorded_syscall(UInt nr)
{
	switch (nr) {
	case 9: case 10: case 11: case 12: case 25: case 26: case 28:
	case 29: case 30: case 56: case 57: case 58: case 67:
	case 149: case 150: case 151: case 152: case 216: case 319:
	case 323: case 325: case 329: case 435: case 440: case 462:
		return True;
	}
	return False;
}

static void post_syscall(ThreadId tid, UInt nr, UWord *args, UInt nargs, SysRes res)
{
	Long result = sr_isError(res) ? -(Long)sr_Err(res) : (Long)sr_Res(res);
	UChar *p;

	if (disabled || !recorded_syscall(nr))
		return;
	switch_to(tid);
	if (nr == 9 && !sr_isError(res) && !(args[3] & 0x20)) {
		/* a file mapping: the file behind the fd */
		NSegment const *seg = VG_(am_find_nsegment)(sr_Res(res));

		if (seg && seg->kind == SkFileC) {
			const HChar *path = VG_(am_get_filename)(seg);
			struct vg_stat st;
			ULong size = 0;

			if (VG_(fstat)((Int)args[4], &st) == 0)
				size = (ULong)st.size;
			p = reserve(MMT_MAX_PATH + 8 * MMT_VARINT_MAX);
			*p++ = MMT_FILE;
			commit(put_file(p, seg->dev, seg->ino, size, path));
		}
	}
	if (nargs > 6)
		nargs = 6;
	p = reserve(3 + 8 * MMT_VARINT_MAX);
	*p++ = MMT_SYSCALL;
	p = mmt_put_u(p, nr);
	p = mmt_put_u(p, nargs);
	for (UInt i = 0; i < nargs; i++)
		p = mmt_put_u(p, args[i]);
	p = mmt_put_s(p, result);
	commit(p);
	events++;
}

/* execve replaces the program, and valgrind (not following children)
 * lets the new one run untraced: what was recorded goes out first, and
 * the trace ends there without END. */
static void pre_syscall(ThreadId tid, UInt nr, UWord *args, UInt nargs)
{
	if (!disabled && (nr == 59 || nr == 322))
		flush();
}

static void fork_child(ThreadId tid)
{
	disabled = True;
	buf_len = 0;
}

static void add_call(IRSB *sb, IRExpr *addr, Int size, Bool write, IRExpr *guard)
{
	IRDirty *di;

	if (size <= 0)
		return;
	di = unsafeIRDirty_0_N(2, write ? "trace_write" : "trace_read",
			       VG_(fnptr_to_fnentry)(write ? (void *)trace_write :
						     (void *)trace_read),
			       mkIRExprVec_2(addr, mkIRExpr_HWord((HWord)size)));
	if (guard)
		di->guard = guard;
	addStmtToIRSB(sb, IRStmt_Dirty(di));
}

/* The accesses a statement makes, before it. */
static void instrument_stmt(IRSB *out, IRTypeEnv *tyenv, IRStmt *st, Addr *code_page)
{
	switch (st->tag) {
	case Ist_IMark:
		if (clo_fetch && (st->Ist.IMark.addr >> 12) != *code_page) {
			*code_page = st->Ist.IMark.addr >> 12;
			add_call(out, mkIRExpr_HWord(st->Ist.IMark.addr), 1, False, NULL);
		}
		break;
	case Ist_WrTmp:
		if (st->Ist.WrTmp.data->tag == Iex_Load)
			add_call(out, st->Ist.WrTmp.data->Iex.Load.addr,
				 sizeofIRType(st->Ist.WrTmp.data->Iex.Load.ty), False, NULL);
		break;
	case Ist_Store:
		add_call(out, st->Ist.Store.addr,
			 sizeofIRType(typeOfIRExpr(tyenv, st->Ist.Store.data)), True, NULL);
		break;
	case Ist_StoreG: {
		IRStoreG *sg = st->Ist.StoreG.details;

		add_call(out, sg->addr, sizeofIRType(typeOfIRExpr(tyenv, sg->data)),
			 True, sg->guard);
		break;
	}
	case Ist_LoadG: {
		IRLoadG *lg = st->Ist.LoadG.details;
		IRType ty = Ity_INVALID, wide = Ity_INVALID;

		typeOfIRLoadGOp(lg->cvt, &wide, &ty);
		add_call(out, lg->addr, sizeofIRType(ty), False, lg->guard);
		break;
	}
	case Ist_Dirty: {
		IRDirty *d = st->Ist.Dirty.details;

		if (d->mFx == Ifx_Read || d->mFx == Ifx_Modify)
			add_call(out, d->mAddr, d->mSize, False, NULL);
		if (d->mFx == Ifx_Write || d->mFx == Ifx_Modify)
			add_call(out, d->mAddr, d->mSize, True, NULL);
		break;
	}
	case Ist_CAS: {
		IRCAS *cas = st->Ist.CAS.details;
		Int size = sizeofIRType(typeOfIRExpr(tyenv, cas->dataLo));

		if (cas->dataHi)
			size *= 2;
		add_call(out, cas->addr, size, False, NULL);
		add_call(out, cas->addr, size, True, NULL);
		break;
	}
	case Ist_LLSC:
		if (!st->Ist.LLSC.storedata)
			add_call(out, st->Ist.LLSC.addr,
				 sizeofIRType(typeOfIRTemp(tyenv, st->Ist.LLSC.result)),
				 False, NULL);
		else
			add_call(out, st->Ist.LLSC.addr,
				 sizeofIRType(typeOfIRExpr(tyenv, st->Ist.LLSC.storedata)),
				 True, NULL);
		break;
	default:
		break;
	}
}

static IRSB *mmt_instrument(VgCallbackClosure *closure, IRSB *in,
			    const VexGuestLayout *layout, const VexGuestExtents *vge,
			    const VexArchInfo *archinfo, IRType gwty, IRType hwty)
{
	IRSB *out = deepCopyIRSBExceptStmts(in);
	Addr code_page = ~(Addr)0;
	Int i = 0;

	while (i < in->stmts_used && in->stmts[i]->tag != Ist_IMark)
		addStmtToIRSB(out, in->stmts[i++]);
	for (; i < in->stmts_used; i++) {
		IRStmt *st = in->stmts[i];

		if (!st || st->tag == Ist_NoOp)
			continue;
		instrument_stmt(out, in->tyenv, st, &code_page);
		addStmtToIRSB(out, st);
	}
	return out;
}

static Bool process_cmd_line_option(const HChar *arg)
{
	if VG_INT_CLO(arg, "--mmt-fd", clo_fd) {}
	else if VG_BOOL_CLO(arg, "--mmt-fetch", clo_fetch) {}
	else
		return False;
	return True;
}

static void print_usage(void)
{
	VG_(printf)("    --mmt-fd=N        write the record stream to fd N\n"
		    "    --mmt-fetch=no    no reads for code pages entered\n");
}

static void print_debug_usage(void)
{
}

static void post_clo_init(void)
{
	if (clo_fd < 0) {
		VG_(umsg)("mmtrace: --mmt-fd=N is required (run it as mmlab record)\n");
		VG_(exit)(2);
	}
	/* out of the client's reach: a program closing its fds keeps ours */
	out_fd = VG_(safe_fd)((Int)clo_fd);
	tidmap[1] = 1;
}

static void fini(Int exitcode)
{
	if (disabled)
		return;
	put_tag_u(MMT_END, 2, accesses, events);
	flush();
}

static void pre_clo_init(void)
{
	VG_(details_name)("mmtrace");
	VG_(details_version)("1");
	VG_(details_description)("mmlab's memory trace recorder");
	VG_(details_copyright_author)("mmlab");
	VG_(details_bug_reports_to)("mmlab");
	VG_(basic_tool_funcs)(post_clo_init, mmt_instrument, fini);
	VG_(needs_command_line_options)(process_cmd_line_option, print_usage,
					print_debug_usage);
	VG_(needs_syscall_wrapper)(pre_syscall, post_syscall);
	VG_(track_new_mem_startup)(new_mem_startup);
	VG_(track_start_client_code)(start_client_code);
	VG_(track_pre_thread_ll_create)(thread_create);
	VG_(track_pre_thread_ll_exit)(thread_exit);
	VG_(atfork)(NULL, NULL, fork_child);
}

VG_DETERMINE_INTERFACE_VERSION(pre_clo_init)
