-- selftest guard-regions.c fork_cow_anon: in a child, installing and removing guards over CoW-shared pages zaps them (zeros) and leaves the parent's data (private anonymous)
mm.include("../../lib/guard.lua").fork_cow("anon")
