#!/usr/bin/env bash
# Rebuilds speech.wav: two espeak-ng sentences between stretches of digital silence, 16 kHz mono
# 16-bit PCM (espeak-ng 1.51, SoX 14.4.2; no dither, so a rerun rebuilds the same file).
set -euo pipefail
cd "$(dirname "$0")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
espeak-ng -v en-us -s 160 -w "$tmp/a.wav" "Voice activity detection in Java."
espeak-ng -v en-us -s 160 -w "$tmp/b.wav" "Then speech again."
sox -D "$tmp/a.wav" -r 16000 -c 1 -b 16 "$tmp/a16.wav" pad 0.8 1.0   # 0.8 s before, 1.0 s after
sox -D "$tmp/b.wav" -r 16000 -c 1 -b 16 "$tmp/b16.wav" pad 0 0.7     # 0.7 s after
sox -D "$tmp/a16.wav" "$tmp/b16.wav" speech.wav
