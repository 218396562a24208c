-- selftest cow.c ro_pin_on_shared_partial_mremap_thp: a longterm R/O GUP pin (gup_test) on pages shared with a child sees the parent's later write (a THP whose upper half was mremap()ed away)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_shared", "partial_mremap_thp")
