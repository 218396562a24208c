-- selftest cow.c ro_pin_on_ro_exclusive_base_page: a longterm R/O GUP pin (gup_test) on exclusive pages mapped read-only sees the later write (a base page)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_ro_exclusive", "base_page")
