-- selftest rmap.c migrate.shm: migrating a shared memory page mapped by a tree of processes moves every mapping to the new page
-- run with: --nodes 2
mm.include("tree.inc", true)
