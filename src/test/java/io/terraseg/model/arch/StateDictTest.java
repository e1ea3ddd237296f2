package io.terraseg.model.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class StateDictTest {

  static final ArchitectureSpec SPEC = new ArchitectureSpec("deeplabv3plus", "resnet18", 16, null);

  @TempDir Path dir;

  Path saved;
  NDManager manager;
  Block trained;

  @BeforeEach
  void saveAFreshNetwork() throws IOException {
    manager = NDManager.newBaseManager(Device.cpu());
    trained = Architectures.build(SPEC, 3, 4);
    trained.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
    saved = dir.resolve("model.safetensors");
    StateDict.save(trained, saved);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void documentedTensorNames() {
    Map<String, Shape> deeplabv3plus =
        shapes(new ArchitectureSpec("deeplabv3plus", "resnet50", 16, null), 3, 6);
    assertEquals(new Shape(64, 3, 7, 7), deeplabv3plus.get("backbone.conv1.weight"));
    assertEquals(new Shape(2048), deeplabv3plus.get("backbone.layer4.2.bn3.running_var"));
    assertEquals(
        new Shape(1024, 512, 1, 1), deeplabv3plus.get("backbone.layer3.0.downsample.0.weight"));
    assertEquals(new Shape(256, 2048, 1, 1), deeplabv3plus.get("aspp.convs.0.0.weight"));
    assertEquals(new Shape(2048, 1, 3, 3), deeplabv3plus.get("aspp.convs.1.0.weight"));
    assertEquals(new Shape(256, 2048, 1, 1), deeplabv3plus.get("aspp.convs.3.3.weight"));
    assertEquals(new Shape(256), deeplabv3plus.get("aspp.convs.3.4.running_mean"));
    assertEquals(new Shape(256, 2048, 1, 1), deeplabv3plus.get("aspp.convs.4.1.weight"));
    assertEquals(new Shape(256, 1280, 1, 1), deeplabv3plus.get("aspp.project.0.weight"));
    assertEquals(new Shape(48, 256, 1, 1), deeplabv3plus.get("low_level.0.weight"));
    assertEquals(new Shape(304, 1, 3, 3), deeplabv3plus.get("decoder.0.0.weight"));
    assertEquals(new Shape(256, 256, 1, 1), deeplabv3plus.get("decoder.1.3.weight"));
    assertEquals(new Shape(6), deeplabv3plus.get("classifier.bias"));

    Map<String, Shape> fastfcn =
        shapes(new ArchitectureSpec("fastfcn", "resnet50", null, "fcn"), 3, 6);
    assertEquals(new Shape(512, 2048, 3, 3), fastfcn.get("jpu.conv5.0.weight"));
    assertEquals(new Shape(512, 512, 3, 3), fastfcn.get("jpu.conv3.0.weight"));
    assertEquals(new Shape(1536, 1, 3, 3), fastfcn.get("jpu.dilation4.0.conv1.weight"));
    assertEquals(new Shape(1536), fastfcn.get("jpu.dilation4.0.bn.running_var"));
    assertEquals(new Shape(512, 1536, 1, 1), fastfcn.get("jpu.dilation4.0.pointwise.weight"));
    assertEquals(new Shape(512), fastfcn.get("jpu.dilation4.1.bias"));
    assertEquals(new Shape(512, 2048, 3, 3), fastfcn.get("head.0.weight"));
    assertEquals(new Shape(6, 512, 1, 1), fastfcn.get("head.4.weight"));
    assertEquals(
        new Shape(256, 2048, 3, 3),
        shapes(new ArchitectureSpec("fastfcn", "resnet50", null, "aspp"), 3, 6)
            .get("head.0.convs.1.0.weight"));
  }

  private Map<String, Shape> shapes(ArchitectureSpec spec, int bands, int classes) {
    Block block = Architectures.build(spec, bands, classes);
    block.initialize(manager, DataType.FLOAT32, new Shape(1, bands, 64, 64));
    Map<String, Shape> shapes = new LinkedHashMap<>();
    StateDict.names(block).forEach((name, p) -> shapes.put(name, p.getArray().getShape()));
    return shapes;
  }

  @Test
  void savedWeightsLoadBackIntoAPredictor() throws Exception {
    NDArray x = manager.randomNormal(new Shape(1, 3, 45, 51));
    NDArray expected =
        trained
            .forward(new ParameterStore(manager, false), new NDList(x), false)
            .singletonOrThrow();
    try (Model model = Architectures.load(SPEC, 3, 4, saved, Device.cpu());
        Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
      NDArray actual = predictor.predict(new NDList(x)).singletonOrThrow();
      assertTrue(expected.allClose(actual, 1e-5, 1e-5, false));
    }
  }

  /**
   * Spark tasks do not run on the thread that started DJL: a loaded model predicts the same there.
   * (Whether a thread records an autograd graph is checked where TerraSeg loads models, in
   * NativeArchitecturesTest.)
   */
  @Test
  void loadedModelPredictsTheSameOnAnyThread() throws Exception {
    NDArray x = manager.randomNormal(new Shape(1, 3, 32, 32));
    try (Model model = Architectures.load(SPEC, 3, 4, saved, Device.cpu());
        Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
      NDArray here = predictor.predict(new NDList(x)).singletonOrThrow();
      ExecutorService task = Executors.newSingleThreadExecutor();
      try {
        // get() rethrows what the prediction threw, so a failing prediction fails the test.
        float[] there =
            task.submit(() -> predictor.predict(new NDList(x)).singletonOrThrow().toFloatArray())
                .get();
        assertArrayEquals(here.toFloatArray(), there, 1e-6f);
      } finally {
        task.shutdownNow();
      }
    }
  }

  @Test
  void numBatchesTrackedIsIgnored() throws Exception {
    rewrite(tensors -> tensors.add(named(manager.create(7L), "backbone.bn1.num_batches_tracked")));
    Architectures.load(SPEC, 3, 4, saved, Device.cpu()).close();
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    rewrite(tensors -> tensors.remove("decoder.1.4.running_var"));
    assertLoadFails("missing tensor decoder.1.4.running_var");
  }

  @Test
  void extraTensorIsNamed() throws IOException {
    rewrite(tensors -> tensors.add(named(manager.zeros(new Shape(3)), "aux_classifier.4.bias")));
    assertLoadFails("unexpected tensor aux_classifier.4.bias");
  }

  @Test
  void misShapedTensorIsNamed() throws IOException {
    rewrite(
        tensors -> {
          tensors.remove("classifier.weight");
          tensors.add(named(manager.zeros(new Shape(5, 256, 1, 1)), "classifier.weight"));
        });
    assertLoadFails(
        "tensor classifier.weight has shape (5, 256, 1, 1) but the model expects (4, 256, 1, 1)");
  }

  @Test
  void otherBandCountIsAMisShapedStem() {
    assertLoadFails(
        () -> Architectures.load(SPEC, 4, 4, saved, Device.cpu()),
        "tensor backbone.conv1.weight has shape (64, 3, 7, 7) but the model expects (64, 4, 7, 7)");
  }

  @Test
  void unreadableFilesAreIoErrors() throws IOException {
    Path text = Files.writeString(dir.resolve("model.json"), "{\"architecture\": \"fastfcn\"}");
    IOException e =
        assertThrows(IOException.class, () -> Architectures.load(SPEC, 3, 4, text, Device.cpu()));
    assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
    assertThrows(
        IOException.class,
        () -> Architectures.load(SPEC, 3, 4, dir.resolve("absent.safetensors"), Device.cpu()));
  }

  private void rewrite(Consumer<NDList> edit) throws IOException {
    NDList tensors = StateDict.read(manager, saved);
    edit.accept(tensors);
    try (OutputStream out = Files.newOutputStream(saved)) {
      tensors.encode(out, NDList.Encoding.SAFETENSORS);
    }
  }

  private static NDArray named(NDArray array, String name) {
    array.setName(name);
    return array;
  }

  private void assertLoadFails(String message) {
    assertLoadFails(() -> Architectures.load(SPEC, 3, 4, saved, Device.cpu()), message);
  }

  private static void assertLoadFails(Executable load, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, load);
    assertTrue(
        e.getMessage().contains(message),
        () -> "'" + e.getMessage() + "' should contain '" + message + "'");
  }
}
