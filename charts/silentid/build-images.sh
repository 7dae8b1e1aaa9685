#!/usr/bin/env bash
# Builds the images the chart runs (the verifier for CPU and for NVIDIA GPUs, and the
# operator), tags them for your registry, pushes them with --push, and prints the helm
# values that point the chart at them. The chart's defaults (ghcr.io/silentid/...) are not
# published anywhere: without this, pods end in ImagePullBackOff.
#
#   charts/silentid/build-images.sh --registry registry.example.com/silentid [--tag 0.1.0]
#       [--push] [--engine docker|podman] [--only verifier|verifier-gpu|operator] [--dry-run]
#
# Run from anywhere; the build context is the repository root. --dry-run prints the
# commands without running them (no engine needed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VERSION=$(sed -n 's/^appVersion: *["'\'']\{0,1\}\([^"'\'']*\).*/\1/p' "$ROOT/charts/silentid/Chart.yaml")
REGISTRY='' TAG=$VERSION PUSH=0 ENGINE='' ONLY='' DRY=0

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --registry) REGISTRY=${2:?--registry needs a value}; shift 2 ;;
    --tag) TAG=${2:?--tag needs a value}; shift 2 ;;
    --push) PUSH=1; shift ;;
    --engine) ENGINE=${2:?--engine needs a value}; shift 2 ;;
    --only) ONLY=${2:?--only needs a value}; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h | --help) usage 0 ;;
    *) echo "build-images.sh: unknown argument $1" >&2; usage 2 ;;
  esac
done
[ -n "$REGISTRY" ] || { echo "build-images.sh: --registry is required" >&2; usage 2; }
REGISTRY=${REGISTRY%/}
if [ -z "$ENGINE" ]; then
  if command -v docker >/dev/null 2>&1; then ENGINE=docker
  elif command -v podman >/dev/null 2>&1; then ENGINE=podman
  elif [ $DRY = 1 ]; then ENGINE=docker
  else echo "build-images.sh: neither docker nor podman found (--engine)" >&2; exit 1
  fi
fi

run() { if [ $DRY = 1 ]; then echo "$*"; else (set -x; "$@"); fi; }

# name, Dockerfile, tag suffix: the chart adds -gpu to the verifier's tag when gpus > 0.
IMAGES=(
  "verifier services/verifier/Dockerfile "
  "verifier-gpu services/verifier/Dockerfile.gpu -gpu"
  "operator operator/Dockerfile "
)
for entry in "${IMAGES[@]}"; do
  read -r key file suffix <<<"$entry"
  [ -z "$ONLY" ] || [ "$ONLY" = "$key" ] || continue
  repo=$REGISTRY/${key%-gpu}
  run "$ENGINE" build -f "$ROOT/$file" -t "$repo:$TAG${suffix:-}" "$ROOT"
  if [ $PUSH = 1 ]; then run "$ENGINE" push "$repo:$TAG${suffix:-}"; fi
done

cat <<EOF
# Point the chart at these images:
helm upgrade --install silentid $ROOT/charts/silentid -n silentid --create-namespace \\
  --set operator.image.repository=$REGISTRY/operator --set operator.image.tag=$TAG \\
  --set defaultService.image.repository=$REGISTRY/verifier --set defaultService.image.tag=$TAG
# (with defaultService.image.tag set, GPU services use the tag as given: add -gpu yourself,
#  e.g. --set defaultService.image.tag=$TAG-gpu, or leave the tag empty to get it added)
EOF
