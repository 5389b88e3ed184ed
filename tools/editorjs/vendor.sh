#!/usr/bin/env bash
# Vendors the Editor.js packages of the admin's post editor into posts/static/posts/editorjs/vendor/.
#
#   tools/editorjs/vendor.sh           re-vendor exactly the versions in package-lock.json
#   tools/editorjs/vendor.sh update    move every package to its latest version, then vendor it
#
# Needs Node.js and the npm registry; the server, the tests and CI need neither, since the vendored files are
# committed. Packages are installed in a temporary directory (no node_modules in the tree), with
# --ignore-scripts. After an update: run the browser tests (tests/browser/test_admin_editor.py), read the
# packages' changelogs for data-format changes against posts/content/, then commit package.json,
# package-lock.json and the vendor directory together.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../posts/static/posts/editorjs/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
cd "$work"
case "${1:-}" in
  "")
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    ;;
  update)
    packages=$(node -e 'console.log(Object.keys(require("./package.json").dependencies).map(p => p + "@latest").join(" "))')
    # shellcheck disable=SC2086  # one argument per package
    npm install --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error $packages
    cp package.json package-lock.json "$here/"
    ;;
  *)
    echo "usage: $0 [update]" >&2
    exit 2
    ;;
esac
node "$here/vendor.mjs" "$work/node_modules" "$out"
for script in "$out"/*.js; do node --check "$script"; done
echo "Vendored into ${out#"$here/../../"}; check git diff, run the browser tests, commit." >&2
