-- selftest madv_populate.c prot_write: in a PROT_WRITE mapping MADV_POPULATE_READ fails with EINVAL and MADV_POPULATE_WRITE succeeds
local r, w = mm.include("../../lib/madv_populate.lua").by_prot("w")
mm.expect_eq(r, "EINVAL", "without PROT_READ nothing can be read in")
mm.expect_eq(w, "ok", "writing is allowed")
