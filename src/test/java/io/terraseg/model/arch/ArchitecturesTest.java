package io.terraseg.model.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArchitecturesTest {

  static List<ArchitectureSpec> light() {
    return List.of(
        new ArchitectureSpec("deeplabv3", "resnet18", 8, null),
        new ArchitectureSpec("deeplabv3plus", "resnet18", 16, null),
        new ArchitectureSpec("deeplabv3plus", "resnet34", 8, null),
        new ArchitectureSpec("fastfcn", "resnet18", null, "aspp"),
        new ArchitectureSpec("fastfcn", "resnet18", null, "fcn"));
  }

  @ParameterizedTest
  @MethodSource("light")
  void logitsHaveTheInputSizeForOddAndTinyInputs(ArchitectureSpec spec) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Block block = Architectures.build(spec, 4, 3);
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 64, 64));
      ParameterStore ps = new ParameterStore(manager, false);
      for (long[] hw : new long[][] {{67, 61}, {33, 95}, {9, 17}}) {
        NDArray x = manager.randomNormal(new Shape(2, 4, hw[0], hw[1]));
        Shape expected = new Shape(2, 3, hw[0], hw[1]);
        assertEquals(
            expected, block.forward(ps, new NDList(x), false).singletonOrThrow().getShape());
        assertEquals(expected, block.getOutputShapes(new Shape[] {x.getShape()})[0]);
      }
    }
  }

  @Test
  void outputStrideDecidesWhereTheBackboneStopsDownsampling() {
    // 67×61 input: stem and pool give 17×16 (stride 4), then 9×8, 5×4, 3×2 where strides are kept.
    Shape[] os32 = {
      new Shape(1, 64, 17, 16),
      new Shape(1, 128, 9, 8),
      new Shape(1, 256, 5, 4),
      new Shape(1, 512, 3, 2)
    };
    Shape[] os16 = {os32[0], os32[1], os32[2], new Shape(1, 512, 5, 4)};
    Shape[] os8 = {os32[0], os32[1], new Shape(1, 256, 9, 8), new Shape(1, 512, 9, 8)};
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = manager.randomNormal(new Shape(1, 3, 67, 61));
      for (int stride : new int[] {32, 16, 8}) {
        ResNet resnet = new ResNet("resnet18", stride);
        resnet.initialize(manager, DataType.FLOAT32, x.getShape());
        Shape[] actual =
            resnet.forward(new ParameterStore(manager, false), new NDList(x), false).getShapes();
        assertArrayEquals(
            stride == 32 ? os32 : stride == 16 ? os16 : os8, actual, "output stride " + stride);
      }
    }
    Shape[] r50os8 =
        new ResNet("resnet50", 8).getOutputShapes(new Shape[] {new Shape(1, 3, 512, 512)});
    assertArrayEquals(
        new Shape[] {
          new Shape(1, 256, 128, 128),
          new Shape(1, 512, 64, 64),
          new Shape(1, 1024, 64, 64),
          new Shape(1, 2048, 64, 64)
        },
        r50os8);
    Shape[] r101os16 =
        new ResNet("resnet101", 16).getOutputShapes(new Shape[] {new Shape(1, 3, 512, 512)});
    assertEquals(new Shape(1, 2048, 32, 32), r101os16[3]);
  }

  @Test
  void inferenceUsesRunningStatisticsAndTrainingUsesBatchStatistics() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Block block =
          Architectures.build(new ArchitectureSpec("deeplabv3plus", "resnet18", 16, null), 3, 2);
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray a = manager.randomNormal(new Shape(1, 3, 40, 40));
      NDArray b = manager.randomNormal(new Shape(1, 3, 40, 40)).mul(3);
      NDArray c = manager.randomNormal(new Shape(1, 3, 40, 40)).add(2);
      NDArray alone = block.forward(ps, new NDList(a), false).singletonOrThrow();
      NDArray withB =
          block.forward(ps, new NDList(a.concat(b)), false).singletonOrThrow().get("0:1");
      assertTrue(
          alone.allClose(withB, 1e-4, 1e-3, false),
          "in inference an image's logits must not depend on its batch");

      NDArray trainB =
          block.forward(ps, new NDList(a.concat(b)), true).singletonOrThrow().get("0:1");
      NDArray trainC =
          block.forward(ps, new NDList(a.concat(c)), true).singletonOrThrow().get("0:1");
      assertFalse(
          trainB.allClose(trainC, 1e-3, 1e-3, false),
          "in training BN normalizes with the batch's statistics");
    }
  }

  @Test
  void parameterCountsFollowTheLayerLists() {
    int k = 21;
    // torchvision's resnet50 has 25,557,032 parameters; the backbone drops fc (2048×1000 + 1000).
    long resnet50 = 25_557_032L - (2048L * 1000 + 1000);
    // ASPP on 2048 channels: 1×1, three 3×3 atrous, pooling 1×1, projection of 5×256; each conv
    // with BN.
    long aspp =
        convBn(2048, 256, 1)
            + 3 * convBn(2048, 256, 3)
            + convBn(2048, 256, 1)
            + convBn(5 * 256, 256, 1);
    long deepLabHead = aspp + convBn(256, 256, 3) + classifier(256, k);
    assertEquals(
        resnet50 + deepLabHead,
        Counts.initialized(new ArchitectureSpec("deeplabv3", "resnet50", 8, null), 3, k));

    // DeepLabv3+: the atrous convs become separable; decoder: 48-ch 1×1 on 256-ch stride-4
    // features,
    // two separable 3×3 (304→256, 256→256), classifier.
    long separableAspp =
        convBn(2048, 256, 1)
            + 3 * separable(2048, 256)
            + convBn(2048, 256, 1)
            + convBn(5 * 256, 256, 1);
    long decoder =
        convBn(256, 48, 1) + separable(256 + 48, 256) + separable(256, 256) + classifier(256, k);
    for (int stride : new int[] {8, 16}) {
      assertEquals(
          resnet50 + separableAspp + decoder,
          Counts.initialized(
              new ArchitectureSpec("deeplabv3plus", "resnet50", stride, null), 3, k));
    }

    // FastFCN: JPU = 3×3 convs of stages 2-4 (512/1024/2048) to 512, four separable 1536→512.
    long jpu =
        convBn(512, 512, 3)
            + convBn(1024, 512, 3)
            + convBn(2048, 512, 3)
            + 4 * separable(3 * 512, 512);
    assertEquals(
        resnet50 + jpu + deepLabHead,
        Counts.initialized(new ArchitectureSpec("fastfcn", "resnet50", null, "aspp"), 3, k));
    long fcnHead = convBn(2048, 512, 3) + convBn(512, 512, 3) + classifier(512, k);
    assertEquals(
        resnet50 + jpu + fcnHead,
        Counts.initialized(new ArchitectureSpec("fastfcn", "resnet50", null, "fcn"), 3, k));

    // torchvision's resnet18: 11,689,512 with fc (512×1000 + 1000); a 4-band stem adds 64×7×7
    // weights.
    long resnet18 = 11_689_512L - (512L * 1000 + 1000) + 64 * 7 * 7;
    long r18Aspp =
        convBn(512, 256, 1)
            + 3 * separable(512, 256)
            + convBn(512, 256, 1)
            + convBn(5 * 256, 256, 1);
    long r18Decoder =
        convBn(64, 48, 1) + separable(256 + 48, 256) + separable(256, 256) + classifier(256, k);
    assertEquals(
        resnet18 + r18Aspp + r18Decoder,
        Counts.initialized(new ArchitectureSpec("deeplabv3plus", "resnet18", 16, null), 4, k));
  }

  private static long convBn(long in, long out, long kernel) {
    return in * out * kernel * kernel + 2 * out;
  }

  /** Depthwise 3×3 + BN, pointwise 1×1 + BN. */
  private static long separable(long in, long out) {
    return in * 9 + 2 * in + in * out + 2 * out;
  }

  private static long classifier(long in, long classes) {
    return in * classes + classes;
  }

  @Test
  void specDefaultsAndRejections() {
    ArchitectureSpec plus = new ArchitectureSpec("DeepLabV3Plus", null, null, null);
    assertEquals(new ArchitectureSpec("deeplabv3plus", "resnet50", 16, null), plus);
    assertEquals(8, new ArchitectureSpec("deeplabv3", null, null, null).outputStride());
    assertEquals("aspp", new ArchitectureSpec("fastfcn", "resnet101", null, null).head());

    assertMessage(
        "unknown architecture 'unet'", () -> new ArchitectureSpec("unet", null, null, null));
    assertMessage(
        "unknown backbone 'resnet152'",
        () -> new ArchitectureSpec("deeplabv3", "resnet152", null, null));
    assertMessage(
        "output_stride must be 8 or 16, got 32",
        () -> new ArchitectureSpec("deeplabv3plus", null, 32, null));
    assertMessage("unknown head 'psp'", () -> new ArchitectureSpec("fastfcn", null, null, "psp"));
    assertMessage(
        "output_stride does not apply to fastfcn",
        () -> new ArchitectureSpec("fastfcn", null, 8, null));
    assertMessage(
        "head does not apply to deeplabv3plus",
        () -> new ArchitectureSpec("deeplabv3plus", null, 16, "aspp"));
    assertMessage("at least one input band", () -> Architectures.build(plus, 0, 5));
  }

  private static void assertMessage(String part, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(
        e.getMessage().contains(part),
        () -> "'" + e.getMessage() + "' should contain '" + part + "'");
  }
}
