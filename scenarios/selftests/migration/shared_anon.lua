-- selftest migration.c shared_anon: moving a shared anonymous page between nodes while other tasks read it keeps its data
-- run with: --nodes 2
mm.include("migrate.inc", true, false)
