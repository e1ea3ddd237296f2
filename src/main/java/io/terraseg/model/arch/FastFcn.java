package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * FastFCN (Wu et al. 2019): the backbone keeps its strides (output stride 32, cheap) and the {@link
 * Jpu} recovers stride-8 features from stages 2–4; a segmentation head then runs on them.
 *
 * <p>Heads: {@code aspp} is {@link DeepLabV3#head} (as mmsegmentation's FastFCN pairs JPU with
 * ASPP), {@code fcn} is two 3×3 conv-BN-ReLU of 512 and a 1×1 classifier ({@code head.0}, {@code
 * .1}, {@code .3}, {@code .4}, {@code .7}). Tensor names: {@code backbone.*}, {@code jpu.*}, {@code
 * head.*}.
 *
 * <p>{@link #dilatedBaseline} is the paper's DilatedFCN: the same head on a backbone dilated to
 * output stride 8 and no JPU — what the speed claim is measured against.
 */
final class FastFcn extends CompositeBlock {

  static final int FCN_CHANNELS = 512;

  private final ResNet backbone;
  private final Jpu jpu;
  private final SequentialBlock head;

  private FastFcn(ResNet backbone, Jpu jpu, String headName, int headInChannels, int numClasses) {
    this.backbone = addChildBlock("backbone", backbone);
    this.jpu = jpu == null ? null : addChildBlock("jpu", jpu);
    this.head = addChildBlock("head", head(headName, headInChannels, numClasses));
  }

  FastFcn(String backboneName, String headName, int numClasses) {
    this(new ResNet(backboneName, 32), new Jpu(), headName, Jpu.outChannels(), numClasses);
  }

  static FastFcn dilatedBaseline(String backboneName, String headName, int numClasses) {
    ResNet dilated = new ResNet(backboneName, 8);
    return new FastFcn(dilated, null, headName, dilated.channels()[3], numClasses);
  }

  private static SequentialBlock head(String name, int inChannels, int numClasses) {
    return switch (name) {
      case "aspp" -> DeepLabV3.head(inChannels, 8, numClasses);
      case "fcn" ->
          new SequentialBlock()
              .add(Layers.conv(FCN_CHANNELS, 3))
              .add(Layers.bn())
              .add(Activation.reluBlock())
              .add(Layers.conv(FCN_CHANNELS, 3))
              .add(Layers.bn())
              .add(Activation.reluBlock())
              .add(Layers.dropout(0.1f))
              .add(Layers.conv(numClasses, 1, 1, 1, 1, true));
      default -> throw new IllegalArgumentException("unknown head " + name);
    };
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDList stages = backbone.forward(ps, inputs, training, params);
    NDArray features =
        jpu == null
            ? stages.get(3)
            : jpu.forward(
                    ps, new NDList(stages.get(1), stages.get(2), stages.get(3)), training, params)
                .singletonOrThrow();
    NDArray logits = Layers.apply(head, ps, features, training, params);
    return new NDList(Layers.resize(logits, x.getShape().get(2), x.getShape().get(3)));
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    Shape input = inputs[0];
    Shape[] stages = walk.through(backbone, input);
    Shape features =
        jpu == null ? stages[3] : walk.through(jpu, stages[1], stages[2], stages[3])[0];
    Shape logits = walk.one(head, features);
    return new Shape[] {Layers.resized(logits, input.get(2), input.get(3))};
  }
}
