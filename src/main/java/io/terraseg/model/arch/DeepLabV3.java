package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torchvision's {@code deeplabv3_resnet*(aux_loss=False)}: dilated ResNet, then {@code classifier}
 * = DeepLabHead (ASPP, 3×3 conv, BN, ReLU, 1×1 classifier), logits resized to the input. Its state
 * dict loads as-is, which is what lets the whole stack be checked against PyTorch.
 */
final class DeepLabV3 extends CompositeBlock {

  private final ResNet backbone;
  private final SequentialBlock classifier;

  DeepLabV3(String backboneName, int outputStride, int numClasses) {
    backbone = addChildBlock("backbone", new ResNet(backboneName, outputStride));
    classifier =
        addChildBlock("classifier", head(backbone.channels()[3], outputStride, numClasses));
  }

  /**
   * torchvision's DeepLabHead: {@code 0} ASPP (dropout 0.5), {@code 1} 3×3 conv, {@code 2} BN,
   * {@code 4} classifier. FastFCN's {@code aspp} head reuses it so that JPU and dilation compare
   * with the same head.
   */
  static SequentialBlock head(int inChannels, int outputStride, int numClasses) {
    return new SequentialBlock()
        .add(new Aspp(inChannels, outputStride, false, 0.5f))
        .add(Layers.conv(Aspp.CHANNELS, 3))
        .add(Layers.bn())
        .add(Activation.reluBlock())
        .add(Layers.conv(numClasses, 1, 1, 1, 1, true));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray features = backbone.forward(ps, inputs, training, params).get(3);
    NDArray logits = Layers.apply(classifier, ps, features, training, params);
    return new NDList(Layers.resize(logits, x.getShape().get(2), x.getShape().get(3)));
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    Shape input = inputs[0];
    Shape logits = walk.one(classifier, walk.through(backbone, input)[3]);
    return new Shape[] {Layers.resized(logits, input.get(2), input.get(3))};
  }
}
