#!/usr/bin/env bash
# Measures the performance table of docs/performance.md in one run: train and inference images/s
# and peak RSS of simple-conv+bilinear (384x160, batch 10) and vgg16+fcn8 (576x160, batch 2) with
# oneDNN on, off and the automatic choice (and with mixed bfloat16), then the input pipeline on full-resolution Cityscapes
# files. Run it on an otherwise idle machine, from the repository root, after
#   mvn -B -q package -Dquick
# Figures go to target/performance/*.json; the table is printed as Markdown. Takes ~17 minutes.
set -euo pipefail
JAR=runner/target/pixelwise.jar
OUT=target/performance
SIMPLE_STEPS=${SIMPLE_STEPS:-20}
VGG_STEPS=${VGG_STEPS:-5}
# The settings are interleaved and repeated: on a shared virtual machine neighbours come and go,
# and one run of each setting would compare neighbours rather than settings.
ROUNDS=${ROUNDS:-3}
rm -rf "$OUT" && mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B -q package -Dquick first" >&2; exit 1; }

bench() { # name, then benchmark arguments
  local name=$1; shift
  echo "== $name: benchmark $*" >&2
  java -jar "$JAR" benchmark "$@" --json "$OUT/$name.json" > "$OUT/$name.log" 2>&1 \
    || { cat "$OUT/$name.log" >&2; exit 1; }
}

for round in $(seq 1 "$ROUNDS"); do
  for onednn in on off auto; do
    bench "simple-$onednn-$round" cityscapes7-simple --set dataset=synthetic-streets --set data.cache=false \
      --set runtime.onednn=$onednn --only train,inference --steps "$SIMPLE_STEPS" --warmup 3
  done
done
# mixed-bfloat16 (oneDNN on): faster where the CPU has bfloat16 instructions (AVX512_BF16).
bench "simple-bf16-1" cityscapes7-simple --set dataset=synthetic-streets --set data.cache=false \
  --set runtime.onednn=on --set runtime.precision=mixed-bfloat16 --only train,inference --steps "$SIMPLE_STEPS" --warmup 3
bench "vgg16-bf16-1" synthetic-simple --set model.backbone=vgg16 --set model.head=fcn8 \
  --set data.height=160 --set data.width=576 --set train.batch-size=2 \
  --set runtime.onednn=on --set runtime.precision=mixed-bfloat16 --only train,inference --steps "$VGG_STEPS" --warmup 1
for onednn in on off auto; do
  bench "vgg16-$onednn-1" synthetic-simple --set model.backbone=vgg16 --set model.head=fcn8 \
    --set data.height=160 --set data.width=576 --set train.batch-size=2 \
    --set runtime.onednn=$onednn --only train,inference --steps "$VGG_STEPS" --warmup 1
done

echo "== pipeline: PipelineBenchmark (40 Cityscapes-layout 2048x1024 PNG pairs -> 384x160)" >&2
mvn -o -q test -pl runner -Dbenchmarks -Dtest=PipelineBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dpixelwise.benchmark.images=40 -Dpixelwise.benchmark.json="$PWD/$OUT/pipeline.json" > "$OUT/pipeline.log" 2>&1 \
  || { cat "$OUT/pipeline.log" >&2; exit 1; }
pipeline() { # name, then extra Maven arguments
  echo "== $1: PipelineBenchmark ${*:2}" >&2
  mvn -o -q test -pl runner -Dbenchmarks -Dtest=PipelineBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Dpixelwise.benchmark.images=40 -Dpixelwise.benchmark.json="$PWD/$OUT/$1.json" "${@:2}" > "$OUT/$1.log" 2>&1 \
    || { cat "$OUT/$1.log" >&2; exit 1; }
}
# Without libdeflate (TensorFlow's libpng), and both again on files whose every row is Paeth-filtered:
# ImageIO writes no row filters, real encoders mostly Paeth, Sub and Up for photographs.
pipeline pipeline-libpng -Dpixelwise.benchmark.set=data.libdeflate=false
pipeline pipeline-paeth -Dpixelwise.benchmark.png-filter=4
pipeline pipeline-paeth-libpng -Dpixelwise.benchmark.png-filter=4 -Dpixelwise.benchmark.set=data.libdeflate=false

python3 - "$OUT" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
def load(name):
    with open(os.path.join(out, name + ".json")) as f:
        return json.load(f)
def runs(prefix):
    return [load(os.path.basename(p)[:-5]) for p in sorted(glob.glob(os.path.join(out, prefix + "-*.json")))]
def rate(rs, key):
    # Median of the runs' medians; min and max over every timed step of every run.
    med = statistics.median(r[key]["median"] for r in rs)
    return f"{med:.1f} ({min(r[key]['min'] for r in rs):.1f}–{max(r[key]['max'] for r in rs):.1f})"
print("| model | oneDNN | runs | train img/s, median (min–max) | inference img/s, median (min–max) | peak RSS MiB |")
print("|---|---|---|---|---|---|")
for model, label in (("simple", "simple-conv + bilinear, 384x160, batch 10"), ("vgg16", "vgg16 + fcn8, 576x160, batch 2")):
    for onednn in ("on", "off", "auto", "bf16"):
        rs = runs(f"{model}-{onednn}")
        chosen = "on" if rs[0].get("onednn") == "1" else "off"
        setting = {"auto": f"auto (chose {chosen})", "bf16": "on, `runtime.precision = mixed-bfloat16`"}.get(onednn, onednn)
        rss = max(r["peak_rss_mib"] for r in rs)
        print(f"| {label} | {setting} | {len(rs)} | {rate(rs, 'train_images_per_second')} | {rate(rs, 'inference_images_per_second')} | {rss} |")
p = load("pipeline")
print()
print("| input pipeline (2 loader threads, 384x160) | img/s |")
print("|---|---|")
for name, files in (("pipeline", "no row filter"), ("pipeline-libpng", "no row filter"),
                    ("pipeline-paeth", "Paeth-filtered rows"), ("pipeline-paeth-libpng", "Paeth-filtered rows")):
    r = load(name)
    print(f"| decode ({r['png_decoder']}) + resize + map labels, 2048x1024 Cityscapes PNGs, {files} | {r['pipeline_images_per_second']:.1f} |")
print(f"| building the cache ({p['png_decoder']}) | {p['cache_build_images_per_second']:.1f} |")
print(f"| reading the cache | {p['cache_read_images_per_second']:.0f} |")
PY
