package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * FastFCN (Wu et al. 2019): the backbone keeps its strides (output stride 32, cheap) and the {@link
 * Jpu} recovers stride-8 features from stages 2–4; a segmentation head then runs on them.
 *
 * <p>Heads: {@code aspp} is {@link DeepLabV3#head} (as mmsegmentation's FastFCN pairs JPU with
 * ASPP); {@code fcn} is the FCNHead of the FastFCN reference code and torchvision: a 3×3 conv to a
 * quarter of the input channels (512 on the JPU's 2048), BN, ReLU, dropout 0.1 and a 1×1
 * classifier, named as torchvision's FCNHead names them ({@code head.0} conv, {@code head.1} BN,
 * {@code head.4} classifier; the FastFCN reference wraps the same layers in {@code conv5}); {@code
 * enc} is EncNet's {@link EncHead} and {@code psp} PSPNet's {@link PspHead}, the two heads the
 * FastFCN paper pairs with the JPU besides ASPP, under the reference code's names. Tensor names:
 * {@code backbone.*}, {@code jpu.*}, {@code head.*}.
 */
final class FastFcn extends CompositeBlock {

  private final ResNet backbone;
  private final Jpu jpu;
  private final Block head;

  FastFcn(String backboneName, String headName, int numClasses) {
    backbone = addChildBlock("backbone", new ResNet(backboneName, 32));
    jpu = addChildBlock("jpu", new Jpu());
    head = addChildBlock("head", head(headName, Jpu.outChannels(), numClasses));
  }

  /** The head named {@code name} on {@code inChannels}-channel stride-8 features. */
  static Block head(String name, int inChannels, int numClasses) {
    return switch (name) {
      case "aspp" -> DeepLabV3.head(inChannels, 8, numClasses);
      case "enc" -> new EncHead(numClasses);
      case "psp" -> new PspHead(inChannels, numClasses);
      case "fcn" ->
          new SequentialBlock()
              .add(Layers.conv(inChannels / 4, 3))
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
        jpu.forward(ps, new NDList(stages.get(1), stages.get(2), stages.get(3)), training, params)
            .singletonOrThrow();
    NDArray logits = Layers.apply(head, ps, features, training, params);
    return new NDList(Layers.resize(logits, x.getShape().get(2), x.getShape().get(3)));
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    Shape input = inputs[0];
    Shape[] stages = walk.through(backbone, input);
    Shape features = walk.through(jpu, stages[1], stages[2], stages[3])[0];
    Shape logits = walk.one(head, features);
    return new Shape[] {Layers.resized(logits, input.get(2), input.get(3))};
  }
}
