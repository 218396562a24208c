#!/bin/sh
# Install the Debian packages mmlab needs, if any are missing.
# Idempotent and quick when everything is present: one dpkg-query call.
set -e
PKGS="gcc make meson ninja-build pkg-config liburcu-dev liblua5.4-dev lua5.4 \
clang libclang-rt-dev python3 \
libzstd-dev libsqlite3-dev libcmocka-dev \
sqlite3 gnuplot-nox chromium slurm-wlm munge"
missing=""
for p in $PKGS; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || $SUDO apt-get update
$SUDO apt-get install -y -qq $missing
