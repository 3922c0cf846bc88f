#!/usr/bin/env bash
# `rigshift simulate` over one week at 10,000, 100,000 and 1,000,000 devices (every default
# policy and the bound, embedded market scenario, no jobs): wall and CPU time and peak memory per
# size, for BENCHMARKS.md ("Simulate at scale"). Usage: bench/simulate_scale.sh [RIGSHIFT] [LIMIT_S]
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/rigshift}"
limit="${2:-600}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for racks in 10 100 1000; do
  sed "s/RACKS/$racks/" bench/fleets/asic-scale.yaml.in >"$work/fleet.yaml"
  /usr/bin/time -f "%e %U %M" -o "$work/time" timeout "$limit" "$bin" simulate "$work/fleet.yaml" \
    --jobs none --from 2024-03-01 --to 2024-03-08 >/dev/null 2>"$work/err"
  rc=$?
  read -r wall cpu rss_kb < <(tail -n 1 "$work/time") || true
  printf '%9d devices: exit %d, wall %s s, user CPU %s s, peak RSS %d MiB%s\n' $((racks * 1000)) "$rc" \
    "$wall" "$cpu" $((${rss_kb:-0} / 1024)) "$([[ $rc == 124 ]] && echo " (stopped at the ${limit} s limit)")"
done
