#!/bin/sh
# Copy the front-end libraries that the web pages use from node_modules (installed by
# `npm ci` from the pinned package-lock.json) into internal/web/static/vendor/, which the binary
# embeds. The vendor folder is git-ignored except README.txt. Safe to run again: each run
# replaces the copied files. Fails when a file is missing (run `npm ci` first).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/node_modules"
dst="$root/internal/web/static/vendor"

# want PACKAGE VERSION: the installed package must be the pinned version.
want() {
	manifest="$src/$1/package.json"
	if [ ! -f "$manifest" ]; then
		echo "web-assets: $manifest is missing; run: npm ci --no-audit --no-fund" >&2
		exit 1
	fi
	got=$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$manifest")
	if [ "$got" != "$2" ]; then
		echo "web-assets: $1 is $got in node_modules, want $2; run: npm ci --no-audit --no-fund" >&2
		exit 1
	fi
}

# copy FILE-IN-NODE_MODULES DESTINATION-IN-VENDOR
copy() {
	if [ ! -f "$src/$1" ]; then
		echo "web-assets: $src/$1 is missing; run: npm ci --no-audit --no-fund" >&2
		exit 1
	fi
	mkdir -p "$(dirname "$dst/$2")"
	cp "$src/$1" "$dst/$2"
}

want leaflet 1.9.4
want echarts 6.1.0
want pmtiles 4.5.0
# Remove earlier copies (keep README.txt, which is committed) so a dropped file does not linger.
rm -rf "$dst/leaflet" "$dst/echarts" "$dst/pmtiles"
copy leaflet/dist/leaflet.js leaflet/leaflet.js
copy leaflet/dist/leaflet.css leaflet/leaflet.css
copy leaflet/LICENSE leaflet/LICENSE
for image in layers.png layers-2x.png marker-icon.png marker-icon-2x.png marker-shadow.png; do
	copy "leaflet/dist/images/$image" "leaflet/images/$image"
done

# ECharts (the leaders' dashboard): the minified UMD build, which sets window.echarts for a page's
# module, as Leaflet sets window.L. The whole build, not a custom one: it needs no bundler.
copy echarts/dist/echarts.min.js echarts/echarts.min.js
copy echarts/LICENSE echarts/LICENSE
copy echarts/NOTICE echarts/NOTICE

# PMTiles (an offline base map, --tiles pmtiles): the IIFE build, which sets window.pmtiles and
# bundles its one dependency (fflate); the map loads it only when the base map is a .pmtiles
# file, and draws raster tiles with its leafletRasterLayer. The package ships no LICENSE file:
# BSD-3-Clause per its package.json (fflate: MIT).
copy pmtiles/dist/pmtiles.js pmtiles/pmtiles.js
copy pmtiles/package.json pmtiles/package.json

echo "web-assets: copied leaflet 1.9.4, echarts 6.1.0 and pmtiles 4.5.0 into ${dst#"$root"/}"
