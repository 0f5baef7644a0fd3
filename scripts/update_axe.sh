#!/usr/bin/env bash
# Vendors axe-core (MPL-2.0) for the browser tests only, pinned: npm pack into a temp dir, copy
# axe.min.js and the licence, record the version. It is never served to users.
# Usage: scripts/update_axe.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${1:-4.14.1}"
DEST="src/samen/web/tests/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "axe-core@$VERSION" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$DEST"
cp "$TMP/package/axe.min.js" "$DEST/axe.min.js"
cp "$TMP/package/LICENSE" "$DEST/LICENSE-axe-core"
INTEGRITY="$(cd "$TMP" && npm view "axe-core@$VERSION" dist.integrity)"
cat > "$DEST/VERSIONS.txt" <<TXT
# Vendored by scripts/update_axe.sh; do not edit by hand.
axe-core $VERSION $INTEGRITY
TXT
echo "vendored axe-core $VERSION into $DEST"
