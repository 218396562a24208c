-- selftest migration.c private_anon: moving a private anonymous page between nodes while other tasks read it keeps its data
-- run with: --nodes 2
mm.include("migrate.inc", false, false)
