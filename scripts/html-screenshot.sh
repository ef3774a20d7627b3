#!/usr/bin/env bash
# Render an HTML report in headless Chromium (Debian's `chromium` package, installed when
# missing): a PNG screenshot at A4 proportions (1240×1754 px) and, beside it, the A4 PDF that
# printing gives, so both the screen and the print layout can be checked.
#
# Usage: scripts/html-screenshot.sh REPORT.html OUT.png
# Writes OUT.png and OUT.pdf (same name, .pdf). The browser runs with a throw-away profile and
# with networking features off; the report itself needs nothing from the network.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 REPORT.html OUT.png" >&2
  exit 2
fi
html="$(realpath "$1")"
png="$(realpath -m "$2")"
pdf="${png%.png}.pdf"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "html-screenshot: installing Debian's chromium (once)" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y chromium >/dev/null
  browser="$(command -v chromium)"
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile"
  --hide-scrollbars)
"$browser" "${flags[@]}" --screenshot="$png" --window-size=1240,1754 "file://$html" 2>/dev/null
"$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$pdf" "file://$html" 2>/dev/null
for f in "$png" "$pdf"; do
  [ -s "$f" ] || { echo "html-screenshot: $f was not written" >&2; exit 1; }
done
echo "$png"
echo "$pdf"
