#!/usr/bin/env bash
# Vendors the NL Design System component CSS (the Utrecht component library, EUPL-1.2) into the
# static files, pinned: npm pack into a temp dir, copy the dist CSS and the licence, record the
# version. Only the components are shipped: @utrecht/design-tokens is Gemeente Utrecht's
# proprietary house style (its LICENSE.md reserves it), so Samen sets its own neutral tokens in
# static/samen/theme.css (ADR 0023). Usage: scripts/update_nlds.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${1:-9.0.4}"
PACKAGE="@utrecht/component-library-css"
DEST="src/samen/web/static/nlds"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$DEST"
cp "$TMP/package/dist/index.css" "$DEST/utrecht-component-library.css"
# html.css: the same components on plain HTML elements, under <html class="utrecht-html">.
cp "$TMP/package/dist/html.css" "$DEST/utrecht-html.css"
cp "$TMP/package/LICENSE.md" "$DEST/LICENSE-utrecht-component-library.md"
INTEGRITY="$(cd "$TMP" && npm view "$PACKAGE@$VERSION" dist.integrity)"
cat > "$DEST/VERSIONS.txt" <<TXT
# Vendored by scripts/update_nlds.sh; do not edit the CSS by hand.
$PACKAGE $VERSION $INTEGRITY
TXT
echo "vendored $PACKAGE $VERSION into $DEST"
