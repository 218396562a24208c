-- selftest cow.c non_anon_cow_tmpfile: a write to a private mapping of a regular file's page (tmpfile()) mapped shared elsewhere makes a private copy: the other mapping keeps the old data
mm.include("../../lib/cow.lua").non_anon("tmpfile")
