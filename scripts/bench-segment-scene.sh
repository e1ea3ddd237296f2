# Sourced by bench-segment.sh and bench-outputs.sh: the build, the bench model (scripts/bench-model.py) and a
# SIZE² scene made by `terraseg sample`, kept in WORK=target/bench-segment and remade only when SIZE changes.
# Expects ROOT (the repository, also the working directory) and SIZE.
WORK="$ROOT/target/bench-segment"
"$ROOT/scripts/setup.sh"
[[ -f target/terraseg.jar && -f target/classpath.txt ]] || mvn -q -B -DskipTests package
source "$ROOT/scripts/bench-cds.sh"
mkdir -p "$WORK"
[[ -f "$WORK/model/model.pt" ]] || /usr/bin/python3 scripts/bench-model.py "$WORK/model" >&2
[[ -f "$WORK/data/images/bench.tif" && "$(cat "$WORK/data/size" 2>/dev/null)" == "$SIZE" ]] || {
  scripts/terraseg sample --output "$WORK/data" --name bench --width "$SIZE" --height "$SIZE" >&2
  echo "$SIZE" > "$WORK/data/size"
}
