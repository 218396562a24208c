-- selftest cow.c ro_pin_on_ro_exclusive_pte_mapped_thp_swap: a longterm R/O GUP pin (gup_test) on exclusive pages mapped read-only sees the later write (a swapped-out PTE-mapped THP)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_ro_exclusive", "pte_mapped_thp_swap")
