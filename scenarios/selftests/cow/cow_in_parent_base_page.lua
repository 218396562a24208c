-- selftest cow.c cow_in_parent_base_page: after fork, the parent's write to a base page does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "base_page")
