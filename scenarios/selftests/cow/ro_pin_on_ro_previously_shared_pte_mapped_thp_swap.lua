-- selftest cow.c ro_pin_on_ro_previously_shared_pte_mapped_thp_swap: a longterm R/O GUP pin (gup_test) on read-only pages no longer shared (the child exited) sees the later write (a swapped-out PTE-mapped THP)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_ro_previously_shared", "pte_mapped_thp_swap")
