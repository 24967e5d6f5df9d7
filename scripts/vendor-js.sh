#!/bin/sh
# Vendor lunr.js (the search page's engine) from the npm registry into the theme.
# The tarball is checked against the integrity hash npm publishes for this exact
# version, and the minified file against its own SHA-256 (tests/test_search.py
# checks the committed copy against the same pin). Re-run after changing the pins.
set -eu
LUNR_VERSION="2.3.9"
LUNR_INTEGRITY="sha512-zTU3DaZaF3Rt9rhN3uBMGQD3dD2/vFQqnvZCDv4dl5iOzq2IZQqTxu90r4E5J+nP70J3ilqVCrbho2eWaeW8Ow=="
LUNR_MIN_SHA256="0c50d9002b85780a842afffb567bb54ede402dae7c6dc5997a018614d8044fc8"

here=$(cd "$(dirname "$0")/.." && pwd)
target="$here/sitegen/theme/static/vendor/lunr"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "lunr@$LUNR_VERSION" >/dev/null)
tarball="$work/lunr-$LUNR_VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$LUNR_INTEGRITY" ]; then
  echo "vendor-js: lunr $LUNR_VERSION tarball integrity mismatch: $actual" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/lunr.min.js package/LICENSE
minified=$(sha256sum "$work/package/lunr.min.js" | cut -d' ' -f1)
if [ "$minified" != "$LUNR_MIN_SHA256" ]; then
  echo "vendor-js: lunr.min.js SHA-256 is $minified, pinned $LUNR_MIN_SHA256" >&2
  exit 1
fi
mkdir -p "$target"
cp "$work/package/lunr.min.js" "$target/lunr.min.js"
cp "$work/package/LICENSE" "$target/LICENSE"
echo "vendor-js: lunr $LUNR_VERSION -> ${target#"$here"/}"
