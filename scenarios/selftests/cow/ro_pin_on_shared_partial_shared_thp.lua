-- selftest cow.c ro_pin_on_shared_partial_shared_thp: a longterm R/O GUP pin (gup_test) on pages shared with a child sees the parent's later write (a THP of which only the first page was shared)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_shared", "partial_shared_thp")
