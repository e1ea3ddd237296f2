package io.terraseg.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The per-JVM model cache: the models loaded in this JVM, which every task running here shares. A
 * model is known by its content ({@link ModelDigest}: model.json and weights) and device, so a copy
 * of a model directory is the same model, and a directory whose files were replaced is a new one: a
 * task always runs what the directory holds when it asks, even in an executor that outlives many
 * jobs.
 *
 * <p>At most N models stay loaded per device (the JVM system property {@value #CAPACITY_PROPERTY},
 * default 2, at least 1); beyond that the least recently used model that no task holds is closed,
 * which frees its native (GPU) memory. A task holds its model by a {@link Lease} from {@link
 * #acquire}, released in a finally block, and a held model is never closed under it: when every
 * model on a device is held, the device holds more for a while, and the surplus is closed as its
 * last lease is released.
 *
 * <p>Written here rather than taken from a cache library: Guava and Caffeine are not dependencies,
 * and their eviction closes an entry when it leaves the map, whereas a model must outlive its
 * eviction until its last task is done. An access-ordered {@link LinkedHashMap} under one lock,
 * with a lease count per entry, is all it takes.
 */
public final class ModelCache {
  /** Loaded models kept per device and JVM: {@code -Dterraseg.models.per.device=N}. */
  static final String CAPACITY_PROPERTY = "terraseg.models.per.device";

  private static final ModelCache JVM =
      new ModelCache(Math.max(1, Integer.getInteger(CAPACITY_PROPERTY, 2)));

  private final int capacity;
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  ModelCache(int capacity) {
    this.capacity = capacity;
  }

  /**
   * {@code modelDir}'s model on {@code device}, loaded unless this JVM already holds the same
   * content there. Close the lease when the task is done with the model.
   */
  public static Lease acquire(Path modelDir, Device device) {
    return JVM.lease(modelDir, device);
  }

  /**
   * Each JVM hashes the files it loads (memoized, see {@link ModelDigest}) rather than trust a
   * digest the driver put in the plan: the key then always describes the bytes this JVM reads.
   * Hashing and loading happen under the lock: the tasks that start together on an executor want
   * the same model, and one load that the others wait for beats each loading its own copy.
   */
  synchronized Lease lease(Path modelDir, Device device) {
    Key key = new Key(ModelDigest.of(modelDir), device);
    Entry entry = entries.get(key);
    if (entry == null) {
      entry = new Entry(key, SegmentationModel.load(modelDir, device));
      entries.put(key, entry);
    }
    entry.leases++;
    closeIdleBeyondCapacity(device);
    return new Lease(entry);
  }

  private synchronized void release(Lease lease) {
    if (!lease.released) {
      lease.released = true;
      lease.entry.leases--;
      closeIdleBeyondCapacity(lease.entry.key.device());
    }
  }

  /** Least recently used first; iterating does not count as a use. */
  private void closeIdleBeyondCapacity(Device device) {
    long loaded = entries.keySet().stream().filter(k -> k.device().equals(device)).count();
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && loaded > capacity; ) {
      Entry entry = it.next();
      if (entry.key.device().equals(device) && entry.leases == 0) {
        it.remove();
        entry.model.close();
        loaded--;
      }
    }
  }

  private record Key(String digest, Device device) {}

  private static final class Entry {
    final Key key;
    final SegmentationModel model;
    int leases;

    Entry(Key key, SegmentationModel model) {
      this.key = key;
      this.model = model;
    }
  }

  /** One task's hold on a loaded model: the model stays open until the lease is closed. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public SegmentationModel model() {
      return entry.model;
    }

    /** Releases the model; closing twice releases it once. */
    @Override
    public void close() {
      release(this);
    }
  }
}
