#!/bin/sh
# quickstart.sh [MMLAB]: what `make run` shows a newcomer in a few seconds,
# the README's quick start: a scenario run on the model, the same compared
# with this kernel (`mmlab diff`, as root), and a mechanism under study
# turned on.  Each command is printed before it runs.
mmlab=${1:-build/mmlab}
s=scenarios/quickstart.lua
scan=/sys/kernel/mm/mmlab/pt_reclaim
show() { printf '\n$ %s\n' "$*"; "$@"; }

show "$mmlab" run "$s"
if [ "$(id -u)" = 0 ]; then
	show "$mmlab" diff "$s"
else
	printf '\n(mmlab diff %s compares with this kernel: it needs root)\n' "$s"
fi
show "$mmlab" run --set "$scan/scan=always" --set "$scan/scan_delay_ms=0" "$s"
cat <<'TXT'

Next: docs/scenarios.md (the tutorial), docs/lua-api.md (every call),
docs/mechanisms.md (the five designs, their knobs and benchmarks),
`mmlab knobs`, and `make bench` for every benchmark (many minutes).
TXT
