package io.terraseg.model.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's ResNet (He et al. 2016) without avgpool/fc, with its parameter names ({@code
 * conv1}, {@code bn1}, {@code layer1.0.conv1}, {@code layer2.0.downsample.0} …) so torchvision
 * state dicts map onto it. DJL's ResNetV1 differs (biased 1×1 convs, bottlenecks in ResNet-18),
 * hence this class.
 *
 * <p>Forward returns the four stage outputs (strides 4, 8, 16, 32 before dilation): DeepLabv3+
 * needs the stride-4 features, FastFCN's JPU stages 2–4, DeepLabV3 the last.
 */
final class ResNet extends Backbone {

  private final Conv2d conv1;
  private final BatchNorm bn1;
  private final List<SequentialBlock> layers = new ArrayList<>();
  private final int[] channels = new int[4];

  /**
   * @param outputStride 32, 16 or 8: below 32 the last one or two stages trade their stride for
   *     dilation, torchvision's {@code replace_stride_with_dilation=[False, False|True, True]}
   */
  ResNet(String name, int outputStride) {
    boolean bottleneck;
    int[] depths;
    switch (name) {
      case "resnet18" -> {
        bottleneck = false;
        depths = new int[] {2, 2, 2, 2};
      }
      case "resnet34" -> {
        bottleneck = false;
        depths = new int[] {3, 4, 6, 3};
      }
      case "resnet50" -> {
        bottleneck = true;
        depths = new int[] {3, 4, 6, 3};
      }
      case "resnet101" -> {
        bottleneck = true;
        depths = new int[] {3, 4, 23, 3};
      }
      default -> throw new IllegalArgumentException("unknown backbone " + name);
    }
    boolean[] dilate = {false, false, outputStride <= 8, outputStride <= 16};
    conv1 = addChildBlock("conv1", Layers.conv(64, 7, 2, 1, 1, false));
    bn1 = addChildBlock("bn1", Layers.bn());
    int expansion = bottleneck ? 4 : 1;
    int inplanes = 64;
    int dilation = 1;
    for (int stage = 0; stage < 4; stage++) {
      int planes = 64 << stage;
      int stride = stage == 0 ? 1 : 2;
      int previousDilation = dilation;
      if (dilate[stage]) {
        dilation *= stride;
        stride = 1;
      }
      SequentialBlock layer = new SequentialBlock();
      // As in torchvision's _make_layer, the first unit of a dilated stage still uses the previous
      // dilation.
      layer.add(new Unit(bottleneck, inplanes, planes, stride, previousDilation));
      inplanes = planes * expansion;
      for (int i = 1; i < depths[stage]; i++) {
        layer.add(new Unit(bottleneck, inplanes, planes, 1, dilation));
      }
      layers.add(addChildBlock("layer" + (stage + 1), layer));
      channels[stage] = inplanes;
    }
  }

  /** Output channels of the four stages. */
  @Override
  int[] channels() {
    return channels.clone();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x =
        Layers.apply(
            bn1,
            ps,
            Layers.apply(conv1, ps, inputs.singletonOrThrow(), training, params),
            training,
            params);
    x = maxPool(Activation.relu(x));
    NDList stages = new NDList(4);
    for (SequentialBlock layer : layers) {
      x = Layers.apply(layer, ps, x, training, params);
      stages.add(x);
    }
    return stages;
  }

  private static NDArray maxPool(NDArray x) {
    return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
  }

  @Override
  Shape[] walk(Layers.Walk walk, Shape[] inputs) {
    Shape input = inputs[0];
    Shape s = walk.one(bn1, walk.one(conv1, input));
    s = Layers.resized(s, (s.get(2) - 1) / 2 + 1, (s.get(3) - 1) / 2 + 1);
    Shape[] stages = new Shape[4];
    for (int i = 0; i < 4; i++) {
      s = walk.one(layers.get(i), s);
      stages[i] = s;
    }
    return stages;
  }

  /**
   * torchvision's BasicBlock (two 3×3 convs) or Bottleneck (1×1, 3×3, 1×1 ×4), with the identity or
   * a {@code downsample} (1×1 conv + BN) shortcut. The Bottleneck dilates its 3×3 conv as
   * torchvision does; torchvision refuses dilation in BasicBlock, so a dilated ResNet-18/34 dilates
   * its first 3×3 conv as mmsegmentation's BasicBlock does.
   */
  static final class Unit extends CompositeBlock {
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<BatchNorm> bns = new ArrayList<>();
    private final SequentialBlock downsample;

    Unit(boolean bottleneck, int inplanes, int planes, int stride, int dilation) {
      int out = bottleneck ? planes * 4 : planes;
      List<Conv2d> layout =
          bottleneck
              ? List.of(
                  Layers.conv(planes, 1),
                  Layers.conv(planes, 3, stride, dilation, 1, false),
                  Layers.conv(out, 1))
              : List.of(Layers.conv(planes, 3, stride, dilation, 1, false), Layers.conv(planes, 3));
      for (int i = 0; i < layout.size(); i++) {
        convs.add(addChildBlock("conv" + (i + 1), layout.get(i)));
        bns.add(addChildBlock("bn" + (i + 1), Layers.bn()));
      }
      downsample =
          stride != 1 || inplanes != out
              ? addChildBlock(
                  "downsample",
                  new SequentialBlock()
                      .add(Layers.conv(out, 1, stride, 1, 1, false))
                      .add(Layers.bn()))
              : null;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray out = x;
      for (int i = 0; i < convs.size(); i++) {
        out =
            Layers.apply(
                bns.get(i),
                ps,
                Layers.apply(convs.get(i), ps, out, training, params),
                training,
                params);
        if (i < convs.size() - 1) {
          out = Activation.relu(out);
        }
      }
      NDArray identity = downsample == null ? x : Layers.apply(downsample, ps, x, training, params);
      return new NDList(Activation.relu(out.add(identity)));
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      Shape input = inputs[0];
      Shape s = input;
      for (int i = 0; i < convs.size(); i++) {
        s = walk.one(bns.get(i), walk.one(convs.get(i), s));
      }
      if (downsample != null) {
        walk.one(downsample, input);
      }
      return new Shape[] {s};
    }
  }
}
