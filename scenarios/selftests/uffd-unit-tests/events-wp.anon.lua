-- selftest uffd-unit-tests.c events-wp.anon: a fork child (EVENT_FORK) faults each page once, mremap moves the registered range (UFFD_EVENT_REMAP), releasing it is UFFD_EVENT_REMOVE, with the range registered for wp too
mm.require("uffd_wp")
mm.require("root")		-- EVENT_FORK needs CAP_SYS_PTRACE
mm.include("events.inc", "anon", true)
