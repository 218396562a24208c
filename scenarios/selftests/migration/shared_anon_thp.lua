-- selftest migration.c shared_anon_thp: moving a shared anonymous THP between nodes while other tasks read it keeps its data
-- run with: --nodes 2
mm.include("migrate.inc", true, true)
