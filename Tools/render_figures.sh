#!/usr/bin/env bash
# Renders the HTML and SVG figures that Docs show, with headless Chromium, to PNG in Docs/figures
# (Docs/WhatIf.md, "Pictures"). Run from the package root after `swift build -c release`;
# needs `apt-get install -y chromium`. Each figure is made by the command beside it, then
# screenshotted at 1400 px wide; look at every PNG before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/spikemesh
out=Docs/figures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v chromium >/dev/null || { echo "error: chromium is not installed (apt-get install -y chromium)" >&2; exit 1; }

shot() {   # shot FILE PNG HEIGHT (FILE an absolute path)
    rm -f "$2"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$PWD/$2" --window-size=1400,"$3" "file://$1" >/dev/null 2>&1
    [ -s "$2" ] || { echo "error: chromium wrote no $2" >&2; exit 1; }
    echo "$2"
}

$bin sweep --hardware loihi --vary core.weightBits=3..8 --timesteps 4,8,16,32 --limit 200 --quiet --html "$tmp/sweep-weight-bits.html" >/dev/null
shot "$tmp/sweep-weight-bits.html" $out/sweep-weight-bits.png 2000
$bin report --timesteps 4,8,16,32,64 --quiet --html "$tmp/report.html" >/dev/null
shot "$tmp/report.html" $out/report.png 1150
$bin map --hardware truenorth --quiet --svg "$tmp/map-truenorth.svg" >/dev/null
shot "$tmp/map-truenorth.svg" $out/map-truenorth.png 1000
