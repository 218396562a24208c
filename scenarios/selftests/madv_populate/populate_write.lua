-- selftest madv_populate.c populate_write: MADV_POPULATE_WRITE of 2 MiB of fresh private anonymous memory succeeds and leaves every page present
mm.include("../../lib/madv_populate.lua").fresh("populate_write")
