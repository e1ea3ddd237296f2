# Sourced by scripts/terraseg and scripts/bench-java: glibc malloc settings for the JVM that runs PyTorch.
# glibc keeps freed native memory (PyTorch's activations) in up to 8 arenas per core and raises its mmap
# threshold after each large free, so a long run's RSS creeps up with the work done; two arenas and a fixed
# trim threshold return it. Fixing the trim threshold also fixes the mmap threshold, at 128 KiB unless set:
# then every activation is a fresh mmap whose pages fault in on each forward pass (a 4096² run spent 26 s in
# the kernel and took 27.6 s instead of 15.9 s), so it is set to glibc's largest, 32 MiB: activations below it
# are reused from the arenas. (Executors on a cluster: the same three as spark.executorEnv.*, see README.)
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-134217728}" \
  MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
