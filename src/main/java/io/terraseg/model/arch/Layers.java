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
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
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

  /** Bilinear resize with align_corners=False, torch's F.interpolate default. */
  static NDArray resize(NDArray x, long height, long width) {
    return resize(x, height, width, false);
  }

  /**
   * Bilinear resize; {@code alignCorners} as torch's F.interpolate takes it (true maps the corner
   * pixels' centres onto each other, the FastFCN reference code's choice).
   *
   * <p>align_corners=True cannot go through DJL 0.32: its {@code NDArrayEx.interpolation} passes
   * false to torch whatever it is given, and its native op called with true samples half a pixel
   * off (a 1×3 row 0, 1, 2 resized to 1×5 comes out 0, .25, .75, 1.25, 1.75, where torch gives 0,
   * .5, 1, 1.5, 2). Bilinear interpolation is linear and separable, so here it is two products with
   * {@link #alignedInterpolation} matrices: exact, differentiable, on any device.
   */
  static NDArray resize(NDArray x, long height, long width, boolean alignCorners) {
    Shape s = x.getShape();
    if (s.get(2) == height && s.get(3) == width) {
      return x;
    }
    if (!alignCorners) {
      return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
    }
    NDArray rows = alignedInterpolation(x, height, s.get(2));
    NDArray columns = alignedInterpolation(x, width, s.get(3));
    return rows.matMul(x).matMul(columns.transpose());
  }

  /**
   * The out×in matrix of 1-D linear interpolation with align_corners=True: output i samples input
   * position i·(in − 1)/(out − 1), weighting its two neighbours; on {@code like}'s device and type.
   */
  private static NDArray alignedInterpolation(NDArray like, long out, long in) {
    float[] weights = new float[Math.toIntExact(out * in)];
    double scale = out > 1 ? (in - 1) / (double) (out - 1) : 0;
    for (int i = 0; i < out; i++) {
      double source = i * scale;
      int left = (int) source;
      int right = (int) Math.min(left + 1, in - 1);
      double fraction = source - left;
      weights[(int) (i * in + left)] += (float) (1 - fraction);
      weights[(int) (i * in + right)] += (float) fraction;
    }
    return like.getManager().create(weights, new Shape(out, in)).toType(like.getDataType(), false);
  }

  /**
   * torch's {@code adaptive_avg_pool2d(x, bins)}: bin i of n covers [⌊i·n/bins⌋, ⌈(i+1)·n/bins⌉),
   * so where {@code bins} does not divide the size the windows are uneven and overlap, which no
   * avgPool with one kernel and stride reproduces. DJL's API has only the global case, so this
   * calls the PyTorch engine's op directly (the networks here run on that engine, {@link
   * Architectures#ENGINE}).
   */
  static NDArray adaptiveAvgPool(NDArray x, int bins) {
    return JniUtils.adaptiveAvgPool((PtNDArray) x, new Shape(bins, bins));
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
   * getOutputShapes} and {@code initializeChildBlocks}. A class, not a record, so that the
   * benchmark's multiply-add counter can follow the same data flow child by child.
   */
  static class Walk {
    static final Walk SHAPES_ONLY = new Walk();

    static Walk initializing(NDManager manager, DataType type) {
      return new Walk() {
        @Override
        Shape[] through(Block block, Shape... in) {
          block.initialize(manager, type, in);
          return super.through(block, in);
        }
      };
    }

    Shape[] through(Block block, Shape... in) {
      return block.getOutputShapes(in);
    }

    final Shape one(Block block, Shape in) {
      return through(block, in)[0];
    }
  }
}
