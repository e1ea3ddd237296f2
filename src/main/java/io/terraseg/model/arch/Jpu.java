package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Joint Pyramid Upsampling (FastFCN, Wu et al. 2019, Fig. 4): instead of dilating the backbone,
 * take its stride-8/16/32 stages, bring each to 512 channels (3×3 conv, BN, ReLU), upsample them to
 * the stride-8 size and concatenate (1536); four depthwise-separable 3×3 convs with dilations 1, 2,
 * 4, 8 (512 each, BN, ReLU) then extract multi-scale context at stride 8, concatenated to 2048
 * channels.
 *
 * <p>Tensor names are the FastFCN reference code's: {@code conv5} (stage 4), {@code conv4}, {@code
 * conv3} (stage 2), each {@code .0} conv, {@code .1} BN; {@code dilation1-4}: {@code .0.conv1}
 * depthwise, {@code .0.bn} BN, {@code .0.pointwise} pointwise, {@code .1} BN. Upsampling uses
 * align_corners=False, as mmsegmentation's JPU does.
 */
final class Jpu extends CompositeBlock {

  static final int WIDTH = 512;
  static final int[] DILATIONS = {1, 2, 4, 8};

  private final SequentialBlock conv5;
  private final SequentialBlock conv4;
  private final SequentialBlock conv3;
  private final List<SequentialBlock> dilations = new ArrayList<>();

  Jpu() {
    conv5 = addChildBlock("conv5", Layers.convBnRelu(WIDTH, 3, 1));
    conv4 = addChildBlock("conv4", Layers.convBnRelu(WIDTH, 3, 1));
    conv3 = addChildBlock("conv3", Layers.convBnRelu(WIDTH, 3, 1));
    for (int i = 0; i < DILATIONS.length; i++) {
      dilations.add(
          addChildBlock(
              "dilation" + (i + 1),
              new SequentialBlock()
                  .add(new SeparableConv2d(3 * WIDTH, WIDTH, DILATIONS[i]))
                  .add(Layers.bn())
                  .add(Activation.reluBlock())));
    }
  }

  static int outChannels() {
    return WIDTH * DILATIONS.length;
  }

  /**
   * Input: backbone stages 2, 3, 4; output: one stride-8 map of {@link #outChannels()} channels.
   */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray s3 = Layers.apply(conv3, ps, inputs.get(0), training, params);
    long h = s3.getShape().get(2);
    long w = s3.getShape().get(3);
    NDArray s4 = Layers.resize(Layers.apply(conv4, ps, inputs.get(1), training, params), h, w);
    NDArray s5 = Layers.resize(Layers.apply(conv5, ps, inputs.get(2), training, params), h, w);
    NDArray joint = NDArrays.concat(new NDList(s5, s4, s3), 1);
    NDList scales = new NDList(dilations.size());
    for (SequentialBlock dilation : dilations) {
      scales.add(Layers.apply(dilation, ps, joint, training, params));
    }
    return new NDList(NDArrays.concat(scales, 1));
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] stages) {
    Shape s3 = walk.one(conv3, stages[0]);
    walk.one(conv4, stages[1]);
    walk.one(conv5, stages[2]);
    Shape joint = new Shape(s3.get(0), 3 * WIDTH, s3.get(2), s3.get(3));
    for (SequentialBlock dilation : dilations) {
      walk.one(dilation, joint);
    }
    return new Shape[] {new Shape(s3.get(0), outChannels(), s3.get(2), s3.get(3))};
  }

  /**
   * The reference's separable conv: a depthwise 3×3 atrous conv, BN and a pointwise 1×1 conv, with
   * no ReLU between them (unlike DeepLabv3+'s {@link Layers#separable}); a block of its own so that
   * its tensors carry the reference's names.
   */
  static final class SeparableConv2d extends CompositeBlock {
    private final Conv2d conv1;
    private final BatchNorm bn;
    private final Conv2d pointwise;

    SeparableConv2d(int in, int out, int dilation) {
      conv1 = addChildBlock("conv1", Layers.conv(in, 3, 1, dilation, in, false));
      bn = addChildBlock("bn", Layers.bn());
      pointwise = addChildBlock("pointwise", Layers.conv(out, 1));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = Layers.apply(conv1, ps, inputs.singletonOrThrow(), training, params);
      x = Layers.apply(bn, ps, x, training, params);
      return new NDList(Layers.apply(pointwise, ps, x, training, params));
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      return new Shape[] {walk.one(pointwise, walk.one(bn, walk.one(conv1, inputs[0])))};
    }
  }
}
