#!/bin/sh
# Debian packages sitegen needs beyond Python: Pango for WeasyPrint's PDFs, fonts,
# HarfBuzz's subsetter (small PDFs), poppler-utils (pdftoppm, to look at PDFs).
# `install-system-deps.sh test` adds what the browser tests need: Chromium, and Node
# with npm (for axe-core) unless an npm is already on the PATH.
# Installs only what is missing; does nothing where apt-get is not available.
set -eu
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-liberation2 fonts-dejavu-core poppler-utils"
if [ "${1:-}" = "test" ]; then
  PACKAGES="$PACKAGES chromium"
  command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"
fi
command -v dpkg-query >/dev/null 2>&1 || { echo "install-system-deps: not a Debian system; install Pango and fonts yourself" >&2; exit 0; }
missing=""
for package in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in *"ok installed"*) ;; *) missing="$missing $package" ;; esac
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-system-deps: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
