-- selftest rmap.c migrate.file: migrating a page of a regular file mapped shared by a tree of processes moves every mapping to the new page
-- run with: --nodes 2
mm.include("tree.inc", "file")
