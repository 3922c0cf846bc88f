#!/usr/bin/env bash
# Renders `rigshift assess --html` for every shipped example and loads each page in headless
# Chromium: the page must render (a non-trivial screenshot) with no console errors. A canary page
# with a deliberate script error first proves that the console check would catch one.
# Usage: html_in_chromium.sh RIGSHIFT_BINARY SOURCE_DIR OUT_DIR   (exit 77 = skipped: no chromium)
set -euo pipefail
rigshift="$1"
src="$2"
out="$3"
mkdir -p "$out"
chrome="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$chrome" ]]; then
  echo "chromium is not installed (scripts/setup installs it): skipping" >&2
  exit 77
fi

# load PAGE PNG LOG: headless Chromium with console logging to LOG.
load() {
  local profile
  profile="$(mktemp -d)"
  timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 --screenshot="$2" \
    --window-size=1280,2000 "file://$1" 2>"$3" || { cat "$3" >&2; rm -rf "$profile"; return 1; }
  rm -rf "$profile"
}
console_errors() { grep -E 'CONSOLE|Uncaught|console' "$1" || true; }

# Canary: the check must see a script error when there is one.
printf '<!DOCTYPE html><html><body><p>canary</p><script>no_such_function();</script></body></html>\n' \
  >"$out/canary.html"
load "$out/canary.html" "$out/canary.png" "$out/canary.log"
if [[ -z "$(console_errors "$out/canary.log")" ]]; then
  echo "the console check did not catch the canary's error; Chromium's log format changed?" >&2
  cat "$out/canary.log" >&2
  exit 1
fi

for example in two-site-nyiso eth-gpu-farm-ercot asic-hydro-ercot; do
  html="$out/$example.html"
  "$rigshift" assess "$src/examples/$example.yaml" --html "$html" >"$out/$example.txt" 2>"$out/$example.err"
  grep -q '<svg' "$html" || { echo "$example: no SVG chart in $html" >&2; exit 1; }
  load "$html" "$out/$example.png" "$out/$example.log"
  errors="$(console_errors "$out/$example.log")"
  if [[ -n "$errors" ]]; then
    echo "$example: console errors:" >&2
    echo "$errors" >&2
    exit 1
  fi
  size=$(stat -c %s "$out/$example.png")
  if (( size < 50000 )); then
    echo "$example: screenshot only $size bytes: the page did not render" >&2
    exit 1
  fi
  echo "$example: rendered, $size-byte screenshot, no console errors"
done
