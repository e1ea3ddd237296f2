package io.terraseg.model.arch;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/** Test and benchmark helper: trainable parameters of a network. */
final class Counts {
  private Counts() {}

  static long initialized(ArchitectureSpec spec, int bands, int classes) {
    Block block = Architectures.build(spec, bands, classes);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      block.initialize(manager, DataType.FLOAT32, new Shape(1, bands, 64, 64));
      return trainable(block);
    }
  }

  /**
   * Number of trainable values of an initialized block, as torch's {@code sum(p.numel() for p in
   * model.parameters())} counts them.
   */
  static long trainable(Block block) {
    return block.getParameters().values().stream()
        .filter(p -> p.requiresGradient())
        .mapToLong(p -> p.getArray().size())
        .sum();
  }
}
