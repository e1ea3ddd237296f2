package io.terraseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Test-time augmentation on the engine against PyTorch: the mean softmax over the flips and over
 * the 8 symmetries of the square, each prediction mapped back, and its argmax, for a fixed batch.
 * The sample model is itself symmetric (a 1×1 conv and a square mean), so it checks that each
 * prediction is mapped back onto its pixels; the receptive-field and skewed models are not, so they
 * check the mean itself.
 */
class TtaTest {
  static NDManager manager;
  static NDList fixture;

  @BeforeAll
  static void pytorchsAnswers() {
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    fixture = EnsembleFixture.batch(manager);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @ParameterizedTest
  @CsvSource({
    "sample, NONE", "sample, FLIPS", "sample, D4",
    "receptive-field, NONE", "receptive-field, FLIPS", "receptive-field, D4",
    "skewed, NONE", "skewed, FLIPS", "skewed, D4"
  })
  void meanSoftmaxOverTheTransformsEqualsPyTorchs(String name, Tta tta) throws Exception {
    String key = name + "-" + tta.name().toLowerCase(Locale.ROOT);
    try (SegmentationModel model = SegmentationModel.load(modelDir(name), Device.cpu());
        EnsemblePredictor predictor =
            new EnsemblePredictor(
                List.of(model), new Inference(tta, Ensemble.MEAN, List.of(1.0)))) {
      List<TileBatch> batch = List.of(batch(name.equals("skewed") ? "x2" : "x3"));
      assertClose(fixture.get(key + "-probabilities"), predictor.probabilities(batch), key);
      EnsembleFixture.assertSameClasses(
          fixture.get(key + "-ids").toByteArray(),
          fixture.get(key + "-margin").toFloatArray(),
          predictor.predict(batch),
          key);
    }
  }

  static Path modelDir(String name) {
    return switch (name) {
      case "sample" -> Path.of("scripts/sample-model");
      case "receptive-field" -> Path.of("src/test/resources/models/receptive-field");
      default -> EnsembleFixture.model(name);
    };
  }

  static TileBatch batch(String input) {
    NDArray x = fixture.get(input);
    Shape s = x.getShape();
    return new TileBatch(x.toFloatArray(), (int) s.get(0), (int) s.get(1), (int) s.get(2));
  }

  static void assertClose(NDArray expected, float[] actual, String what) {
    float[] e = expected.toFloatArray();
    assertEquals(e.length, actual.length, what);
    float worst = 0;
    for (int i = 0; i < e.length; i++) {
      worst = Math.max(worst, Math.abs(e[i] - actual[i]));
    }
    assertTrue(worst <= 1e-5f, what + ": max |probability difference| " + worst);
  }

  /** Each transform's inverse undoes it, and the 8 of D4 move an asymmetric tile 8 ways. */
  @Test
  void theEightSymmetriesAreDistinctAndInvertible() {
    NDArray tile =
        manager.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5).toType(DataType.FLOAT32, false);
    Set<List<Float>> images = new HashSet<>();
    for (Tta.Transform t : Tta.D4.transforms()) {
      NDArray moved = t.apply(tile);
      assertArrayEquals(tile.toFloatArray(), t.invert(moved).toFloatArray(), t.toString());
      List<Float> pixels = new ArrayList<>();
      for (float v : moved.toFloatArray()) {
        pixels.add(v);
      }
      images.add(pixels);
    }
    assertEquals(8, images.size());
    assertEquals(Tta.D4.transforms().subList(0, 4), Tta.FLIPS.transforms());
  }

  @Test
  void classIdsEqualPyTorchsArgmaxIncludingTies() {
    for (int k : new int[] {1, 2, 4, 21}) {
      // Rounded logits make ties common: the first of the tied classes must win, as in argmax.
      NDArray logits = manager.randomNormal(new Shape(3, k, 17, 23)).mul(2).round();
      byte[] expected = logits.argMax(1).toType(DataType.UINT8, false).toByteArray();
      assertArrayEquals(expected, EnsemblePredictor.classIds(logits).toByteArray(), k + " classes");
    }
  }
}
