#!/usr/bin/env bash
# Install what the tool needs on a Debian machine, then the tool itself into .venv/.
#   scripts/setup.sh          system packages for building (LibreOffice) + the tool
#   scripts/setup.sh --test   also what the tests use (Chromium, ffprobe, poppler, espeak-ng,
#                             GStreamer)
#   scripts/setup.sh --bench  also what benchmarks/run.py compares against (pandoc; ffmpeg
#                             and ffprobe for the constant-rate peer; espeak-ng for a
#                             spoken recording; moviepy installs itself)
# Only missing system packages are installed; running it again is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0 want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_tests=1 ;;
    --bench) want_bench=1 ;;
    *) echo "usage: scripts/setup.sh [--test] [--bench]" >&2; exit 2 ;;
  esac
done

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("${@:2}"); }  # command, package(s)
need soffice libreoffice-impress-nogui   # deck.pdf
need fc-cache fontconfig                 # LibreOffice finds the theme fonts through it
if [ "$want_tests" = 1 ]; then
  need chromium chromium                 # site and video playback tests
  need ffprobe ffmpeg                    # probing the MP4s (the tool itself ships ffmpeg)
  need pdftoppm poppler-utils            # PDF pages to PNG, pdffonts, pdftotext
  need espeak-ng espeak-ng               # spoken test recordings
  need gst-discoverer-1.0 gstreamer1.0-plugins-base-apps gstreamer1.0-tools \
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav  # a 2nd MP4 player
  need npm npm                           # axe-core and the Nu HTML checker (accessibility)
  need java default-jre-headless         # runs the Nu HTML checker (vnu.jar)
  need chattr e2fsprogs                  # a read-only folder root cannot write either
fi
if [ "$want_bench" = 1 ]; then
  need pandoc pandoc                     # the deck's peer: Markdown to .pptx
  need ffprobe ffmpeg                    # the video's constant-rate peer, and probing
  need espeak-ng espeak-ng               # the webcam rows' spoken recording
fi
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
extra="[local]"
[ "$want_tests" = 1 ] && extra="[local,test]"
# (Some pip configurations warn about index folders that are absent; that noise is dropped.)
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}" \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
# The bytecode, as pip writes it for an installed package: an editable install gets none,
# and with PYTHONDONTWRITEBYTECODE set every command would compile the tool afresh.
.venv/bin/python -m compileall -q builder >/dev/null
if [ "$want_tests" = 1 ]; then
  # The accessibility tests' checkers, pinned, into an ignored folder. --ignore-scripts:
  # vnu-jar's install script would download a Java runtime; the system's Java runs it.
  axe=4.14.1 vnu=26.9.27
  has() { grep -q "\"version\": *\"$2\"" ".cache/node/node_modules/$1/package.json" 2>/dev/null; }
  if ! has axe-core "$axe" || ! has vnu-jar "$vnu"; then
    npm install --prefix .cache/node --no-save --no-audit --no-fund --ignore-scripts --silent \
      "axe-core@$axe" "vnu-jar@$vnu"
  fi
fi
echo "ready: .venv/bin/build (activate with: . .venv/bin/activate)"
