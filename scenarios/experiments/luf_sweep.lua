-- A sweep grid (mmlab sweep --grid, docs/experiments.md): LUF off and on
-- against 2, 4 and 8 CPUs, 3 seeds each, of luf_shootdowns.lua.
return {
	scenario = "scenarios/experiments/luf_shootdowns.lua",
	args = { 64, 8 },	-- pages, rounds
	cpus = { 2, 4, 8 },
	mem = "256M",
	seeds = "1-3",
	set = { ["luf/enabled"] = { 0, 1 } },
}
