package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * FCN's learned upsampling ×f of K class maps (the paper's "deconvolution"): torch's {@code
 * ConvTranspose2d(K, K, 2f, stride=f, bias=False)}, its {@code weight} in torch's layout (in, out,
 * 2f, 2f), initialized to bilinear interpolation as the paper does. An n-pixel map becomes (n + 1)f
 * pixels, as in torch; {@link Fcn} crops it.
 *
 * <p>DJL's PyTorch engine does not implement transposed convolution, so it runs as the ordinary one
 * it equals: output pixel qf + r (r &lt; f) takes input pixel q through kernel tap r and pixel q −
 * 1 through tap r + f, so one 2×2 convolution over the input padded by 1 computes every phase r, s
 * as K·f² channels, and depth-to-space interleaves them. Same arithmetic as torch's, and
 * differentiable, so the weights train.
 */
final class Upsampling extends AbstractBlock {

  private final int factor;
  private final Parameter weight;

  Upsampling(int classes, int factor) {
    this.factor = factor;
    weight =
        addParameter(
            Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(classes, classes, 2L * factor, 2L * factor))
                .optInitializer(bilinear(factor))
                .build());
  }

  int factor() {
    return factor;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    return new NDList(transposedConv(x, ps.getValue(weight, x.getDevice(), training), factor));
  }

  /** torch's {@code conv_transpose2d(x, weight, stride=factor)} for a 2·factor kernel. */
  static NDArray transposedConv(NDArray x, NDArray weight, int factor) {
    long in = weight.getShape().get(0);
    long out = weight.getShape().get(1);
    // weight[i, o, a·f + r, b·f + s] applies to input pixel (q − a, p − b) of output (qf + r, pf +
    // s); over the input padded by 1 that pixel sits at kernel position (1 − a, 1 − b).
    NDArray kernel =
        weight
            .reshape(in, out, 2, factor, 2, factor)
            .flip(2, 4)
            .transpose(1, 3, 5, 0, 2, 4)
            .reshape(out * factor * factor, in, 2, 2);
    NDArray phases =
        Conv2d.conv2d(x, kernel, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
    Shape s = phases.getShape();
    return phases
        .reshape(s.get(0), out, factor, factor, s.get(2), s.get(3))
        .transpose(0, 1, 4, 2, 5, 3)
        .reshape(s.get(0), out, s.get(2) * factor, s.get(3) * factor);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    Shape x = inputs[0];
    return new Shape[] {
      new Shape(
          x.get(0), weight.getShape().get(1), (x.get(2) + 1) * factor, (x.get(3) + 1) * factor)
    };
  }

  /**
   * The paper's initialization (Caffe's "bilinear" filler): class c to class c through the
   * separable tent (1 − |i − (f − ½)| / f)(1 − |j − (f − ½)| / f), i, j &lt; 2f; nothing between
   * different classes.
   */
  static Initializer bilinear(int factor) {
    return (manager, shape, type) -> {
      int classes = Math.toIntExact(shape.get(0));
      int kernel = 2 * factor;
      try (NDManager scratch = manager.newSubManager()) {
        NDArray tent =
            scratch.arange(kernel).toType(type, false).sub(factor - 0.5f).abs().div(factor);
        tent = tent.neg().add(1);
        NDArray tents = tent.reshape(kernel, 1).mul(tent.reshape(1, kernel));
        NDArray weight =
            scratch
                .eye(classes)
                .toType(type, false)
                .reshape(classes, classes, 1, 1)
                .mul(tents.reshape(1, 1, kernel, kernel));
        weight.attach(manager);
        return weight;
      }
    };
  }
}
