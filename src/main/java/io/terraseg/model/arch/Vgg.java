package io.terraseg.model.arch;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code vgg16().features} (Simonyan and Zisserman 2015, configuration D): five
 * stages of 3×3 convolutions with bias, each followed by a ReLU, closed by a 2×2 max pool. The
 * children are numbered as torchvision numbers them (convs 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24,
 * 26, 28; pools 4, 9, 16, 23, 30), so torchvision's {@code features.*} tensors load as they are.
 *
 * <p>Forward returns the outputs of pool3, pool4 and pool5 (strides 8, 16, 32): the maps FCN
 * scores. The pools round up, as Caffe's pooling and the FCN paper's nets do (torchvision's round
 * down): a map of n pixels pools to ⌈n/2⌉, so the last row and column of a tile of any size still
 * reach pool5, and a pooled map is never smaller than half the map before it — which lets {@link
 * Fcn} crop an upsampled map to the finer one instead of padding it.
 */
final class Vgg extends SequentialBlock {

  private static final int[][] STAGES = {
    {64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}
  };

  /** Channels of pool3, pool4, pool5. */
  static final int[] CHANNELS = {256, 512, 512};

  /** Child indices of pool3, pool4 and pool5, whose outputs forward returns. */
  private final List<Integer> returned = new ArrayList<>();

  Vgg() {
    for (int stage = 0; stage < STAGES.length; stage++) {
      for (int channels : STAGES[stage]) {
        add(Layers.conv(channels, 3, 1, 1, 1, true));
        add(Activation.reluBlock());
      }
      add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), true));
      if (stage >= 2) {
        returned.add(getChildren().size() - 1);
      }
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList pools = new NDList(returned.size());
    NDList x = inputs;
    List<Block> layers = getChildren().values();
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).forward(ps, x, training, params);
      if (returned.contains(i)) {
        pools.add(x.singletonOrThrow());
      }
    }
    return pools;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    List<Shape> pools = new ArrayList<>();
    Shape[] s = inputs;
    List<Block> layers = getChildren().values();
    for (int i = 0; i < layers.size(); i++) {
      s = layers.get(i).getOutputShapes(s);
      if (returned.contains(i)) {
        pools.add(s[0]);
      }
    }
    return pools.toArray(Shape[]::new);
  }
}
