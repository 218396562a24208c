-- selftest cow.c non_anon_ro_pin_tmpfile: a longterm R/O GUP pin (gup_test) of a private mapping of a regular file (tmpfile) sees the process's later write
mm.include("../../lib/cow.lua").non_anon_ro_pin("tmpfile", false)
