#!/usr/bin/env bash
# Regenerates the PNG icons at every size the freedesktop icon theme spec
# lists for apps (hicolor: 16, 22, 24, 32, 48, 64, 128, 256, 512) from
# icons/icon.png (1024×1024). The package installs each one under
# /usr/share/icons/hicolor/NxN/apps/ (bundle.icon in src-tauri/tauri.conf.json).
# Needs ImageMagick (installed with apt by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../icons"
for s in 16 22 24 32 48 64 128 256 512; do
  convert icon.png -filter Lanczos -resize "${s}x${s}" -strip "PNG32:${s}x${s}.png"
done
