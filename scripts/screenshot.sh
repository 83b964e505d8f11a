#!/usr/bin/env bash
# screenshot.sh - remakes docs/report.png, README's screenshot: the
# secretariat's report that scripts/demo.sh writes, as headless Chromium
# shows it 1280 pixels wide, its first 2000 pixels.
#
#   scripts/screenshot.sh [BUILD]
#
# BUILD: a build directory (default build), which the demo uses as it is
# (KUSKA_BIN). Needs chromium (scripts/deps.sh installs it); libfaketime
# gives the demo its clock, and so the page its date and warnings.
set -eu
cd "$(dirname "$0")/.."
B=$(cd "${1:-build}" && pwd)
CHROMIUM=$(command -v chromium || command -v chromium-browser) || {
	echo "scripts/screenshot.sh: chromium is needed (scripts/deps.sh)" >&2
	exit 2
}
SANDBOX=()
[ "$(id -u)" = 0 ] && SANDBOX=(--no-sandbox) # as root Chromium insists
page=$(KUSKA_BIN=$B scripts/demo.sh |
	sed -n 's/^open \(.*\) in a browser$/\1/p')
[ -s "$page" ] || {
	echo "scripts/screenshot.sh: the demo wrote no report" >&2
	exit 1
}
"$CHROMIUM" --headless "${SANDBOX[@]}" --disable-gpu --hide-scrollbars \
	--screenshot="$PWD/docs/report.png" --window-size=1280,2000 \
	"file://$page"
echo "docs/report.png: $page"
