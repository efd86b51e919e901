#!/usr/bin/env bash
# check_deb.sh BUILD_DIR SRC_DIR — the Debian packages of an already built tree:
#   1. `cpack -G DEB` makes hanzo-hmm and hanzo-hmm-dev;
#   2. hanzo-hmm's Depends names the Debian package of every shared library the programs need
#      (found here independently: readelf NEEDED -> ldconfig -> dpkg -S), its conffiles are the
#      two /etc/hanzo-hmm/ files, its unit is in /lib/systemd/system and runs /usr/bin/hanzo-hmmd,
#      and every file a deployment needs is in it; hanzo-hmm-dev has the headers, libraries and
#      CMake package, and neither has the daemon's internal layers;
#   3. installed — for real with `apt-get install ./hanzo-hmm_*.deb` in CI as root (then purged),
#      else unpacked into a scratch root with `dpkg -x` — the installed hanzo-hmmd accepts the
#      installed /etc/hanzo-hmm/hanzo-hmmd.toml, the CLI its hanzo-hmm.toml, promtool the installed
#      rules (their own unit tests) and scrape config, and a find_package(hanzo-hmm) consumer
#      builds against hanzo-hmm-dev.
# A missing tool (cpack, dpkg-deb, dpkg-shlibdeps, readelf) skips with exit 77, or fails in CI.
set -euo pipefail
build=${1:?usage: check_deb.sh BUILD_DIR SRC_DIR}
src=${2:?usage: check_deb.sh BUILD_DIR SRC_DIR}
cpack=${CPACK:-cpack}
missing() { exec sh "$src/tests/common/missing_tool.sh" "$1"; }
command -v "$cpack" >/dev/null || missing "cpack not found"
command -v dpkg-deb >/dev/null || missing "dpkg-deb not installed (apt-get install dpkg)"
command -v dpkg-shlibdeps >/dev/null || missing "dpkg-shlibdeps not installed (apt-get install dpkg-dev)"
command -v readelf >/dev/null || missing "readelf not installed (apt-get install binutils)"

tmp=$(mktemp -d)
installed_for_real=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$installed_for_real" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hanzo-hmm >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# ---- 1. build the packages ---------------------------------------------------------------
(cd "$build" && "$cpack" -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$tmp"/pkg/hanzo-hmm_*.deb)
dev=$(ls "$tmp"/pkg/hanzo-hmm-dev_*.deb)
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes), $(basename "$dev") ($(stat -c %s "$dev") bytes)"

# ---- 2. metadata and contents --------------------------------------------------------------
[ "$(dpkg-deb -f "$deb" Package)" = hanzo-hmm ] || bad "runtime package is not named hanzo-hmm"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
echo "$depends" | tr ',' '\n' | awk '{print $1}' | sed 's/|.*//' >"$tmp/depends"  # package names
# Every shared library of the programs, traced to the Debian package that ships it. (Pipelines
# read files, not a producer an early `exit` would cut off: SIGPIPE fails them under pipefail.)
ldconfig -p >"$tmp/ldconfig"
for bin in hanzo-hmmd hanzo-hmm; do
  for soname in $(readelf -d "$build/bin/$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(awk -v s="$soname" '$1 == s && /x86-64|x86_64|64bit/ {print $NF; exit}' "$tmp/ldconfig")
    [ -n "$path" ] || path=$(awk -v s="$soname" '$1 == s {print $NF; exit}' "$tmp/ldconfig")
    [ -n "$path" ] || { bad "$bin needs $soname, which ldconfig does not know"; continue; }
    owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n '1s/:.*//p') || true
    [ -n "$owner" ] || owner=$(dpkg -S "$path" 2>/dev/null | sed -n '1s/:.*//p') || true
    [ -n "$owner" ] || { bad "no Debian package owns $path ($soname)"; continue; }
    grep -qxF "$owner" "$tmp/depends" || bad "$bin needs $soname from $owner, not in Depends"
  done
done
dpkg-deb -e "$deb" "$tmp/control"
printf '/etc/hanzo-hmm/hanzo-hmmd.toml\n/etc/hanzo-hmm/hanzo-hmm.toml\n' | sort >"$tmp/want-conffiles"
sort "$tmp/control/conffiles" | diff -u "$tmp/want-conffiles" - || bad "conffiles are not the two /etc/hanzo-hmm/ files"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/runtime.list"
dpkg-deb -c "$dev" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/dev.list"
for f in /usr/bin/hanzo-hmmd /usr/bin/hanzo-hmm /lib/systemd/system/hanzo-hmmd.service \
         /etc/hanzo-hmm/hanzo-hmmd.toml /etc/hanzo-hmm/hanzo-hmm.toml \
         /usr/share/hanzo-hmm/grafana/hanzo-hmmd.json /usr/share/hanzo-hmm/prometheus/alerts.yml \
         /usr/share/hanzo-hmm/prometheus/alerts_test.yml /usr/share/hanzo-hmm/prometheus/prometheus.yml \
         /usr/share/hanzo-hmm/prometheus/metrics.txt /usr/share/hanzo-hmm/schemas/request.schema.json \
         /usr/share/hanzo-hmm/schemas/examples/request.json /usr/share/hanzo-hmm/config/hanzo-hmmd.toml \
         /usr/share/doc/hanzo-hmm/README.md /usr/share/doc/hanzo-hmm/runbook.md; do
  grep -qxF "$f" "$tmp/runtime.list" || bad "hanzo-hmm lacks $f"
done
for s in "$src"/config/schemas/*.schema.json "$src"/config/schemas/examples/*.json; do
  rel=${s#"$src"/config/schemas/}
  grep -qxF "/usr/share/hanzo-hmm/schemas/$rel" "$tmp/runtime.list" || bad "hanzo-hmm lacks schemas/$rel"
done
for f in /usr/include/hanzo/hmm/hmm.hpp /usr/include/hanzo/hmm/mm/market_maker.hpp /usr/lib/libhanzo-hmm.a \
         /usr/lib/libhanzo-hmm-mm.a /usr/lib/cmake/hanzo-hmm/hanzo-hmm-config.cmake; do
  grep -qxF "$f" "$tmp/dev.list" || bad "hanzo-hmm-dev lacks $f"
done
# The daemon's layers are internal: no header without its library, in either package.
grep -E '/(daemon|kafka|loadgen|actors)/|libhanzo-hmm-(daemon|kafka|loadgen|actors)' "$tmp/runtime.list" "$tmp/dev.list" &&
  bad "a package ships the daemon's internal headers or libraries"
grep -E '\.(hpp|a)$' "$tmp/runtime.list" && bad "hanzo-hmm ships development files"
grep -E '^/usr/(bin|share|lib/systemd)/' "$tmp/dev.list" && bad "hanzo-hmm-dev ships runtime files"

# ---- 3. install, use, remove ------------------------------------------------------------------
root=$tmp/root
case "${CI:-}" in true | TRUE | True | 1) ci=1 ;; *) ci="" ;; esac
if [ -n "$ci" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null && ! dpkg -s hanzo-hmm >/dev/null 2>&1; then
  echo "CI as root: apt-get install $deb"
  installed_for_real=1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >"$tmp/apt.log" 2>&1 ||
    { cat "$tmp/apt.log"; echo "FAIL: apt-get install"; exit 1; }
  root=""
  [ "$(dpkg-query -W -f='${Status}' hanzo-hmm)" = "install ok installed" ] || bad "dpkg does not list hanzo-hmm installed"
else
  echo "unpacking into a scratch root (dpkg -x): maintainer scripts and Depends not exercised"
  dpkg -x "$deb" "$root"
fi
# The programs link hanzo's own libraries statically; the rest come from Depends.
"$root/usr/bin/hanzo-hmmd" --check-config --config "$root/etc/hanzo-hmm/hanzo-hmmd.toml" ||
  bad "installed hanzo-hmmd rejects the installed /etc/hanzo-hmm/hanzo-hmmd.toml"
"$root/usr/bin/hanzo-hmm" config --check "$root/etc/hanzo-hmm/hanzo-hmm.toml" >/dev/null ||
  bad "installed hanzo-hmm rejects the installed /etc/hanzo-hmm/hanzo-hmm.toml"
unit=$root/lib/systemd/system/hanzo-hmmd.service
# shellcheck disable=SC2016 # the unit's own ${CONFIGURATION_DIRECTORY}, expanded by systemd
grep -qxF 'ExecStart=/usr/bin/hanzo-hmmd --config ${CONFIGURATION_DIRECTORY}/hanzo-hmmd.toml' "$unit" ||
  bad "installed unit's ExecStart: $(grep ExecStart= "$unit")"
# Every runbook link of the installed rules points at the installed runbook.
urls=$(grep -c 'runbook_url: "file:///usr/share/doc/hanzo-hmm/runbook.md#' "$root/usr/share/hanzo-hmm/prometheus/alerts.yml") || true
alerts=$(grep -c '^ *- alert:' "$root/usr/share/hanzo-hmm/prometheus/alerts.yml") || true
if [ "$urls" -ne "$alerts" ] || [ "$alerts" -eq 0 ]; then
  bad "$urls runbook_url of $alerts alerts point at the installed runbook"
fi
if command -v promtool >/dev/null; then
  (cd "$root/usr/share/hanzo-hmm/prometheus" && promtool test rules alerts_test.yml >/dev/null &&
   promtool check config prometheus.yml >/dev/null) || bad "promtool rejects the installed rules or scrape config"
else
  [ -n "$ci" ] && bad "promtool not installed (CI=true: scripts/install-deps.sh installs it)"
  echo "SKIP (part): promtool not installed; the installed rules are not run"
fi

# hanzo-hmm-dev: a downstream project builds against it.
dpkg -x "$dev" "$tmp/devroot"
cmake -S "$src/tests/package/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/devroot/usr" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out=$("$tmp/consumer/consumer")
[ "$out" = "0.0007113" ] || bad "consumer built on hanzo-hmm-dev printed '$out', expected 0.0007113"

if [ -n "$installed_for_real" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hanzo-hmm >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; bad "apt-get purge"; }
  installed_for_real=""
  for f in /usr/bin/hanzo-hmmd /lib/systemd/system/hanzo-hmmd.service /etc/hanzo-hmm/hanzo-hmmd.toml; do
    [ ! -e "$f" ] || bad "$f left after purge"
  done
fi
[ $fail -eq 0 ] && echo "Debian packages OK: $(wc -l <"$tmp/runtime.list") entries in hanzo-hmm, $(wc -l <"$tmp/dev.list") in hanzo-hmm-dev"
exit $fail
