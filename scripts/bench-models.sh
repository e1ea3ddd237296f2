#!/usr/bin/env bash
# Parameters, work and inference speed of the built-in architectures (io.terraseg.model.arch), one JSON line
# per configuration, then FastFCN's claim as ratios (JPU at output stride 32 vs dilated backbone at 8, same head)
# of counted work (gflops_ratio) and of measured time (speedup). Work per tile of batch 1: gmacs_per_tile =
# 10^9 multiply-adds, counted from the layers' shapes (Counts.multiplyAdds; scripts/model_flops.py counts the
# PyTorch references the same way), gflops_per_tile = 2 x gmacs_per_tile.
# Options go to BenchModels: --tile N (512) --batch N (1) --runs N (5) --warmup N (1) --device cpu|gpu
# --only NAME,... All configurations stay loaded: the defaults with all 18 took 9 min 19 s and 9.3 GiB peak RSS
# on 2 CPU cores shared with other builds (load average 3-5); the first ten alone took about 1 minute and 7 GB
# on 2 idle cores. Timing is round-robin over the configurations, so load from other processes spreads over
# all of them and the ratios are steadier than the absolute times.
# Threads: TERRASEG_JAVA_OPTS="-Dai.djl.pytorch.num_threads=N".
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/bench-java" io.terraseg.model.arch.BenchModels "$@"
