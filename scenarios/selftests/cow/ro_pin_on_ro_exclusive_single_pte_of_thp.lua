-- selftest cow.c ro_pin_on_ro_exclusive_single_pte_of_thp: a longterm R/O GUP pin (gup_test) on exclusive pages mapped read-only sees the later write (a single PTE of a THP)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_ro_exclusive", "single_pte_of_thp")
