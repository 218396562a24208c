-- mlockall_flags: mlockall(MCL_CURRENT) locks every VMA and faults it in
-- (MCL_ONFAULT: locks only, "lo lf"); MCL_FUTURE locks what is mapped
-- later (populated by mmap unless MCL_ONFAULT); munlockall undoes both.
-- MCL_CURRENT counts the whole address space against RLIMIT_MEMLOCK, so
-- the process runs with CAP_IPC_LOCK here (a root program's rule: no
-- limit at all).  Only the scenario's own VMAs are observed: the real
-- process has more.  Observed on 6.18.
mm.require("root")
local P = mm.PAGE_SIZE
local KB = P // 1024
local p = mm.spawn()
p:setcap("ipc_lock", true)

local a = p:mmap{len = 4 * P}
local r = p:mmap{len = 4 * P, prot = "r"}
p:mlockall("current,onfault")
mm.observe("current_onfault_flags", p:smaps(a).VmFlags)
mm.observe("current_onfault_rss_kb", p:smaps(a).Rss)
mm.expect_eq(p:smaps(a).Rss, 0, "MCL_ONFAULT populates nothing")
p:mlockall("current")
mm.observe("current_flags", p:smaps(a).VmFlags)
mm.observe("current_rss_kb", p:smaps(a).Rss)
mm.observe("current_ro_locked", (p:smaps(r).VmFlags .. " "):match(" lo ") ~= nil)
mm.expect((p:smaps(r).VmFlags .. " "):match(" lo ") ~= nil, "MCL_CURRENT locks every VMA")
mm.expect_eq(p:smaps(a).Rss, 4 * KB, "MCL_CURRENT populates")
-- MCL_CURRENT alone ends MCL_FUTURE: new mappings are not locked
local b = p:mmap{len = 4 * P}
mm.observe("after_current_new_flags", p:smaps(b).VmFlags)
p:munmap(b, 4 * P)

p:mlockall("future")
local f = p:mmap{len = 4 * P}
mm.observe("future_flags", p:smaps(f).VmFlags)
mm.observe("future_rss_kb", p:smaps(f).Rss)
mm.expect_eq(p:smaps(f).Rss, 4 * KB, "MCL_FUTURE: mmap populates")
-- and the current ones stay locked (MCL_FUTURE alone leaves them)
mm.observe("future_keeps_current", p:smaps(a).VmFlags:match(" lo ") ~= nil)
p:mlockall("future,onfault")
local g = p:mmap{len = 4 * P}
mm.observe("future_onfault_flags", p:smaps(g).VmFlags)
mm.observe("future_onfault_rss_kb", p:smaps(g).Rss)
p:touch(g, P, "w")
mm.observe("future_onfault_touched_locked_kb", p:smaps(g).Locked)

p:munlockall()
mm.observe("munlockall_flags", p:smaps(a).VmFlags)
mm.observe("munlockall_rss_kb", p:smaps(a).Rss)
local h = p:mmap{len = 4 * P}
mm.observe("after_munlockall_new_flags", p:smaps(h).VmFlags)
mm.expect(p:smaps(a).VmFlags:match(" lo ") == nil, "munlockall unlocks")

-- CAP_IPC_LOCK lifts the limits: limit 0 and past it
p:setrlimit("memlock", 0)
p:mlock(a, 4 * P)
mm.observe("cap_limit0_mlock_flags", p:smaps(a).VmFlags)
local l = p:mmap{len = 64 * P, flags = "private,anonymous,locked"}
mm.observe("cap_map_locked_rss_kb", p:smaps(l).Rss)
p:setcap("ipc_lock", false)
local ok, err = pcall(p.mlock, p, a, P)
mm.observe("nocap_limit0_mlock", ok and "ok" or err:match("^%u+"))
