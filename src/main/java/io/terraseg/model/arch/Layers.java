package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The few layer shapes every component here is made of, set up the way torchvision sets them up.
 */
final class Layers {

  /**
   * DJL's Image.Interpolation.BILINEAR ordinal, which the PyTorch engine maps to torch's bilinear
   * mode.
   */
  private static final int BILINEAR = 1;

  private Layers() {}

  /** A square convolution padded to keep the size at stride 1, as torchvision pads them. */
  static Conv2d conv(int out, int kernel, int stride, int dilation, int groups, boolean bias) {
    int pad = dilation * (kernel - 1) / 2;
    return Conv2d.builder()
        .setFilters(out)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad))
        .optDilation(new Shape(dilation, dilation))
        .optGroups(groups)
        .optBias(bias)
        .build();
  }

  static Conv2d conv(int out, int kernel) {
    return conv(out, kernel, 1, 1, 1, false);
  }

  /**
   * torchvision's BatchNorm2d defaults; DJL counts momentum from the other side (0.9 here is
   * torch's 0.1).
   */
  static BatchNorm bn() {
    return bn(1e-5f);
  }

  /** BN with another epsilon, for networks ported from TensorFlow checkpoints. */
  static BatchNorm bn(float epsilon) {
    return BatchNorm.builder().optEpsilon(epsilon).optMomentum(0.9f).build();
  }

  static Block dropout(float rate) {
    return Dropout.builder().optRate(rate).build();
  }

  /** Conv, BN, ReLU: torch names {@code .0.weight}, {@code .1.*}. */
  static SequentialBlock convBnRelu(int out, int kernel, int dilation) {
    return new SequentialBlock()
        .add(conv(out, kernel, 1, dilation, 1, false))
        .add(bn())
        .add(Activation.reluBlock());
  }

  /**
   * DeepLabv3+'s atrous separable conv: a depthwise 3×3 atrous conv and a pointwise 1×1 conv, each
   * followed by BN and ReLU (torch names .0, .1, .3, .4).
   */
  static SequentialBlock separable(int in, int out, int dilation) {
    return new SequentialBlock()
        .add(conv(in, 3, 1, dilation, in, false))
        .add(bn())
        .add(Activation.reluBlock())
        .add(conv(out, 1))
        .add(bn())
        .add(Activation.reluBlock());
  }

  /**
   * Bilinear resize with align_corners=False, torch's F.interpolate default and DJL's only choice.
   */
  static NDArray resize(NDArray x, long height, long width) {
    Shape s = x.getShape();
    if (s.get(2) == height && s.get(3) == width) {
      return x;
    }
    return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
  }

  static Shape resized(Shape s, long height, long width) {
    return new Shape(s.get(0), s.get(1), height, width);
  }

  static NDArray apply(
      Block block,
      ParameterStore ps,
      NDArray x,
      boolean training,
      PairList<String, Object> params) {
    return block.forward(ps, new NDList(x), training, params).singletonOrThrow();
  }

  /**
   * One pass over a block's children that either only infers shapes or also initializes each child
   * on the way, so that a composite block writes its data flow once for both {@code
   * getOutputShapes} and {@code initializeChildBlocks}.
   */
  record Walk(NDManager manager, DataType type) {
    static final Walk SHAPES_ONLY = new Walk(null, null);

    Shape[] through(Block block, Shape... in) {
      if (manager != null) {
        block.initialize(manager, type, in);
      }
      return block.getOutputShapes(in);
    }

    Shape one(Block block, Shape in) {
      return through(block, in)[0];
    }
  }
}
