-- selftest rmap.c migrate.anon: migrating a private anonymous page mapped by a tree of forked processes moves every mapping to the new page
mm.include("tree.inc", false)
