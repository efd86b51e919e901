#!/usr/bin/env bash
# check_unit.sh SRC_DIR — checks systemd/hanzo-hmmd.service.in:
#   1. it configures (CMake configure_file @ONLY) with no @VAR@ left over, for both config layouts
#      (sysconfdir=/etc -> ${CONFIGURATION_DIRECTORY}; sysconfdir=/usr/local/etc -> absolute path);
#   2. the directives the daemon's contract depends on are present;
#   3. `systemd-analyze verify` prints nothing and succeeds (ExecStart must name an executable,
#      so a copy of /bin/true stands in for hanzo-hmmd until the daemon exists);
#   4. `systemd-analyze security --offline=true` exposure is <= 2.0 (printed).
# If systemd-analyze itself is not installed: exit 77 (CTest's SKIP_RETURN_CODE), or 1 in CI
# (tests/common/missing_tool.sh).
set -euo pipefail
src=${1:?usage: check_unit.sh SRC_DIR}
template=$src/systemd/hanzo-hmmd.service.in
max_exposure=${HANZO_MAX_EXPOSURE:-2.0}

if ! command -v systemd-analyze >/dev/null; then
  exec sh "$src/tests/common/missing_tool.sh" "systemd-analyze not installed (apt-get install systemd)"
fi
[ -f "$template" ] || { echo "FAIL: $template missing"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/etc" "$tmp/usr-local"
cp /bin/true "$tmp/bin/hanzo-hmmd"
chmod 0755 "$tmp/bin/hanzo-hmmd"

fail=0
configure() { # configure OUT CONFIG_FILE SYSCONFDIR
  "${CMAKE:-cmake}" -DIN="$template" -DOUT="$1" -DCMAKE_INSTALL_FULL_BINDIR="$tmp/bin" \
        -DCMAKE_INSTALL_FULL_SYSCONFDIR="$3" -DHANZO_HMMD_CONFIG_FILE="$2" \
        -P "$src/tests/ops/configure_unit.cmake"
  if grep -nE '@[A-Za-z_][A-Za-z0-9_]*@' "$1"; then
    echo "FAIL: unsubstituted @VAR@ left in $1"; fail=1
  fi
}
# The unit name must stay hanzo-hmmd.service: the verifier derives names from the file name.
unit_etc=$tmp/etc/hanzo-hmmd.service
unit_local=$tmp/usr-local/hanzo-hmmd.service
# shellcheck disable=SC2016 # the unit's own ${CONFIGURATION_DIRECTORY}, expanded by systemd
configure "$unit_etc" '${CONFIGURATION_DIRECTORY}/hanzo-hmmd.toml' /etc
configure "$unit_local" /usr/local/etc/hanzo-hmm/hanzo-hmmd.toml /usr/local/etc

# --- 2. contract directives -------------------------------------------------------------
# Each must appear as a whole line (value included) in the configured unit.
required=(
  'Type=notify' 'NotifyAccess=main' 'WatchdogSec=30s' 'Restart=on-failure'
  'RestartPreventExitStatus=78' 'DynamicUser=yes' 'StateDirectory=hanzo-hmm'
  'ConfigurationDirectory=hanzo-hmm' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes'
  'PrivateDevices=yes' 'ProtectProc=invisible' 'ProcSubset=pid' 'NoNewPrivileges=yes'
  'CapabilityBoundingSet=' 'AmbientCapabilities=' 'SystemCallArchitectures=native'
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'UMask=0077' 'PrivateUsers=yes'
  'MemoryDenyWriteExecute=yes' 'DevicePolicy=closed' 'KeyringMode=private' 'RemoveIPC=yes'
)
for line in "${required[@]}"; do
  grep -qxF -- "$line" "$unit_etc" || { echo "FAIL: missing directive: $line"; fail=1; }
done
for key in TimeoutStopSec LimitNOFILE SystemCallFilter; do
  grep -qE "^$key=." "$unit_etc" || { echo "FAIL: missing directive: $key="; fail=1; }
done
grep -qxF "ExecStart=$tmp/bin/hanzo-hmmd --config \${CONFIGURATION_DIRECTORY}/hanzo-hmmd.toml" "$unit_etc" \
  || { echo "FAIL: ExecStart (sysconfdir=/etc) is not '<bindir>/hanzo-hmmd --config \${CONFIGURATION_DIRECTORY}/hanzo-hmmd.toml'"; fail=1; }
grep -qxF "ExecStart=$tmp/bin/hanzo-hmmd --config /usr/local/etc/hanzo-hmm/hanzo-hmmd.toml" "$unit_local" \
  || { echo "FAIL: ExecStart (sysconfdir=/usr/local/etc) does not read the sysconfdir config"; fail=1; }

# --- 3. systemd-analyze verify --------------------------------------------------------
# Warnings (unknown keys, bad values) exit 0 but are printed: any output is a failure.
# --man=no: the unit names no man pages; --generators=no: generators need a real /run.
export SYSTEMD_LOG_LEVEL=notice SYSTEMD_LOG_COLOR=0 SYSTEMD_PAGER=
for unit in "$unit_etc" "$unit_local"; do
  set +e
  out=$(systemd-analyze verify --man=no --generators=no "$unit" 2>&1)
  rc=$?
  set -e
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL: systemd-analyze verify $unit (exit $rc):"; echo "$out"; fail=1
  else
    echo "systemd-analyze verify: clean ($unit)"
  fi
done

# --- 4. systemd-analyze security --------------------------------------------------------
threshold=$(awk -v m="$max_exposure" 'BEGIN { printf "%d", m * 10 + 0.5 }')
set +e
sec=$(systemd-analyze security --offline=true --threshold="$threshold" --no-pager "$unit_etc" 2>&1)
rc=$?
set -e
exposure=$(printf '%s\n' "$sec" | sed -nE 's/.*Overall exposure level for hanzo-hmmd\.service: ([0-9]+\.[0-9]+).*/\1/p')
if [ -z "$exposure" ]; then
  echo "FAIL: no 'Overall exposure level' in systemd-analyze security output (exit $rc):"
  printf '%s\n' "$sec"; exit 1
fi
# The items still exposed, for the log.
printf '%s\n' "$sec" | grep -E '^✗' | sed 's/  */ /g' || true
echo "Overall exposure level: $exposure (limit $max_exposure)"
if awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e > m) }' || [ $rc -ne 0 ]; then
  echo "FAIL: exposure $exposure > $max_exposure (systemd-analyze exit $rc)"; fail=1
fi

[ $fail -eq 0 ] && echo "hanzo-hmmd.service OK"
exit $fail
