-- selftest cow.c cow_in_parent_partial_mremap_thp: after fork, the parent's write to a THP whose upper half was mremap()ed away does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "partial_mremap_thp")
