package io.terraseg.model.arch;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;

/** Test and benchmark helper: trainable parameters and multiply-adds of a network. */
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

  /**
   * Multiply-adds (MACs) of one forward pass of {@code block} on an input of shape {@code input},
   * found from shapes alone: the block need not be initialized, and nothing runs but the shape
   * inference of DJL's lambda blocks. Counted, without bias: convolutions (dense, grouped,
   * depthwise, dilated alike: output elements × input channels / groups × kernel height × width),
   * FCN's transposed convolutions as torch's {@code ConvTranspose2d} does the arithmetic (input
   * elements × output channels × kernel area; TerraSeg runs it as a 2×2 convolution over the input
   * padded by one, which costs (H + 1)(W + 1) / HW as much), linear layers, and EncNet's Encoding
   * layer (its two matrix products, 2 · HW · K · C). Not counted, as small next to the
   * convolutions: BN, activations, pooling, bilinear interpolation (even where it runs as matrix
   * products, {@link Layers#resize}), the channel attention's scaling, concatenation, softmax.
   * EncNet's SE-loss layer ({@code selayer}, 512 × classes MACs) is counted though its output takes
   * no part in the logits. A block with weights or children that no rule here covers is an error,
   * not a silent zero.
   */
  static long multiplyAdds(Block block, Shape input) {
    MultiplyAdds walk = new MultiplyAdds();
    walk.through(block, input);
    return walk.total;
  }

  /** Follows each composite block's own data flow ({@link CompositeBlock#walk}) down to layers. */
  private static final class MultiplyAdds extends Layers.Walk {
    long total;

    @Override
    Shape[] through(Block block, Shape... in) {
      if (block instanceof CompositeBlock composite) {
        return composite.walk(this, in);
      }
      if (block instanceof SequentialBlock) {
        Shape[] x = in;
        for (Block child : block.getChildren().values()) {
          x = through(child, x);
        }
        // The block's own answer: Vgg, a SequentialBlock, returns three of its children's outputs.
        return block.getOutputShapes(in);
      }
      if (block instanceof ParallelBlock) {
        for (Block child : block.getChildren().values()) {
          through(child, in);
        }
        return block.getOutputShapes(in);
      }
      if (!block.getChildren().isEmpty()) {
        throw new IllegalArgumentException("no multiply-add rule for " + block.getClass());
      }
      Shape[] out = block.getOutputShapes(in);
      total += layer(block, in[0], out[0]);
      return out;
    }

    private static long layer(Block block, Shape in, Shape out) {
      if (block instanceof Conv2d conv) {
        Shape kernel = conv.getKernelShape();
        return out.size() * (in.get(1) / conv.getGroups()) * kernel.get(0) * kernel.get(1);
      }
      if (block instanceof Linear) {
        return in.size() * out.get(out.dimension() - 1);
      }
      if (block instanceof Upsampling) {
        Shape weight = block.getParameters().get("weight").getShape();
        return in.size() * weight.get(1) * weight.get(2) * weight.get(3);
      }
      if (block instanceof EncHead.Encoding) {
        // in N×C×H×W, out N×K×C: distances to the codewords, then the weighted aggregation.
        return 2 * in.size() * out.get(1);
      }
      if (block instanceof BatchNorm || block.getParameters().isEmpty()) {
        return 0;
      }
      throw new IllegalArgumentException("no multiply-add rule for " + block.getClass());
    }
  }
}
