package io.terraseg.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.core.Prelu;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The multiply-add counter behind the benchmark's GFLOPs, on layers whose count is known by hand
 * and on a whole ResNet-50 against PyTorch's count.
 */
class CountsTest {

  @Test
  void convolutionCountsEveryOutputTimesItsInputWindow() {
    // 16·16 outputs × 8 filters × 3 input channels × 3·3 taps.
    assertEquals(16 * 16 * 8 * 3 * 9, macs(Layers.conv(8, 3), 1, 3, 16, 16));
    // Bias adds no multiply; a batch multiplies the work.
    assertEquals(2 * 16 * 16 * 8 * 3 * 9, macs(Layers.conv(8, 3, 1, 1, 1, true), 2, 3, 16, 16));
    // Stride 2 and dilation: fewer outputs, the same taps each.
    assertEquals(8 * 8 * 8 * 3 * 9, macs(Layers.conv(8, 3, 2, 2, 1, false), 1, 3, 16, 16));
  }

  @Test
  void depthwiseConvolutionSeesOneInputChannelPerFilter() {
    assertEquals(16 * 16 * 8 * 9, macs(Layers.conv(8, 3, 1, 2, 8, false), 1, 8, 16, 16));
    assertEquals(16 * 16 * 8 * 2 * 9, macs(Layers.conv(8, 3, 1, 1, 4, false), 1, 8, 16, 16));
  }

  @Test
  void transposedConvolutionCountsAsTorchsConvTranspose2d() {
    // Every input element meets out-channels × (2f)² weights: 4·5·5 × 4 × 4·4.
    assertEquals(4 * 5 * 5 * 4 * 16, macs(new Upsampling(4, 2), 1, 4, 5, 5));
  }

  @Test
  void linearAndEncodingLayers() {
    assertEquals(2 * 10 * 5, macs(Linear.builder().setUnits(5).build(), 2, 10));
    // Distances to K = 4 codewords and the aggregation, each HW·K·C = 16·4·8.
    assertEquals(2 * 16 * 4 * 8, macs(new EncHead.Encoding(8, 4), 1, 8, 4, 4));
  }

  @Test
  void containersAddTheirChildrenOnTheShapesThatReachThem() {
    Block net =
        new SequentialBlock()
            .add(Layers.conv(8, 3, 2, 1, 1, false)) // 3 → 8 ch, 16² → 8²
            .add(Activation.reluBlock())
            .add(
                new ParallelBlock(
                    list -> list.get(0),
                    List.of(Layers.separable(8, 16, 2), Layers.convBnRelu(4, 1, 1))));
    long stem = 8 * 8 * 8 * 3 * 9;
    long separable = 8 * 8 * 8 * 9 + 8 * 8 * 16 * 8;
    long pointwise = 8 * 8 * 4 * 8;
    assertEquals(stem + separable + pointwise, macs(net, 1, 3, 16, 16));
    // Pooling costs nothing, and halves the maps the next conv works on.
    Block pooled =
        new SequentialBlock()
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(Layers.conv(8, 1));
    assertEquals(8 * 8 * 8 * 3, macs(pooled, 1, 3, 16, 16));
  }

  /**
   * A composite block counts through its own data flow: torchvision's ResNet-50 without fc, 224²,
   * has 4 087 136 256 MACs by PyTorch's forward hooks ({@code scripts/model_flops.py --tile 224
   * resnet50}; torchvision lists 4.09 GFLOPs with the fc layer's 2 M).
   */
  @Test
  void resNet50AgreesWithPyTorch() {
    assertEquals(4_087_136_256L, macs(new ResNet("resnet50", 32), 1, 3, 224, 224));
  }

  @Test
  void aLayerWithWeightsButNoRuleIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> macs(new Prelu(), 1, 3, 4, 4));
  }

  private static long macs(Block block, long... input) {
    return Counts.multiplyAdds(block, new Shape(input));
  }
}
