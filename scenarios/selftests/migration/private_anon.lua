-- selftest migration.c private_anon: moving a private anonymous page between nodes while other tasks read it keeps its data
mm.include("migrate.inc", false, false)
