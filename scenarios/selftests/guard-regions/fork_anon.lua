-- selftest guard-regions.c fork_anon: a child inherits the guards; removing them in the child leaves the parent's (private anonymous)
mm.include("../../lib/guard.lua").fork("anon")
