#!/bin/sh
# What sitegen needs from the system beyond Python, checked by what the software looks
# for (shared libraries, fonts, commands), not by package name: a machine that already
# has them, however they came, needs no administrator rights. Only what is missing is
# installed, with Debian's apt-get, and the script says what and why first.
#   Pango and HarfBuzz's subsetter: WeasyPrint lays out the PDF papers with them.
#   Cairo: charts drawn as pictures (cairosvg) for the Word copies of papers.
#   Liberation and DejaVu fonts: the papers' type (metric-compatible with Arial).
#   pdftoppm (poppler-utils): to look at PDF pages as pictures; a few tests use it.
# `install-system-deps.sh test` adds what the browser tests need: Chromium, and Node
# with npm (for axe-core).
set -eu

missing=""
reasons=""
need() {  # need PACKAGE WHY: record a Debian package to install and the reason
  missing="$missing $1"
  reasons="$reasons
  $1: $2"
}
# ldconfig lives in /sbin, which is not on an ordinary user's PATH.
have_library() { PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q "$1"; }
# fc-list when fontconfig's tools are there, else the font files themselves.
have_font() {
  if command -v fc-list >/dev/null 2>&1; then fc-list 2>/dev/null | grep -qi "$1"
  else find /usr/share/fonts /usr/local/share/fonts "$HOME/.local/share/fonts" -iname "$2" 2>/dev/null | grep -q .
  fi
}

have_library "libpango-1.0.so.0" || need libpango-1.0-0 "WeasyPrint lays out text with Pango"
have_library "libpangoft2-1.0.so.0" || need libpangoft2-1.0-0 "WeasyPrint finds fonts through PangoFT2"
have_library "libharfbuzz-subset.so.0" || need libharfbuzz-subset0 "keeps PDFs small by embedding only the letters used"
have_library "libcairo.so.2" || need libcairo2 "draws the charts as pictures for the Word copies of papers"
have_font "Liberation Sans" "LiberationSans-Regular.*" || need fonts-liberation2 "the papers' typeface"
have_font "DejaVu Sans" "DejaVuSans.*" || need fonts-dejavu-core "a typeface for symbols the first one lacks"
command -v pdftoppm >/dev/null 2>&1 || need poppler-utils "pdftoppm, to look at PDF pages as pictures"
if [ "${1:-}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || need chromium "the browser tests run the pages in it"
  command -v npm >/dev/null 2>&1 || need "nodejs npm" "installs axe-core, the accessibility checker the browser tests use"
fi
[ -z "$missing" ] && exit 0

echo "sitegen needs some system software that this computer does not have:$reasons" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "This is not a Debian or Ubuntu system: install the equivalents with its package manager, then run make again." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "Installing them needs administrator rights. Ask your IT team to run:" >&2
    echo "  apt-get install --no-install-recommends$missing" >&2
    exit 1
  fi
  SUDO="sudo"
  echo "Installing them with sudo (administrator rights; you may be asked for your password)." >&2
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
