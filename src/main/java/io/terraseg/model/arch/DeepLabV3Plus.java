package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DeepLabv3+ (Chen et al. 2018, Fig. 2): the encoder is a dilated ResNet or the aligned Xception-65
 * ({@link Xception}) with a depthwise-separable ASPP; the decoder upsamples the ASPP output to the
 * stride-4 features, concatenates a 48-channel 1×1 projection of them (few channels, so the
 * low-level features do not outweigh the semantic ones), refines with two 3×3 separable convs of
 * 256 and classifies; logits are resized to the input.
 *
 * <p>Tensor names: {@code backbone.*} (torchvision's ResNet or timm's xception65), {@code aspp.*}
 * (see {@link Aspp}; atrous branches {@code aspp.convs.1-3} are separable: {@code .0} depthwise,
 * {@code .1} BN, {@code .3} pointwise, {@code .4} BN), {@code low_level.0} / {@code .1} (48-ch
 * conv, BN), {@code decoder.0} and {@code decoder.1} (separable, same indices), {@code
 * classifier.weight} / {@code .bias}.
 */
final class DeepLabV3Plus extends CompositeBlock {

  static final int LOW_LEVEL_CHANNELS = 48;

  private final Backbone backbone;
  private final Aspp aspp;
  private final SequentialBlock lowLevel;
  private final SequentialBlock decoder;
  private final Conv2d classifier;

  DeepLabV3Plus(String backboneName, int outputStride, int numClasses) {
    backbone =
        addChildBlock(
            "backbone",
            backboneName.equals(Xception.NAME)
                ? new Xception(outputStride)
                : new ResNet(backboneName, outputStride));
    int[] channels = backbone.channels();
    aspp = addChildBlock("aspp", new Aspp(channels[channels.length - 1], outputStride, true, 0.1f));
    lowLevel = addChildBlock("low_level", Layers.convBnRelu(LOW_LEVEL_CHANNELS, 1, 1));
    decoder =
        addChildBlock(
            "decoder",
            new SequentialBlock()
                .add(Layers.separable(Aspp.CHANNELS + LOW_LEVEL_CHANNELS, Aspp.CHANNELS, 1))
                .add(Layers.separable(Aspp.CHANNELS, Aspp.CHANNELS, 1)));
    classifier = addChildBlock("classifier", Layers.conv(numClasses, 1, 1, 1, 1, true));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDList stages = backbone.forward(ps, inputs, training, params);
    NDArray lowLevelFeatures = Layers.apply(lowLevel, ps, stages.get(0), training, params);
    Shape low = lowLevelFeatures.getShape();
    NDArray context =
        Layers.resize(
            Layers.apply(aspp, ps, stages.get(stages.size() - 1), training, params),
            low.get(2),
            low.get(3));
    NDArray fused =
        Layers.apply(
            decoder,
            ps,
            NDArrays.concat(new NDList(context, lowLevelFeatures), 1),
            training,
            params);
    NDArray logits = Layers.apply(classifier, ps, fused, training, params);
    return new NDList(Layers.resize(logits, x.getShape().get(2), x.getShape().get(3)));
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    Shape input = inputs[0];
    Shape[] stages = walk.through(backbone, input);
    Shape low = walk.one(lowLevel, stages[0]);
    Shape context = walk.one(aspp, stages[stages.length - 1]);
    Shape fusedIn = new Shape(low.get(0), context.get(1) + low.get(1), low.get(2), low.get(3));
    Shape logits = walk.one(classifier, walk.one(decoder, fusedIn));
    return new Shape[] {Layers.resized(logits, input.get(2), input.get(3))};
  }
}
