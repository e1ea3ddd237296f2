package io.terraseg.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The per-JVM model cache: the models loaded in this JVM, which every task running here shares. A
 * model is known by its content ({@link ModelDigest}: model.json and weights) and device, so a copy
 * of a model directory is the same model, and a directory whose files were replaced is a new one: a
 * task always runs what the directory holds when it asks, even in an executor that outlives many
 * jobs.
 *
 * <p>At most N models stay loaded per device (the JVM system property {@value #CAPACITY_PROPERTY},
 * default 2, at least 1), and never fewer than the largest ensemble a task of this JVM has held at
 * once: an ensemble of three on a device that keeps two would close one of its own models after
 * every task and load it again for the next. Beyond that the least recently used model that no task
 * holds is closed, which frees its native (GPU) memory. The default stays 2 rather than growing for
 * everyone: a long-lived executor that runs one model after another keeps at most two of them on
 * its GPU. A task holds its models by a {@link Lease} from {@link #acquire}, released in a finally
 * block, and a held model is never closed under it: when every model on a device is held, the
 * device holds more for a while, and the surplus is closed as its last lease is released.
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

  /** The most distinct models one lease has held: the capacity never goes below it. */
  private int largestEnsemble;

  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  ModelCache(int capacity) {
    this.capacity = capacity;
  }

  /**
   * {@code modelDirs}' models on {@code device} (an ensemble, or one model), each loaded unless
   * this JVM already holds the same content there. Close the lease when the task is done with them.
   */
  public static Lease acquire(List<Path> modelDirs, Device device) {
    return JVM.lease(modelDirs, device);
  }

  /**
   * Each JVM hashes the files it loads (memoized, see {@link ModelDigest}) rather than trust a
   * digest the driver put in the plan: the key then always describes the bytes this JVM reads.
   * Hashing and loading happen under the lock: the tasks that start together on an executor want
   * the same model, and one load that the others wait for beats each loading its own copy. A model
   * that fails to load releases the ones this lease already took.
   */
  synchronized Lease lease(List<Path> modelDirs, Device device) {
    List<Entry> leased = new ArrayList<>();
    try {
      for (Path modelDir : modelDirs) {
        Key key = new Key(ModelDigest.of(modelDir), device);
        Entry entry = entries.get(key);
        if (entry == null) {
          entry = new Entry(key, SegmentationModel.load(modelDir, device));
          entries.put(key, entry);
        }
        entry.leases++;
        leased.add(entry);
      }
    } catch (RuntimeException e) {
      leased.forEach(entry -> entry.leases--);
      closeIdleBeyondCapacity(device);
      throw e;
    }
    largestEnsemble =
        Math.max(largestEnsemble, (int) leased.stream().map(e -> e.key).distinct().count());
    closeIdleBeyondCapacity(device);
    return new Lease(leased);
  }

  Lease lease(Path modelDir, Device device) {
    return lease(List.of(modelDir), device);
  }

  private synchronized void release(Lease lease) {
    if (!lease.released) {
      lease.released = true;
      lease.entries.forEach(entry -> entry.leases--);
      closeIdleBeyondCapacity(lease.entries.get(0).key.device());
    }
  }

  /** Least recently used first; iterating does not count as a use. */
  private void closeIdleBeyondCapacity(Device device) {
    long loaded = entries.keySet().stream().filter(k -> k.device().equals(device)).count();
    int keep = Math.max(capacity, largestEnsemble);
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && loaded > keep; ) {
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

  /** One task's hold on its loaded models: they stay open until the lease is closed. */
  public final class Lease implements AutoCloseable {
    private final List<Entry> entries;
    private boolean released;

    private Lease(List<Entry> entries) {
      this.entries = entries;
    }

    /** The models, in the order they were asked for. */
    public List<SegmentationModel> models() {
      return entries.stream().map(e -> e.model).toList();
    }

    /** The first (or only) model. */
    SegmentationModel model() {
      return entries.get(0).model;
    }

    /** Releases the models; closing twice releases them once. */
    @Override
    public void close() {
      release(this);
    }
  }
}
