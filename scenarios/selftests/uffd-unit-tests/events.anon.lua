-- selftest uffd-unit-tests.c events.anon: a fork child (EVENT_FORK) faults each page once, mremap moves the registered range (UFFD_EVENT_REMAP), releasing it is UFFD_EVENT_REMOVE
mm.require("root")		-- EVENT_FORK needs CAP_SYS_PTRACE
mm.include("events.inc", "anon", false)
