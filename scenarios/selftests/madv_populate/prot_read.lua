-- selftest madv_populate.c prot_read: in a PROT_READ mapping MADV_POPULATE_READ succeeds and MADV_POPULATE_WRITE fails with EINVAL
local r, w = mm.include("../../lib/madv_populate.lua").by_prot("r")
mm.expect_eq(r, "ok", "reading is allowed")
mm.expect_eq(w, "EINVAL", "writing is not")
