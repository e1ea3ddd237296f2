#!/usr/bin/env bash
# End to end on embedded Spark: build, make a georeferenced sample scene with labels, segment it with the
# committed sample TorchScript model, evaluate, and say where everything is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v mvn >/dev/null && command -v javac >/dev/null || {
  echo "demo: needs a JDK 17 and Maven; installing" >&2
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
}
[[ -f target/terraseg.jar && -f target/classpath.txt ]] || { echo "demo: building" >&2; mvn -q -B -DskipTests package; }
SIZE="${DEMO_SIZE:-2048}"
scripts/terraseg sample --output build/demo/data --width "$SIZE" --height "$SIZE"
scripts/terraseg run jobs/demo.yaml
scripts/terraseg info build/demo/out/scene.mask.tif > build/demo/out-info.json
python3 - <<'PY' 2>/dev/null || true
import json
m = json.load(open("build/demo/out/metrics.json"))
r = json.load(open("build/demo/out/run.json"))
print(f"demo: {r['done']} scene(s) segmented, {r['skipped']} already complete (run again with --force to redo); "
      f"{r['tiles']} tiles in {r['seconds']:.1f} s ({r['tiles_per_second']:.1f} tiles/s); "
      f"mIoU {m['miou']:.3f}, pixel accuracy {m['pixel_accuracy']:.3f}")
PY
cat <<EOM
demo: outputs
  scene       $ROOT/build/demo/data/images/scene.tif (labels: build/demo/data/labels/scene.tif)
  mask        $ROOT/build/demo/out/scene.mask.tif   (a COG with overviews; header: build/demo/out-info.json)
  preview     $ROOT/build/demo/out/scene.preview.png   (the mask in class colors, with a legend)
  areas       $ROOT/build/demo/out/areas.csv   (pixels and m² of each class)
  polygons    $ROOT/build/demo/out/scene.polygons.fgb   (FlatGeobuf: opens in QGIS, ogrinfo)
              $ROOT/build/demo/out/polygons.parquet/   (GeoParquet: scene, class_id, class_name, area, geometry)
  metrics     $ROOT/build/demo/out/metrics.json, metrics.csv, confusion_matrix.png
  run summary $ROOT/build/demo/out/run.json
EOM
