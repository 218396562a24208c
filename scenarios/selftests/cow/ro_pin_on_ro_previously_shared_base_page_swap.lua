-- selftest cow.c ro_pin_on_ro_previously_shared_base_page_swap: a longterm R/O GUP pin (gup_test) on read-only pages no longer shared (the child exited) sees the later write (a swapped-out base page)
mm.include("../../lib/cow.lua").ro_pin("ro_pin_on_ro_previously_shared", "base_page_swap")
