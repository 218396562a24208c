#!/bin/sh
# slurm_sweep.sh SRCDIR MMLAB: docs/experiments.md's LUF sweep (LUF off/on
# x 2, 4, 8 CPUs x 3 seeds; 16 pages x 2 rounds) through a real Slurm: a
# single-node cluster (munged, slurmctld, slurmd from Debian's munge and
# slurm-wlm) started here with its configuration, key and state in a
# temporary directory, and stopped at the end.  The sweep is submitted as
# one job array, collected into SQLite, and must hold all 18 points and the
# LUF curve; submitting again finds nothing to do, and after three points
# are lost, submits just those.  Exit 77 (skipped), with
# the reason, when the daemons cannot run here.
set -eu
src=$1 mmlab=$2
skip() { echo "SKIP slurm_sweep: $*"; exit 77; }
fail() { echo "slurm_sweep: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "not root (slurmd runs jobs as their users)"
for p in munged slurmctld slurmd sbatch squeue sinfo sqlite3; do
	command -v "$p" >/dev/null || skip "$p is not installed (scripts/deps.sh: munge, slurm-wlm)"
done
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=""
cleanup() {
	# a job step the daemons leave behind must not outlive the test
	pkill -f "sweep --task .*$tmp" 2>/dev/null || true
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
why() {
	for f in "$tmp"/*.out "$tmp"/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -5 "$f"; }
	done
	skip "$1"
}

# The node says it has 18 CPUs (config_overrides) whatever this host has,
# so that the 18 tasks start at once: the test waits for one wave of
# short tasks, not for 9 rounds of Slurm's scheduling.

# munge: its own key and socket
head -c 128 /dev/urandom >"$tmp/munge.key"
chmod 600 "$tmp/munge.key"
munged -F --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" \
	--pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" \
	--seed-file="$tmp/munged.seed" >"$tmp/munged.out" 2>&1 &
pids="$!"
for _ in $(seq 50); do [ -S "$tmp/munge.sock" ] && break; sleep 0.1; done
[ -S "$tmp/munge.sock" ] || why "munged did not start"

host=$(hostname -s)
p1=$(port) p2=$(port)
mkdir "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=mmlabtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldPort=$p1
SlurmdPort=$p2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
SlurmdParameters=config_overrides
NodeName=mmlabnode NodeAddr=127.0.0.1 NodeHostname=$host CPUs=18 State=UNKNOWN
PartitionName=debug Nodes=mmlabnode Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -i >"$tmp/slurmctld.out" 2>&1 &
pids="$! $pids"
slurmd -D -N mmlabnode >"$tmp/slurmd.out" 2>&1 &
pids="$! $pids"
state=""
for _ in $(seq 100); do
	state=$(sinfo -h -n mmlabnode -o %t 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.2
done
[ "$state" = idle ] || why "the node is not idle after 20 s (state '$state')"
echo "slurm_sweep: single-node Slurm up (ports $p1, $p2)"

db=$tmp/luf.db
set -- --db "$db" --mem 64M --cpus 2,4,8 --set luf/enabled=0,1 --seeds 1-3 \
	--slurm-dir "$tmp/jobs" "$src/scenarios/experiments/luf_shootdowns.lua" 16 2
"$mmlab" sweep --slurm="--time=10" "$@" | tee "$tmp/submit"
grep -q "^sweep: 18 of 18 points as one job array" "$tmp/submit" || fail "not submitted"
for _ in $(seq 600); do
	[ -z "$(squeue -h 2>/dev/null)" ] && break
	sleep 0.2
done
[ -z "$(squeue -h)" ] && echo "slurm_sweep: the job array is done" || fail "the job array still runs after 120 s"
rc=0
"$mmlab" sweep --db "$db" --collect "$tmp/jobs" || rc=$?
[ "$rc" = 0 ] || { tail -5 "$tmp/jobs"/task-*.log; fail "collect: exit $rc"; }
[ "$(sqlite3 "$db" "SELECT count(*) FROM points WHERE exit_status = 0")" = 18 ] ||
	fail "not 18 points of exit 0"
ipis() {
	sqlite3 "$db" "SELECT avg(o.num) FROM observations o
	   JOIN params c ON c.point_id = o.point_id AND c.name = 'cpus' AND c.value = '$2'
	   JOIN params l ON l.point_id = o.point_id AND l.name LIKE '%luf/enabled' AND l.value = '$1'
	   WHERE o.name = 'shootdown_ipis'"
}
off2=$(ipis 0 2) off8=$(ipis 0 8) on8=$(ipis 1 8)
echo "shootdown_ipis: LUF off: 2 CPUs $off2, 8 CPUs $off8; LUF on, 8 CPUs: $on8"
awk -v a="$off2" -v b="$off8" -v c="$on8" 'BEGIN { exit !(a > 0 && b > a && c < b) }' ||
	fail "not the LUF curve"
"$mmlab" sweep --slurm "$@" | grep -q "nothing to submit" || fail "submitted again"

# three points lost (LUF on, 8 CPUs): a second array of just those, its
# tasks mapped to the points by the task list
sqlite3 "$db" "DELETE FROM points WHERE id IN (SELECT point_id FROM params
	WHERE name = 'cpus' AND value = '8' INTERSECT SELECT point_id FROM params
	WHERE name LIKE '%luf/enabled' AND value = '1')"
rm "$tmp/jobs"/point-*.res
"$mmlab" sweep --slurm "$@" | grep "^sweep: 3 of 18 points as one job array" || fail "not resubmitted"
for _ in $(seq 600); do
	[ -z "$(squeue -h 2>/dev/null)" ] && break
	sleep 0.2
done
"$mmlab" sweep --db "$db" --collect "$tmp/jobs" || fail "second collect"
[ "$(sqlite3 "$db" "SELECT count(*) FROM points WHERE exit_status = 0")" = 18 ] ||
	fail "not 18 points after the second array"
[ "$(ipis 1 8)" = "$on8" ] || fail "the second array's points differ"
echo "slurm_sweep: 18 points through Slurm, collected: ok"
