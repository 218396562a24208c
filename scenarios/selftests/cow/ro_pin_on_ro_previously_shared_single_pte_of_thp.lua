-- selftest cow.c ro_pin_on_ro_previously_shared_single_pte_of_thp: a longterm R/O GUP pin (gup_test) on read-only pages no longer shared (the child exited) sees the later write (a single PTE of a THP)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_ro_previously_shared", "single_pte_of_thp")
