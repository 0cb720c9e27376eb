#!/bin/sh
# Rebuilds ../js/vendor/readable-stream.js from npm: the pinned versions of
# readable-stream (MIT), string_decoder (MIT), inherits (ISC),
# util-deprecate (MIT) and safe-buffer (MIT), and copies their licences.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo '{"private":true}' > "$tmp/package.json"
npm install --prefix "$tmp" --no-audit --no-fund --ignore-scripts --no-package-lock \
	readable-stream@3.6.2 string_decoder@1.3.0 inherits@2.0.4 util-deprecate@1.0.2 safe-buffer@5.2.1
node bundle.js "$tmp/node_modules" ../js/vendor/readable-stream.js
: > LICENSES
for p in readable-stream string_decoder inherits util-deprecate safe-buffer; do
	printf '== %s ==\n' "$p" >> LICENSES
	cat "$tmp/node_modules/$p/LICENSE" >> LICENSES
	printf '\n' >> LICENSES
done
