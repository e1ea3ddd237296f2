package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Atrous Spatial Pyramid Pooling (DeepLabv3, Chen et al. 2017): a 1×1 conv, three 3×3 atrous convs
 * and image pooling in parallel, 256 channels each, concatenated and projected back to 256 by a 1×1
 * conv. torchvision's names: {@code convs.0.0} (1×1), {@code convs.1-3} (atrous), {@code convs.4.1}
 * (pooling conv; {@code convs.4.0} is the pooling itself), {@code project.0}; each conv followed by
 * its BN.
 */
final class Aspp extends CompositeBlock {

  static final int CHANNELS = 256;

  private final ParallelBlock convs;
  private final SequentialBlock project;

  /**
   * @param separable DeepLabv3+'s depthwise-separable atrous convs instead of torchvision's plain
   *     ones
   * @param dropout after the projection: torchvision uses 0.5, the DeepLabv3+ reference code 0.1
   */
  Aspp(int inChannels, int outputStride, boolean separable, float dropout) {
    List<Block> branches = new ArrayList<>();
    branches.add(Layers.convBnRelu(CHANNELS, 1, 1));
    for (int rate : rates(outputStride)) {
      branches.add(
          separable
              ? Layers.separable(inChannels, CHANNELS, rate)
              : Layers.convBnRelu(CHANNELS, 3, rate));
    }
    branches.add(
        new SequentialBlock()
            .add(LambdaBlock.singleton(Aspp::imagePool, "imagePool"))
            .add(Layers.conv(CHANNELS, 1))
            .add(Layers.bn())
            .add(Activation.reluBlock()));
    convs = addChildBlock("convs", new ParallelBlock(Aspp::concat, branches));
    project =
        addChildBlock(
            "project",
            new SequentialBlock()
                .add(Layers.conv(CHANNELS, 1))
                .add(Layers.bn())
                .add(Activation.reluBlock())
                .add(Layers.dropout(dropout)));
  }

  /**
   * The papers' rates: 6/12/18 at output stride 16, doubled at 8 to cover the same field of view.
   */
  static int[] rates(int outputStride) {
    return outputStride == 16 ? new int[] {6, 12, 18} : new int[] {12, 24, 36};
  }

  /** torch's AdaptiveAvgPool2d(1): N×C×1×1, where DJL's global pooling drops the two unit axes. */
  private static NDArray imagePool(NDArray x) {
    Shape s = x.getShape();
    return Pool.globalAvgPool2d(x).reshape(s.get(0), s.get(1), 1, 1);
  }

  /** The pooled branch is 1×1, and bilinear upsampling of a single value is a broadcast. */
  private static NDList concat(List<NDList> branches) {
    Shape full = branches.get(0).singletonOrThrow().getShape();
    NDList parts = new NDList(branches.size());
    for (NDList branch : branches) {
      NDArray a = branch.singletonOrThrow();
      parts.add(a.getShape().equals(full) ? a : a.broadcast(full));
    }
    return new NDList(NDArrays.concat(parts, 1));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return project.forward(ps, convs.forward(ps, inputs, training, params), training, params);
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] input) {
    return walk.through(project, walk.through(convs, input));
  }
}
