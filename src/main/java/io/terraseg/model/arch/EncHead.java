package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * EncNet's head (Zhang et al. 2018, Fig. 2) as the FastFCN reference code's EncHead builds it on
 * the JPU's features: a 1×1 conv to 512 channels, BN, ReLU; the Context Encoding Module, which
 * scales each channel by 1 + γ, γ predicted from the whole image's encoded context; dropout 0.1 and
 * a 1×1 classifier.
 *
 * <p>Tensor names are the reference's: {@code conv5.0/1} (conv, BN), {@code encmodule.*} (see
 * {@link EncModule}), {@code conv6.1} (classifier, with bias; {@code conv6.0} is the dropout, the
 * reference's channel-wise Dropout2d, the identity at inference). The reference's conv5 is 1×1
 * where the head sits on a JPU, as here, and 3×3 only on a dilated backbone without one; FastFCN's
 * published EncNet weights were trained with the JPU.
 */
final class EncHead extends CompositeBlock {

  static final int WIDTH = 512;
  static final int CODEWORDS = 32;

  private final SequentialBlock conv5;
  private final EncModule encmodule;
  private final SequentialBlock conv6;

  EncHead(int numClasses) {
    this(numClasses, 1);
  }

  /** {@code conv5Kernel} 3: the reference's EncHead on a dilated backbone without a JPU. */
  EncHead(int numClasses, int conv5Kernel) {
    conv5 = addChildBlock("conv5", Layers.convBnRelu(WIDTH, conv5Kernel, 1));
    encmodule = addChildBlock("encmodule", new EncModule(WIDTH, CODEWORDS, numClasses));
    conv6 =
        addChildBlock(
            "conv6",
            new SequentialBlock()
                .add(Layers.dropout(0.1f))
                .add(Layers.conv(numClasses, 1, 1, 1, 1, true)));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray features = Layers.apply(conv5, ps, inputs.singletonOrThrow(), training, params);
    NDArray highlighted = Layers.apply(encmodule, ps, features, training, params);
    return new NDList(Layers.apply(conv6, ps, highlighted, training, params));
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    return new Shape[] {walk.one(conv6, walk.one(encmodule, walk.one(conv5, inputs[0])))};
  }

  /**
   * The Context Encoding Module (Fig. 2, centre): a 1×1 conv, BN and ReLU, the {@link Encoding}
   * layer, BN over the codewords, ReLU and the mean over the codewords give one C-vector of context
   * per image ({@code encoding.0/1}: conv, BN; {@code encoding.3.codewords/scale}; {@code
   * encoding.4}: BatchNorm1d of the K codewords). A fully connected layer and a sigmoid turn it
   * into the channel attention γ ({@code fc.0}, with bias), and the feature map becomes x·(1 + γ).
   *
   * <p>{@code selayer} (C → classes, with bias) is the SE-loss branch: in training it predicts
   * which classes appear in the image, from the same context vector. It is in the state dict so
   * that reference checkpoints load and a training job can use it; it does not take part in the
   * logits. The reference ends with a ReLU of x·(1 + γ), the identity here: x comes out of a ReLU
   * and 1 + γ is positive.
   */
  static final class EncModule extends CompositeBlock {

    private final SequentialBlock encoding;
    private final SequentialBlock fc;
    private final Linear selayer;

    EncModule(int channels, int codewords, int numClasses) {
      encoding =
          addChildBlock(
              "encoding",
              new SequentialBlock()
                  .add(Layers.conv(channels, 1))
                  .add(Layers.bn())
                  .add(Activation.reluBlock())
                  .add(new Encoding(channels, codewords))
                  .add(Layers.bn())
                  .add(Activation.reluBlock())
                  .add(LambdaBlock.singleton(e -> e.mean(new int[] {1}), "meanOverCodewords")));
      fc =
          addChildBlock(
              "fc",
              new SequentialBlock()
                  .add(Linear.builder().setUnits(channels).build())
                  .add(Activation.sigmoidBlock()));
      selayer = addChildBlock("selayer", Linear.builder().setUnits(numClasses).build());
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray context = Layers.apply(encoding, ps, x, training, params);
      NDArray gamma = Layers.apply(fc, ps, context, training, params);
      Shape s = x.getShape();
      return new NDList(x.mul(gamma.reshape(s.get(0), s.get(1), 1, 1).add(1)));
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      Shape context = walk.one(encoding, inputs[0]);
      walk.one(fc, context);
      walk.one(selayer, context);
      return inputs;
    }
  }

  /**
   * The Encoding layer (Zhang et al. 2017, Deep TEN; EncNet Sec. 3.1): the H·W feature vectors x_i
   * of an image are softly assigned to K learned codewords d_k, with weights a_ik = softmax_k(s_k
   * ‖x_i − d_k‖²) (the smoothing factors s_k start negative), and each codeword aggregates its
   * residuals, e_k = Σ_i a_ik (x_i − d_k): N×C×H×W in, N×K×C out. Tensors {@code codewords} (K×C)
   * and {@code scale} (K), the reference's names and initial ranges.
   *
   * <p>The squared distance is expanded as ‖x‖² − 2x·d + ‖d‖² and the aggregation as Σ a x − (Σ a)
   * d, two matrix products instead of the reference's N×HW×K×C tensor of residuals (268 MB per 512²
   * tile); ArchitectureEquivalenceTest holds the two to the same logits.
   */
  static final class Encoding extends AbstractBlock {

    private final int codes;
    private final Parameter codewords;
    private final Parameter scale;

    Encoding(int channels, int codes) {
      this.codes = codes;
      float range = (float) (1 / Math.sqrt(codes * channels));
      codewords =
          addParameter(
              Parameter.builder()
                  .setName("codewords")
                  .setType(Parameter.Type.OTHER)
                  .optShape(new Shape(codes, channels))
                  .optInitializer((m, shape, type) -> m.randomUniform(-range, range, shape, type))
                  .build());
      scale =
          addParameter(
              Parameter.builder()
                  .setName("scale")
                  .setType(Parameter.Type.OTHER)
                  .optShape(new Shape(codes))
                  .optInitializer((m, shape, type) -> m.randomUniform(-1, 0, shape, type))
                  .build());
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      Shape s = x.getShape();
      NDArray d = ps.getValue(codewords, x.getDevice(), training);
      NDArray smoothing = ps.getValue(scale, x.getDevice(), training);
      NDArray features = x.reshape(s.get(0), s.get(1), -1).transpose(0, 2, 1); // N×HW×C
      NDArray distances =
          features
              .square()
              .sum(new int[] {2}, true)
              .sub(features.matMul(d.transpose()).mul(2))
              .add(d.square().sum(new int[] {1})); // N×HW×K
      NDArray assignment = distances.mul(smoothing).softmax(2);
      NDArray weighted = assignment.transpose(0, 2, 1).matMul(features); // N×K×C
      return new NDList(weighted.sub(assignment.sum(new int[] {1}).expandDims(2).mul(d)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
      return new Shape[] {new Shape(inputs[0].get(0), codes, inputs[0].get(1))};
    }
  }
}
