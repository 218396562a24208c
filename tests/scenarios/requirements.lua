-- requirements: mm.has answers for the model from its knobs; with
-- MMLAB_MODEL_AS_HOST=1 (as `mmlab diff` runs the model) it answers what a
-- host can show as the host profile in $MMLAB_HOST_PROFILE does.
-- Arguments: "stock" or "as_host" (the profile of a PVM guest: no zero
-- page, no flush IPIs, no nr_tlb_*, inexact accessed bits).
local mode = mm.args[1]
local Z = "/sys/kernel/mm/mmlab/forbids_zeropage"
mm.expect(mm.has("zero_page"), "the model has the zero page")
mm.expect(mm.has("huge_zero_page"), "and the huge zero page")
mm.expect(not mm.has("soft_dirty"), "soft-dirty off, as stock")
mm.expect(mm.has("pt_reclaim"), "page-table reclaim on, as stock")
mm.set(Z, 1)
mm.expect(not mm.has("zero_page"), "forbids_zeropage takes the zero page away")
mm.expect(not mm.has("huge_zero_page"), "and the huge zero page")
mm.set(Z, 0)
mm.set("/sys/kernel/mm/transparent_hugepage/use_zero_page", 0)
mm.expect(mm.has("zero_page") and not mm.has("huge_zero_page"),
	  "use_zero_page=0: only the huge zero page goes")
mm.set("/sys/kernel/mm/mmlab/soft_dirty", 1)
mm.expect(mm.has("soft_dirty"), "soft-dirty knob")
mm.set("/sys/kernel/mm/mmlab/pt_reclaim/zap", 0)
mm.expect(not mm.has("pt_reclaim"), "pt_reclaim/zap knob")
local host_only = {"tlb_ipis", "tlb_counters", "exact_accessed_bits"}
for _, r in ipairs(host_only) do
	if mode == "as_host" then
		mm.expect(not mm.has(r), r .. ": answered as the host profile does")
	else
		mm.expect(mm.has(r), r .. ": the model has it")
	end
end
mm.expect(mm.has("swap") and mm.has("uffd_wp") and mm.has("thp"),
	  "the profile's host has swap, uffd-wp and THP")
mm.require("thp")
if mode == "as_host" then
	mm.require("tlb_ipis")
	mm.expect(false, "not reached: mm.require skipped the run")
end
