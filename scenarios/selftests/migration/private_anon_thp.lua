-- selftest migration.c private_anon_thp: moving a private anonymous THP between nodes while other tasks read it keeps its data
-- run with: --nodes 2
mm.include("migrate.inc", false, true)
