package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
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
 * The aligned Xception-65 of DeepLabv3+ (Chen et al. 2018, Sec. 3.2 and Fig. 4): Xception with a
 * deeper middle flow (16 blocks), every max pooling replaced by a depthwise-separable conv with
 * stride 2 (so that any stride can become an atrous rate), and BN after every depthwise conv.
 *
 * <p>Layout and tensor names are timm's {@code xception65} (timm/models/xception_aligned.py, a port
 * of DeepLab's TensorFlow {@code xception_65}), so its state dict loads under {@code backbone.}:
 *
 * <ul>
 *   <li>{@code stem.0}, {@code stem.1}: 3×3 convs to 32 (stride 2) and 64 channels, each {@code
 *       .conv} + {@code .bn} + ReLU (timm's ConvNormAct).
 *   <li>{@code blocks.0-20}: {@link XceptionModule}s. Entry flow {@code 0-2}, middle flow {@code
 *       3-18}, exit flow {@code 19-20}. Each has {@code .stack.conv1-3}, separable convs made of
 *       {@code .conv_dw} (depthwise 3×3), {@code .bn_dw}, {@code .conv_pw} (pointwise 1×1), {@code
 *       .bn_pw}; and {@code .shortcut.conv} / {@code .shortcut.bn} (1×1 conv, BN) where the block
 *       changes the shape ({@code 0-2} and {@code 19}).
 * </ul>
 *
 * Left out: timm's {@code head} (global pooling and the ImageNet classifier {@code head.fc}):
 * segmentation needs the dense 2048-channel exit-flow features, which DeepLabv3+'s ASPP takes. timm
 * has nothing else to drop: the original Xception's closing separable convs (its {@code conv3},
 * {@code conv4}) are the exit flow's last block here.
 *
 * <p>Activations follow the released network (DeepLab's {@code xception_65}, timm) where the
 * paper's text says "extra batch normalization and ReLU after each 3×3 depthwise convolution":
 * blocks 0–19 run ReLU, depthwise, BN, pointwise, BN in each separable conv (the ReLU comes before
 * the depthwise conv, not after its BN); only block 20 has BN + ReLU after both halves. That is how
 * the published weights were trained.
 *
 * <p>Output stride, as DeepLab's TensorFlow code and timm reach it: a block whose stride would take
 * the features past the output stride keeps stride 1 and the blocks after it dilate their depthwise
 * convs by that stride. At 16 the exit flow's second block has rate 2; at 8 the entry flow's third
 * block keeps stride 8, the middle flow and the exit flow's first block have rate 2 and its second
 * rate 4.
 *
 * <p>Forward returns (1) the decoder's low-level features: block 1's activations just before its
 * strided conv, 256 channels at stride 4 (timm's feature tap {@code blocks.1.stack.act3}; DeepLab's
 * TensorFlow decoder reads the same conv's output before that ReLU), and (2) the exit flow's
 * output, 2048 channels at the output stride.
 */
final class Xception extends Backbone {

  static final String NAME = "xception65";

  /** timm's xception65 BN epsilon, that of DeepLab's TensorFlow checkpoints. */
  private static final float BN_EPS = 1e-3f;

  private static final int MIDDLE_FLOW_BLOCKS = 16;

  /** The entry-flow block whose activations before its strided conv feed the decoder. */
  private static final int LOW_LEVEL_BLOCK = 1;

  private final SequentialBlock stem;
  private final List<XceptionModule> entryFlow = new ArrayList<>();
  private final List<XceptionModule> middleFlow = new ArrayList<>();
  private final List<XceptionModule> exitFlow = new ArrayList<>();
  private final int[] channels;

  Xception(int outputStride) {
    stem =
        addChildBlock(
            "stem",
            new SequentialBlock().add(new ConvBn(32, 3, 2, true)).add(new ConvBn(64, 3, 1, true)));
    Strides strides = new Strides(outputStride, 2);
    // Entry flow: each block ends in a stride-2 separable conv where Xception had max pooling.
    entryFlow.add(strides.block(64, new int[] {128, 128, 128}, 2, true));
    entryFlow.add(strides.block(128, new int[] {256, 256, 256}, 2, true));
    entryFlow.add(strides.block(256, new int[] {728, 728, 728}, 2, true));
    // Middle flow: identity shortcuts.
    for (int i = 0; i < MIDDLE_FLOW_BLOCKS; i++) {
      middleFlow.add(strides.block(728, new int[] {728, 728, 728}, 1, true));
    }
    // Exit flow: a strided block, then three separable convs with ReLU inside and no shortcut.
    exitFlow.add(strides.block(728, new int[] {728, 1024, 1024}, 2, true));
    exitFlow.add(strides.block(1024, new int[] {1536, 1536, 2048}, 1, false));

    SequentialBlock blocks = new SequentialBlock();
    for (List<XceptionModule> flow : List.of(entryFlow, middleFlow, exitFlow)) {
      flow.forEach(blocks::add);
    }
    addChildBlock("blocks", blocks);
    channels = new int[] {entryFlow.get(LOW_LEVEL_BLOCK).stack.tapChannels(), exitFlow.get(1).out};
  }

  /** The low-level features' and the exit flow's channels: 256 and 2048. */
  @Override
  int[] channels() {
    return channels.clone();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = Layers.apply(stem, ps, inputs.singletonOrThrow(), training, params);
    NDArray lowLevel = null;
    for (int i = 0; i < entryFlow.size(); i++) {
      NDList out = entryFlow.get(i).forward(ps, new NDList(x), training, params);
      x = out.get(0);
      if (i == LOW_LEVEL_BLOCK) {
        lowLevel = out.get(1);
      }
    }
    for (XceptionModule block : middleFlow) {
      x = block.forward(ps, new NDList(x), training, params).get(0);
    }
    for (XceptionModule block : exitFlow) {
      x = block.forward(ps, new NDList(x), training, params).get(0);
    }
    return new NDList(lowLevel, x);
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    Shape x = walk.one(stem, inputs[0]);
    Shape lowLevel = null;
    for (int i = 0; i < entryFlow.size(); i++) {
      Shape[] out = walk.through(entryFlow.get(i), x);
      x = out[0];
      if (i == LOW_LEVEL_BLOCK) {
        lowLevel = out[1];
      }
    }
    for (XceptionModule block : middleFlow) {
      x = walk.one(block, x);
    }
    for (XceptionModule block : exitFlow) {
      x = walk.one(block, x);
    }
    return new Shape[] {lowLevel, x};
  }

  /**
   * Trades strides for atrous rates past the output stride, block by block, as timm's
   * XceptionAligned and DeepLab's {@code stack_blocks_dense} do: the block that would overshoot
   * keeps stride 1 at the current rate, the blocks after it take the multiplied rate.
   */
  private static final class Strides {
    private final int outputStride;
    private int stride;
    private int dilation = 1;

    Strides(int outputStride, int stemStride) {
      this.outputStride = outputStride;
      this.stride = stemStride;
    }

    /**
     * @param startWithRelu the entry and middle flows' layout (ReLU before each separable conv and
     *     a shortcut); false for the last exit-flow block (ReLU inside the convs, no shortcut)
     */
    XceptionModule block(int in, int[] out, int blockStride, boolean startWithRelu) {
      int blockDilation = dilation;
      if (stride * blockStride > outputStride) {
        dilation *= blockStride;
        blockStride = 1;
      } else {
        stride *= blockStride;
      }
      return new XceptionModule(in, out, blockStride, blockDilation, startWithRelu);
    }
  }

  /**
   * timm's XceptionModule: {@code stack}, three separable convs (the third carries the block's
   * stride), plus the input, through {@code shortcut} (1×1 conv + BN) where the shape changes;
   * without a start ReLU there is no shortcut (the exit flow's last block). Forward returns the
   * output and the activations the third separable conv reads.
   */
  static final class XceptionModule extends CompositeBlock {
    private final Stack stack;
    private final ConvBn shortcut;
    private final boolean residual;
    private final int out;

    XceptionModule(int in, int[] out, int stride, int dilation, boolean startWithRelu) {
      this.out = out[2];
      residual = startWithRelu;
      stack = addChildBlock("stack", new Stack(in, out, stride, dilation, startWithRelu));
      shortcut =
          residual && (in != this.out || stride != 1)
              ? addChildBlock("shortcut", new ConvBn(this.out, 1, stride, false))
              : null;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDList residualAndTap = stack.forward(ps, inputs, training, params);
      if (!residual) {
        return residualAndTap;
      }
      NDArray skip = shortcut == null ? x : Layers.apply(shortcut, ps, x, training, params);
      return new NDList(residualAndTap.get(0).add(skip), residualAndTap.get(1));
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      if (shortcut != null) {
        walk.one(shortcut, inputs[0]);
      }
      return walk.through(stack, inputs);
    }
  }

  /**
   * timm's {@code stack}: {@code conv1-3}, each preceded by a ReLU ({@code act1-3}, no parameters)
   * when the block starts with ReLU, or with ReLUs inside otherwise. Forward returns the output and
   * the third conv's input.
   */
  static final class Stack extends CompositeBlock {
    private final List<SeparableConv> convs = new ArrayList<>();
    private final boolean startWithRelu;
    private final int tapChannels;

    Stack(int in, int[] out, int stride, int dilation, boolean startWithRelu) {
      this.startWithRelu = startWithRelu;
      this.tapChannels = out[1];
      for (int i = 0; i < 3; i++) {
        convs.add(
            addChildBlock(
                "conv" + (i + 1),
                new SeparableConv(
                    i == 0 ? in : out[i - 1],
                    out[i],
                    i == 2 ? stride : 1,
                    dilation,
                    !startWithRelu)));
      }
    }

    int tapChannels() {
      return tapChannels;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray thirdInput = null;
      for (int i = 0; i < convs.size(); i++) {
        if (startWithRelu) {
          x = Activation.relu(x);
        }
        thirdInput = x;
        x = Layers.apply(convs.get(i), ps, x, training, params);
      }
      return new NDList(x, thirdInput);
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      Shape x = inputs[0];
      Shape thirdInput = null;
      for (SeparableConv conv : convs) {
        thirdInput = x;
        x = walk.one(conv, x);
      }
      return new Shape[] {x, thirdInput};
    }
  }

  /**
   * timm's SeparableConv2d: {@code conv_dw} (depthwise 3×3, strided or atrous), {@code bn_dw},
   * {@code conv_pw} (pointwise 1×1), {@code bn_pw}; a ReLU after each BN when {@code activations}.
   */
  static final class SeparableConv extends CompositeBlock {
    private final Conv2d convDw;
    private final BatchNorm bnDw;
    private final Conv2d convPw;
    private final BatchNorm bnPw;
    private final boolean activations;

    SeparableConv(int in, int out, int stride, int dilation, boolean activations) {
      this.activations = activations;
      convDw = addChildBlock("conv_dw", Layers.conv(in, 3, stride, dilation, in, false));
      bnDw = addChildBlock("bn_dw", Layers.bn(BN_EPS));
      convPw = addChildBlock("conv_pw", Layers.conv(out, 1));
      bnPw = addChildBlock("bn_pw", Layers.bn(BN_EPS));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      x = Layers.apply(bnDw, ps, Layers.apply(convDw, ps, x, training, params), training, params);
      if (activations) {
        x = Activation.relu(x);
      }
      x = Layers.apply(bnPw, ps, Layers.apply(convPw, ps, x, training, params), training, params);
      return new NDList(activations ? Activation.relu(x) : x);
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      return new Shape[] {
        walk.one(bnPw, walk.one(convPw, walk.one(bnDw, walk.one(convDw, inputs[0]))))
      };
    }
  }

  /** timm's ConvNormAct: {@code conv} (no bias), {@code bn}, ReLU unless it is a shortcut. */
  static final class ConvBn extends CompositeBlock {
    private final Conv2d conv;
    private final BatchNorm bn;
    private final boolean relu;

    ConvBn(int out, int kernel, int stride, boolean relu) {
      this.relu = relu;
      conv = addChildBlock("conv", Layers.conv(out, kernel, stride, 1, 1, false));
      bn = addChildBlock("bn", Layers.bn(BN_EPS));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x =
          Layers.apply(
              bn,
              ps,
              Layers.apply(conv, ps, inputs.singletonOrThrow(), training, params),
              training,
              params);
      return new NDList(relu ? Activation.relu(x) : x);
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      return new Shape[] {walk.one(bn, walk.one(conv, inputs[0]))};
    }
  }
}
