package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * FCN-32s, FCN-16s and FCN-8s (Long, Shelhamer and Darrell 2015, Fig. 3) on {@link Vgg VGG-16}: fc6
 * and fc7 become convolutions, a 1×1 conv scores the classes on fc7 ({@code score_fr}), and the
 * scores are upsampled by learned transposed convolutions, the finer variants fusing scores of
 * pool4 and pool3 by summation on the way: FCN-32s ×32; FCN-16s ×2, + pool4, ×16; FCN-8s ×2, +
 * pool4, ×2, + pool3, ×8. The transposed convs ({@link Upsampling}) have no bias and start as
 * bilinear interpolation (the paper's initialization; training may change them).
 *
 * <p>Tiles of any size. The paper's Caffe nets pad the input by 100 pixels, so that the maps stay
 * large enough to be cropped to the input after fc6, an unpadded 7×7 conv, takes 6 cells off pool5;
 * their crop offsets fit that padding only (5, 9 and 31 for FCN-8s). TerraSeg pads fc6 by 3 instead
 * ("same") and crops each map upsampled ×f at f/2 to the size of the map it meets. The 100-pixel
 * border would make every layer run on (T + 200)² pixels, 3.2 times the work of a 256² tile, for
 * context that is all zeros, where the tiling's overlap already gives each core real context. And
 * f/2 puts the pixel centres of the upsampled map on those of the finer one (the bilinear kernel of
 * 2f peaks at f − ½), so fused maps and logits line up with the input at any size, a multiple of 32
 * or not: the pools round up, so an upsampled map is never smaller than the one it meets and the
 * crop only drops its surplus at the bottom and right.
 *
 * <p>Tensor names, as the paper's Caffe nets and their PyTorch ports (wkentaro/pytorch-fcn) name
 * the layers: {@code features.*} (torchvision's VGG-16), {@code fc6}, {@code fc7}, {@code
 * score_fr}, {@code score_pool4}, {@code score_pool3}, {@code upscore2}, {@code upscore_pool4}, and
 * the last upsampling {@code upscore8}, {@code upscore16} or {@code upscore} (FCN-32s).
 */
final class Fcn extends CompositeBlock {

  private static final float DROPOUT = 0.5f;

  private final int stride;
  private final Vgg features;
  private final Conv2d fc6;
  private final Conv2d fc7;
  private final Conv2d scoreFr;
  private final Conv2d scorePool4;
  private final Conv2d scorePool3;
  private final Upsampling upscore2;
  private final Upsampling upscorePool4;
  private final Upsampling upscore;

  /**
   * @param stride 32, 16 or 8: the stride of the finest scores fused, the number in the name
   */
  Fcn(int stride, int numClasses) {
    if (stride != 8 && stride != 16 && stride != 32) {
      throw new IllegalArgumentException("FCN comes as fcn8s, fcn16s or fcn32s, not " + stride);
    }
    this.stride = stride;
    features = addChildBlock("features", new Vgg());
    fc6 = addChildBlock("fc6", Layers.conv(4096, 7, 1, 1, 1, true));
    fc7 = addChildBlock("fc7", Layers.conv(4096, 1, 1, 1, 1, true));
    scoreFr = addChildBlock("score_fr", score(numClasses));
    scorePool4 = stride <= 16 ? addChildBlock("score_pool4", score(numClasses)) : null;
    scorePool3 = stride == 8 ? addChildBlock("score_pool3", score(numClasses)) : null;
    upscore2 = stride <= 16 ? addChildBlock("upscore2", new Upsampling(numClasses, 2)) : null;
    upscorePool4 =
        stride == 8 ? addChildBlock("upscore_pool4", new Upsampling(numClasses, 2)) : null;
    upscore =
        addChildBlock(
            stride == 32 ? "upscore" : "upscore" + stride, new Upsampling(numClasses, stride));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDList pools = features.forward(ps, inputs, training, params);
    NDArray pool3 = pools.get(0);
    NDArray pool4 = pools.get(1);
    NDArray pool5 = pools.get(2);
    NDArray h = fullyConnected(fc6, ps, pool5, training, params);
    h = fullyConnected(fc7, ps, h, training, params);
    NDArray score = Layers.apply(scoreFr, ps, h, training, params);
    if (stride <= 16) {
      score =
          upsample(upscore2, ps, score, pool4, training, params)
              .add(Layers.apply(scorePool4, ps, pool4, training, params));
    }
    if (stride == 8) {
      score =
          upsample(upscorePool4, ps, score, pool3, training, params)
              .add(Layers.apply(scorePool3, ps, pool3, training, params));
    }
    return new NDList(upsample(upscore, ps, score, x, training, params));
  }

  /** fc6 and fc7 as convolutions, each followed by ReLU and dropout as in VGG's classifier. */
  private static NDArray fullyConnected(
      Conv2d fc, ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
    NDArray h = Activation.relu(Layers.apply(fc, ps, x, training, params));
    return Dropout.dropout(h, DROPOUT, training).singletonOrThrow();
  }

  /** {@code score} upsampled ×f and cropped at f/2 to {@code like}'s height and width. */
  private static NDArray upsample(
      Upsampling up,
      ParameterStore ps,
      NDArray score,
      NDArray like,
      boolean training,
      PairList<String, Object> params) {
    return crop(Layers.apply(up, ps, score, training, params), up.factor(), like.getShape());
  }

  /**
   * The window of an upsampled map that lines up with a finer map of shape {@code like}: it starts
   * at factor/2, where the ×factor bilinear kernel puts the first input pixel's centre.
   */
  static NDArray crop(NDArray upsampled, int factor, Shape like) {
    long offset = factor / 2;
    return upsampled.get(
        new NDIndex(
            ":, :, {}:{}, {}:{}", offset, offset + like.get(2), offset, offset + like.get(3)));
  }

  private static Conv2d score(int numClasses) {
    return Layers.conv(numClasses, 1, 1, 1, 1, true);
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    Shape input = inputs[0];
    Shape[] pools = walk.through(features, input);
    Shape score = walk.one(scoreFr, walk.one(fc7, walk.one(fc6, pools[2])));
    if (stride <= 16) {
      walk.one(upscore2, score);
      score = walk.one(scorePool4, pools[1]);
    }
    if (stride == 8) {
      walk.one(upscorePool4, score);
      score = walk.one(scorePool3, pools[0]);
    }
    walk.one(upscore, score);
    return new Shape[] {Layers.resized(score, input.get(2), input.get(3))};
  }
}
