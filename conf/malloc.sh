# Sourced by scripts/terraseg and scripts/bench-java: glibc malloc settings for the JVM that runs PyTorch.
# glibc keeps freed native memory (PyTorch's activations) in up to 8 arenas per core and raises its mmap
# threshold after each large free, so a long run's RSS creeps up with the work done; two arenas and a fixed
# trim threshold return it. Fixing the trim threshold also fixes the mmap threshold, at 128 KiB unless set:
# then every activation is a fresh mmap whose pages fault in on each forward pass (a 4096² run spent 26 s in
# the kernel and took 27.6 s instead of 15.9 s), so it is set to glibc's largest, 32 MiB: activations below it
# are reused from the arenas. The top pad keeps the second arena's memory too: glibc unmaps a non-main
# arena's 64 MiB heap as soon as it is wholly free, whatever the trim threshold, so a task thread on that
# arena faulted its activations in again after every forward pass (pure-model bench, 484 tiles: 11.4–13.2 s
# with 1.8–3.1 million minor faults; with the pad 8.4–8.6 s with 0.1 million).
# Executors on a cluster get the same four as spark.executorEnv.* from io.terraseg.jobs.Spark (SparkTest checks
# that the values agree).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-134217728}" \
  MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}" MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-67108864}"
