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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArchitecturesTest {

  static final Path REFERENCE_SCRIPT = Path.of("scripts", "architecture_reference.py");
  static final Path REFERENCES = Path.of("src", "test", "resources", "architectures");

  static List<ArchitectureSpec> light() {
    return List.of(
        new ArchitectureSpec("deeplabv3", "resnet18", 8, null),
        new ArchitectureSpec("deeplabv3plus", "resnet18", 16, null),
        new ArchitectureSpec("deeplabv3plus", "resnet34", 8, null),
        new ArchitectureSpec("deeplabv3plus", "xception65", 16, null),
        new ArchitectureSpec("fastfcn", "resnet18", null, "aspp"),
        new ArchitectureSpec("fastfcn", "resnet18", null, "fcn"),
        new ArchitectureSpec("fastfcn", "resnet18", null, "enc"),
        new ArchitectureSpec("fastfcn", "resnet18", null, "psp"),
        new ArchitectureSpec("fcn8s", null, null, null),
        new ArchitectureSpec("fcn16s", null, null, null),
        new ArchitectureSpec("fcn32s", null, null, null));
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
  void xceptionGivesStride4LowLevelFeaturesAndStopsDownsamplingAtTheOutputStride() {
    // 67×61: the stem gives 34×31 (stride 2), the entry flow's blocks 17×16, 9×8, 5×4; at output
    // stride 16 the exit flow keeps 5×4, at 8 the third entry block already keeps 9×8. Only OS 8
    // runs here (its dilated middle flow is the harder case); the OS 16 network runs in
    // logitsHaveTheInputSizeForOddAndTinyInputs.
    Shape input = new Shape(1, 3, 67, 61);
    Shape low = new Shape(1, 256, 17, 16);
    assertArrayEquals(
        new Shape[] {low, new Shape(1, 2048, 5, 4)},
        new Xception(16).getOutputShapes(new Shape[] {input}),
        "output stride 16");
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Xception os8 = new Xception(8);
      os8.initialize(manager, DataType.FLOAT32, input);
      Shape[] actual =
          os8.forward(
                  new ParameterStore(manager, false),
                  new NDList(manager.randomNormal(input)),
                  false)
              .getShapes();
      assertArrayEquals(new Shape[] {low, new Shape(1, 2048, 9, 8)}, actual, "output stride 8");
      assertArrayEquals(actual, os8.getOutputShapes(new Shape[] {input}));
      assertArrayEquals(new int[] {256, 2048}, os8.channels());
    }
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

  /**
   * The configurations {@link #REFERENCE_SCRIPT} builds in PyTorch, one JSON file each (that every
   * configuration has one, ArchitectureEquivalenceTest checks against the script's own list).
   */
  static List<String> references() throws IOException {
    try (Stream<Path> files = Files.list(REFERENCES)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".json"))
          .map(f -> f.substring(0, f.length() - ".json".length()))
          .sorted()
          .toList();
    }
  }

  /** A reference older than its script would hold the test to a network nobody builds any more. */
  @Test
  void referencesComeFromTheCommittedScript() throws Exception {
    String script =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(REFERENCE_SCRIPT)));
    for (String name : references()) {
      assertEquals(
          script,
          reference(name).get("script_sha256").asText(),
          name
              + ".json was written by another version of "
              + REFERENCE_SCRIPT
              + ": run /usr/bin/python3 "
              + REFERENCE_SCRIPT
              + " and commit what it writes (or delete "
              + name
              + ".json if the script no longer builds it)");
    }
  }

  private static JsonNode reference(String name) throws IOException {
    return new ObjectMapper().readTree(REFERENCES.resolve(name + ".json").toFile());
  }

  /**
   * Every tensor the PyTorch reference has, under the same name and with the same shape, and
   * nothing more: what lets a state dict trained in PyTorch load, and what shows a layer that
   * deviates from the paper's network.
   */
  @ParameterizedTest
  @MethodSource("references")
  void tensorNamesShapesAndParameterCountEqualThePyTorchReference(String name) throws IOException {
    JsonNode reference = reference(name);
    ArchitectureSpec spec =
        new ArchitectureSpec(
            reference.get("architecture").asText(),
            reference.get("backbone").asText(),
            reference.get("output_stride").isNull() ? null : reference.get("output_stride").asInt(),
            reference.get("head").isNull() ? null : reference.get("head").asText());
    int bands = reference.get("in_channels").asInt();
    Map<String, Shape> expected = new LinkedHashMap<>();
    reference
        .get("tensors")
        .fields()
        .forEachRemaining(
            e -> {
              long[] dims = new long[e.getValue().size()];
              for (int i = 0; i < dims.length; i++) {
                dims[i] = e.getValue().get(i).asLong();
              }
              expected.put(e.getKey(), new Shape(dims));
            });

    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Block block = Architectures.build(spec, bands, reference.get("num_classes").asInt());
      block.initialize(manager, DataType.FLOAT32, new Shape(1, bands, 64, 64));
      Map<String, Shape> actual = new LinkedHashMap<>();
      StateDict.names(block).forEach((n, p) -> actual.put(n, p.getArray().getShape()));

      List<String> deviations = new ArrayList<>();
      expected.forEach(
          (n, shape) -> {
            if (!actual.containsKey(n)) {
              deviations.add("missing " + n + " " + shape);
            } else if (!actual.get(n).equals(shape)) {
              deviations.add(n + " is " + actual.get(n) + ", PyTorch's is " + shape);
            }
          });
      actual.forEach(
          (n, shape) -> {
            if (!expected.containsKey(n)) {
              deviations.add("extra " + n + " " + shape);
            }
          });
      assertTrue(
          deviations.isEmpty(),
          () ->
              spec
                  + " deviates from the PyTorch reference in "
                  + deviations.size()
                  + " tensors: "
                  + String.join("; ", deviations));
      assertEquals(
          reference.get("parameters").asLong(),
          Counts.trainable(block),
          spec + ": trainable parameters");
    }
  }

  @Test
  void specDefaultsAndRejections() {
    ArchitectureSpec plus = new ArchitectureSpec("DeepLabV3Plus", null, null, null);
    ArchitectureSpec fcn8s = new ArchitectureSpec("FCN8s", null, null, null);
    assertEquals(new ArchitectureSpec("deeplabv3plus", "resnet50", 16, null), plus);
    assertEquals(8, new ArchitectureSpec("deeplabv3", null, null, null).outputStride());
    assertEquals("aspp", new ArchitectureSpec("fastfcn", "resnet101", null, null).head());
    assertEquals(new ArchitectureSpec("fcn8s", "vgg16", null, null), fcn8s);

    assertMessage(
        "unknown architecture 'unet'", () -> new ArchitectureSpec("unet", null, null, null));
    assertEquals(
        new ArchitectureSpec("deeplabv3plus", "xception65", 16, null),
        new ArchitectureSpec("deeplabv3plus", "Xception65", null, null));
    assertMessage(
        "unknown backbone 'resnet152' for deeplabv3plus: expected one of resnet18, resnet34,"
            + " resnet50, resnet101, xception65",
        () -> new ArchitectureSpec("deeplabv3plus", "resnet152", null, null));
    assertMessage(
        "backbone xception65 is for deeplabv3plus only",
        () -> new ArchitectureSpec("fastfcn", "xception65", null, null));
    assertMessage(
        "output_stride must be 8 or 16, got 32",
        () -> new ArchitectureSpec("deeplabv3plus", "xception65", 32, null));
    assertMessage(
        "output_stride must be 8 or 16, got 32",
        () -> new ArchitectureSpec("deeplabv3plus", null, 32, null));
    assertMessage(
        "unknown head 'ocr' for fastfcn: expected aspp, enc, fcn or psp",
        () -> new ArchitectureSpec("fastfcn", null, null, "ocr"));
    assertMessage(
        "output_stride does not apply to fastfcn",
        () -> new ArchitectureSpec("fastfcn", null, 8, null));
    assertMessage(
        "head does not apply to deeplabv3plus",
        () -> new ArchitectureSpec("deeplabv3plus", null, 16, "aspp"));
    assertMessage(
        "unknown backbone 'resnet50' for fcn8s: expected one of vgg16",
        () -> new ArchitectureSpec("fcn8s", "resnet50", null, null));
    assertMessage(
        "unknown backbone 'vgg16' for deeplabv3: expected one of resnet18, resnet34, resnet50,"
            + " resnet101",
        () -> new ArchitectureSpec("deeplabv3", "vgg16", null, null));
    assertMessage(
        "output_stride does not apply to fcn16s",
        () -> new ArchitectureSpec("fcn16s", null, 16, null));
    assertMessage(
        "head does not apply to fcn32s", () -> new ArchitectureSpec("fcn32s", null, null, "fcn"));
    assertMessage(
        "expected one of deeplabv3, deeplabv3plus, fastfcn, fcn8s, fcn16s, fcn32s",
        () -> new ArchitectureSpec("fcn4s", null, null, null));
    assertMessage("at least one input band", () -> Architectures.build(plus, 0, 5));
  }

  private static void assertMessage(String part, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(
        e.getMessage().contains(part),
        () -> "'" + e.getMessage() + "' should contain '" + part + "'");
  }
}
