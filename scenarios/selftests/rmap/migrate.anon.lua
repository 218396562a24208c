-- selftest rmap.c migrate.anon: migrating a private anonymous page mapped by a tree of forked processes moves every mapping to the new page
-- run with: --nodes 2
mm.include("tree.inc", false)
