-- selftest cow.c ro_pin_on_ro_exclusive_partial_shared_thp: a longterm R/O GUP pin (gup_test) on exclusive pages mapped read-only sees the later write (a THP of which only the first page was shared)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_ro_exclusive", "partial_shared_thp")
