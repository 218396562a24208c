-- selftest cow.c ro_pin_on_shared_pte_mapped_thp: a longterm R/O GUP pin (gup_test) on pages shared with a child sees the parent's later write (a PTE-mapped THP)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_shared", "pte_mapped_thp")
