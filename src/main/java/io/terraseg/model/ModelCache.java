package io.terraseg.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one piece of static mutable state in TerraSeg: each executor JVM loads a model directory once
 * per device and every task and partition on it shares that copy. Models stay loaded for the JVM's
 * life, which is the executor's: a job uses the same model from its first task to its last.
 */
public final class ModelCache {
  private static final ConcurrentMap<String, SegmentationModel> MODELS = new ConcurrentHashMap<>();

  private ModelCache() {}

  public static SegmentationModel get(Path dir, Device device) {
    String key = dir.toAbsolutePath().normalize() + "@" + device;
    return MODELS.computeIfAbsent(key, k -> SegmentationModel.load(dir, device));
  }
}
