-- selftest guard-regions.c basic_anon: guard pages installed at the ends and over a range fault on access, and are removed without touching the data (private anonymous)
mm.include("../../lib/guard.lua").basic("anon")
