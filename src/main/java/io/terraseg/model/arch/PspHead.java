package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * PSPNet's head (Zhao et al. 2017, Fig. 3) as the FastFCN reference code's PSPHead builds it on the
 * JPU's features: the {@link PyramidPooling} module, then a 3×3 conv to a quarter of the input
 * channels, BN, ReLU, dropout 0.1 and a 1×1 classifier.
 *
 * <p>Tensor names are the reference's, all under one Sequential {@code conv5}: {@code
 * conv5.0.conv1-4.0/1} (the pyramid's 1×1 convs and BNs), {@code conv5.1} (3×3 conv), {@code
 * conv5.2} (BN), {@code conv5.5} (classifier, with bias); {@code conv5.3} is the ReLU and {@code
 * conv5.4} the dropout (the reference's Dropout2d drops whole channels; at inference both are the
 * identity).
 */
final class PspHead extends CompositeBlock {

  private final SequentialBlock conv5;

  PspHead(int inChannels, int numClasses) {
    int inter = inChannels / 4;
    conv5 =
        addChildBlock(
            "conv5",
            new SequentialBlock()
                .add(new PyramidPooling(inChannels))
                .add(Layers.conv(inter, 3))
                .add(Layers.bn())
                .add(Activation.reluBlock())
                .add(Layers.dropout(0.1f))
                .add(Layers.conv(numClasses, 1, 1, 1, 1, true)));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return conv5.forward(ps, inputs, training, params);
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    return walk.through(conv5, inputs);
  }

  /**
   * The pyramid pooling module (PSPNet, Fig. 3 (c)): the feature map averaged into 1×1, 2×2, 3×3
   * and 6×6 bins, each pyramid level brought to a quarter of the channels by a 1×1 conv, BN and
   * ReLU, upsampled back to the map's size and concatenated after the map itself (2× its channels).
   *
   * <p>Names {@code conv1-4} (the reference's; its {@code pool1-4} hold no tensors). Upsampling is
   * bilinear with align_corners=True, as the reference's {@code up_kwargs} set it, unlike this
   * package's other resizes (align_corners=False, mmsegmentation's choice): a state dict trained
   * with the reference sees its own interpolation here.
   */
  static final class PyramidPooling extends CompositeBlock {

    static final int[] BINS = {1, 2, 3, 6};

    private final List<SequentialBlock> convs = new ArrayList<>();

    PyramidPooling(int inChannels) {
      for (int i = 0; i < BINS.length; i++) {
        convs.add(addChildBlock("conv" + (i + 1), Layers.convBnRelu(inChannels / 4, 1, 1)));
      }
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      long h = x.getShape().get(2);
      long w = x.getShape().get(3);
      NDList levels = new NDList(x);
      for (int i = 0; i < BINS.length; i++) {
        NDArray pooled = Layers.adaptiveAvgPool(x, BINS[i]);
        NDArray level = Layers.apply(convs.get(i), ps, pooled, training, params);
        levels.add(Layers.resize(level, h, w, true));
      }
      return new NDList(NDArrays.concat(levels, 1));
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      Shape x = inputs[0];
      long channels = x.get(1);
      for (int i = 0; i < BINS.length; i++) {
        channels += walk.one(convs.get(i), new Shape(x.get(0), x.get(1), BINS[i], BINS[i])).get(1);
      }
      return new Shape[] {new Shape(x.get(0), channels, x.get(2), x.get(3))};
    }
  }
}
