#!/usr/bin/env bash
# The GPU benchmark on a machine with no Node, no ffmpeg and no network (the lent device:
# 64 MiB per call, 10 minutes per command; /work/.library/device/README.md).
#
#   e2e/bench/gpu/run-on-device.sh pack          here: build, pack into .gpu-bench/ (+ .gl/)
#   e2e/bench/gpu/run-on-device.sh unpack        there, call 1: part A (Node, onnxruntime)
#   e2e/bench/gpu/run-on-device.sh run [ARGS]    there, call 2: part B, then npm run bench:gpu ARGS
#
# Why two parts: Node (22 MB packed), onnxruntime (~10 MB), ffmpeg (16 MB), sharp, the
# models and the corpus clips come to more than one call may carry. Part A stays on the
# machine between calls (ignored paths are kept while it is warm, 30 s after a call), so
# call 2 follows at once. Where everything fits in one call, `run` alone unpacks both.
#
# What differs from a normal checkout there, and why it does not change the figures:
# ffmpeg is the npm fallback's static build (here: Debian's), so the CPU side pays that
# build's decode costs (both providers alike); ffprobe is a stub that fails loudly (MP4s
# are probed in process, and a request that would need it fails rather than mis-measures).
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
pack=.gpu-bench

die() { echo "run-on-device: $*" >&2; exit 1; }
mib() { echo "$(( $(du -cb "$@" | tail -1 | cut -f1) / 1048576 )) MiB"; }

pack() {
  command -v node >/dev/null || die 'pack needs node here'
  exclude=$(git rev-parse --git-path info/exclude)
  mkdir -p "$(dirname "$exclude")"
  for p in "/$pack/" /.gl/; do grep -qxF "$p" "$exclude" 2>/dev/null || echo "$p" >>"$exclude"; done
  npm run build >/dev/null
  rm -rf "$pack" && mkdir -p "$pack/bin" "$pack/stage"
  # Part A: the two big native pieces, unchanged between commits.
  cp "$(command -v node)" "$pack/stage/node"
  strip "$pack/stage/node" 2>/dev/null || true # symbols only: 12 MB less to carry
  # Part B: everything else the bench and the verifier read.
  node --import tsx e2e/bench/gpu/pack-files.ts >"$pack/files.txt"
  ff=$(node -e "console.log(require.resolve('@ffmpeg-installer/linux-x64/package.json'))" | xargs dirname)
  cp "$ff/ffmpeg" "$pack/bin/ffmpeg"
  printf '#!/bin/sh\necho "ffprobe is not carried to this machine (run-on-device.sh): this request needed it" >&2\nexit 1\n' >"$pack/bin/ffprobe"
  chmod +x "$pack/bin/ffprobe"
  # The corpus files of clips a, b, c and their photo, with their manifest rows.
  data=${SILENTID_DATA_DIR:-$root/../shared/data}
  if [ -f "$data/MANIFEST.tsv" ]; then
    files='KwaiVGI__LivePortrait/driving_d3.mp4 KwaiVGI__LivePortrait/source_s29.mp4 KwaiVGI__LivePortrait/driving_d6.mp4 ageitgey__face_recognition/obama.jpg'
    mkdir -p "$pack/data"
    head -1 "$data/MANIFEST.tsv" >"$pack/data/MANIFEST.tsv"
    for f in $files; do
      mkdir -p "$pack/data/$(dirname "$f")" && cp "$data/$f" "$pack/data/$f"
      awk -F'\t' -v f="$f" '$1 == f' "$data/MANIFEST.tsv" >>"$pack/data/MANIFEST.tsv"
    done
  else
    echo "corpus absent at $data: the device run will use the synthetic clip" >&2
  fi
  # The device copy has no .git: the commit travels as a file (dirty when the tree was).
  echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo +dirty)" >"$pack/bin/commit"
  grep '^node_modules/onnxruntime-node/' "$pack/files.txt" >"$pack/a.txt"
  grep -v '^node_modules/onnxruntime-node/' "$pack/files.txt" >"$pack/b.txt"
  links=$(find node_modules/@silentid -maxdepth 1 -type l)
  echo "packing (xz -9, a few minutes on 2 cores)…" >&2
  tar -cf - -T "$pack/a.txt" -C "$pack/stage" node | xz -9 -T0 >"$pack/a.tar.xz"
  # shellcheck disable=SC2086
  tar -cf - -T "$pack/b.txt" $links services/verifier/dist services/client/dist services/web-sdk/dist \
    "$pack/bin" $( [ -d "$pack/data" ] && echo "$pack/data" ) | xz -9 -T0 >"$pack/b.tar.xz"
  rm -rf "$pack/stage" "$pack/bin" "$pack/data"
  # The Vulkan loader for WebGPU (the device README's recipe; the NVIDIA driver is there).
  if [ ! -d .gl ] && command -v apt-get >/dev/null; then
    mkdir -p .gl /tmp/amd64/partial
    o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
    # shellcheck disable=SC2086
    apt-get $o update >/dev/null && (cd .gl && apt-get $o download libvulkan1 >/dev/null)
  fi
  tree=$(git ls-files -z | du -cb --files0-from=- | tail -1 | cut -f1)
  echo "part A $(mib "$pack/a.tar.xz"), part B $(mib "$pack/b.tar.xz"), .gl $(mib .gl), tracked tree $((tree / 1048576)) MiB; limit 64 MiB a call"
  echo 'call 1: carry [".gpu-bench/a.tar.xz"], command: bash e2e/bench/gpu/run-on-device.sh unpack'
  echo 'call 2 (at once): carry [".gpu-bench/b.tar.xz", ".gl"], command: bash e2e/bench/gpu/run-on-device.sh run --seconds 15'
}

unpack_a() {
  [ -f "$pack/a.tar.xz" ] || die "$pack/a.tar.xz not carried"
  mkdir -p "$pack/bin"
  tar -xJf "$pack/a.tar.xz" && mv node "$pack/bin/node"
  "$pack/bin/node" --version
}

run() {
  [ -x "$pack/bin/node" ] || unpack_a
  [ -f "$pack/b.tar.xz" ] || die "$pack/b.tar.xz not carried"
  tar -xJf "$pack/b.tar.xz"
  if [ -d .gl ]; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  if ! ldconfig -p | grep -q libvulkan.so.1; then echo 'no Vulkan loader: webgpu will fail' >&2; fi
  [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] &&
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  export PATH="$root/$pack/bin:$PATH" FFMPEG_PATH="$root/$pack/bin/ffmpeg" FFPROBE_PATH="$root/$pack/bin/ffprobe"
  [ -f "$pack/data/MANIFEST.tsv" ] && export SILENTID_DATA_DIR="$root/$pack/data"
  [ -f "$pack/bin/commit" ] && export SILENTID_BENCH_COMMIT="$(cat "$pack/bin/commit")"
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
  out=${OUT:-/tmp}
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  set -o pipefail
  # The build was packed: run the bench directly (npm run bench:gpu would rebuild).
  node --import tsx e2e/bench/gpu/run.ts --out "$out/gpu-bench.json" "$@" 2>&1 | tee "$out/gpu-bench.log"
}

case "${1:-}" in
  pack) pack ;;
  unpack) unpack_a ;;
  run) shift; run "$@" ;;
  *) die 'usage: run-on-device.sh pack | unpack | run [bench:gpu options]' ;;
esac
