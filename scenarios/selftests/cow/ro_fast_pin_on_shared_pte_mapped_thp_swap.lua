-- selftest cow.c ro_fast_pin_on_shared_pte_mapped_thp_swap: a longterm R/O GUP-fast pin (gup_test) on pages shared with a child sees the parent's later write (a swapped-out PTE-mapped THP)
mm.include("../../lib/cow.lua").ro_pin("ro_fast_pin_on_shared", "pte_mapped_thp_swap")
