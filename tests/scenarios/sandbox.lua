-- The Lua sandbox of a scenario (src/script/lua_sandbox.c), by mm.args[1]:
--   execute  os.execute: refused without --unsafe-lua (exit 2, file:line),
--            runs the shell with it
--   io       io.open: the same
--   subset   what a scenario keeps: os.time/clock/date/getenv, string,
--            table, math, utf8, coroutine, load of source text
--   knob     mm.set of a path that is no knob: refused on every backend
--   args     run as `sandbox.lua args -- --x -1`: the arguments after
--            '--' reach the script, without the '--'
local mode = mm.args[1]

if mode == "execute" then
	local ok, how, code = os.execute("exit 3")
	mm.expect_eq(code, 3, "os.execute ran the shell")
elseif mode == "io" then
	local f = io.open("/proc/self/status")
	mm.expect(f ~= nil, "io.open opened a file")
	f:close()
elseif mode == "subset" then
	mm.expect(os.time() > 0 and os.clock() >= 0, "os.time, os.clock")
	mm.expect(type(os.date("%Y")) == "string", "os.date")
	mm.expect(os.getenv("MMLAB_SANDBOX_UNSET") == nil, "os.getenv")
	mm.expect_eq(string.rep("a", 3) .. table.concat({ "b", "c" }), "aaabc",
		     "string, table")
	mm.expect_eq(math.max(1, 2) + utf8.len("é"), 3, "math, utf8")
	local co = coroutine.wrap(function() coroutine.yield(7) end)
	mm.expect_eq(co(), 7, "coroutine")
	mm.expect_eq(load("return math.max(6, 1) * 7")(), 42, "load of source text")
	mm.expect_eq(load("return x", "chunk", "bt", { x = 5 })(), 5,
		     "load with an environment")
	local f, err = load(string.dump(function() end))
	mm.expect(f == nil and err:match("binary") ~= nil,
		  "load refuses a precompiled chunk")
elseif mode == "knob" then
	mm.set(mm.args[2], "x")
	mm.expect(false, "mm.set(" .. mm.args[2] .. ") was refused")
elseif mode == "args" then
	mm.expect_eq(table.concat(mm.args, " "), "args --x -1", "mm.args")
else
	error("mode: execute, io, subset, knob or args")
end
