-- selftest cow.c cow_in_parent_partial_shared_thp: after fork, the parent's write to a THP of which only the first page was ever shared does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "partial_shared_thp")
