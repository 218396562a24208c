-- selftest guard-regions.c uffd_anon: guards in a range registered with userfaultfd (missing) fault with SIGSEGV, without userfaults (private anonymous)
mm.include("../../lib/guard.lua").uffd("anon")
