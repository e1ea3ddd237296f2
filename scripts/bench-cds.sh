# Sourced by the benchmarks that time whole processes or their peak RSS (bench-memory, bench-python, bench-scale,
# bench-segment-scene): the first segment after a build writes the launcher's class-data archive as its JVM
# exits (~5 s, and a peak RSS of ~870 MB where a 1000² scene takes ~510), which a user pays once, not per run.
# So a small segment run writes it here first. Expects ROOT (the repository, also the working directory).
if [[ ! ("$ROOT/target/terraseg.jsa" -nt "$ROOT/target/terraseg.jar" \
      && "$ROOT/target/terraseg.jsa" -nt "$ROOT/target/classpath.txt") ]]; then
  cds_work="$(mktemp -d)"
  scripts/terraseg sample --output "$cds_work/data" --name s --width 600 --height 600 >&2
  scripts/terraseg segment --model scripts/sample-model --input "$cds_work/data/images" \
    --labels "$cds_work/data/labels" --output "$cds_work/out" >&2
  rm -rf "$cds_work"
fi
