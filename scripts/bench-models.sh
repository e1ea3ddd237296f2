#!/usr/bin/env bash
# Parameters, work and inference speed of the built-in architectures (io.terraseg.model.arch), one JSON line
# per configuration, then FastFCN's claim as ratios (JPU at output stride 32 vs dilated backbone at 8, same head)
# of counted work (gflops_ratio) and of measured time (speedup). Work per tile of batch 1: gmacs_per_tile =
# 10^9 multiply-adds, counted from the layers' shapes (Counts.multiplyAdds; scripts/model_flops.py counts the
# PyTorch references the same way), gflops_per_tile = 2 x gmacs_per_tile.
# Options go to BenchModels: --tile N (512) --batch N (1) --runs N (5) --warmup N (1) --device cpu|gpu
# --only NAME,... All configurations stay loaded; with the first ten (before deeplabv3plus-x65-os16, FCN-8s and
# the FastFCN enc and psp heads on JPU and on a dilated backbone) the defaults took about 1 minute on 2 idle CPU
# cores and 7 GB RSS (FCN-8s adds 134 M parameters, 0.5 GB, and ~3.6 s a forward at 512² on 2 busy cores);
# timing is round-robin over the configurations, so load from other processes spreads over all of them and the
# ratios are steadier than the absolute times.
# Threads: TERRASEG_JAVA_OPTS="-Dai.djl.pytorch.num_threads=N".
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/bench-java" io.terraseg.model.arch.BenchModels "$@"
