package io.terraseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ensembles on the engine against PyTorch: the sample model (bands 1-3) with the skewed model
 * (bands 3 and 1, another normalization), their weighted softmax mean and weighted vote, with and
 * without TTA; and votes whose ties the mean decides, on models whose answers are known.
 */
class EnsembleTest {
  static final Path SAMPLE = Path.of("scripts/sample-model");
  static NDManager manager;
  static NDList fixture;

  @BeforeAll
  static void pytorchsAnswers() {
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    fixture = EnsembleFixture.batch(manager);
    TtaTest.fixture = fixture;
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @ParameterizedTest
  @CsvSource({
    "MEAN, 2, 1, FLIPS",
    "MEAN, 2, 1, NONE",
    "VOTE, 1, 1, NONE",
    "VOTE, 1, 1, FLIPS",
    "VOTE, 2, 1, NONE"
  })
  void twoModelsReadingOtherBandsCombineAsInPyTorch(Ensemble ensemble, double a, double b, Tta tta)
      throws Exception {
    String key = String.format("%s-%.0f-%.0f-%s", ensemble, a, b, tta).toLowerCase();
    try (SegmentationModel sample = SegmentationModel.load(SAMPLE, Device.cpu());
        SegmentationModel skewed =
            SegmentationModel.load(EnsembleFixture.model("skewed"), Device.cpu());
        EnsemblePredictor predictor =
            new EnsemblePredictor(
                List.of(sample, skewed), new Inference(tta, ensemble, List.of(a, b)))) {
      assertEquals(List.of(sample.spec().input(), skewed.spec().input()), predictor.inputs());
      List<TileBatch> batches = List.of(TtaTest.batch("x3"), TtaTest.batch("x2"));
      TtaTest.assertClose(
          fixture.get(key + "-probabilities"), predictor.probabilities(batches), key);
      EnsembleFixture.assertSameClasses(
          fixture.get(key + "-ids").toByteArray(),
          fixture.get(key + "-margin").toFloatArray(),
          predictor.predict(batches),
          key);
    }
  }

  /**
   * --probabilities: round(255 × the mean the classes come from, {@link
   * EnsemblePredictor#probabilities}) within 1, from the same forward passes; one model without TTA
   * gives its softmax. Asking for them leaves the classes as they were.
   */
  @ParameterizedTest
  @CsvSource({"MEAN, 2, FLIPS", "VOTE, 2, NONE", "VOTE, 2, D4", "MEAN, 1, NONE", "MEAN, 1, FLIPS"})
  void probabilitiesAreTheMeanTheClassesComeFrom(Ensemble ensemble, int models, Tta tta)
      throws Exception {
    try (SegmentationModel sample = SegmentationModel.load(SAMPLE, Device.cpu());
        SegmentationModel skewed =
            SegmentationModel.load(EnsembleFixture.model("skewed"), Device.cpu());
        EnsemblePredictor predictor =
            new EnsemblePredictor(
                List.of(sample, skewed).subList(0, models),
                new Inference(tta, ensemble, List.of(2.0, 1.0).subList(0, models)))) {
      List<TileBatch> batches =
          List.of(TtaTest.batch("x3"), TtaTest.batch("x2")).subList(0, predictor.inputs().size());
      EnsemblePredictor.Prediction prediction = predictor.predict(batches, true);
      assertArrayEquals(predictor.predict(batches), prediction.classIds());
      float[] mean = predictor.probabilities(batches);
      byte[] bytes = prediction.probabilities();
      assertEquals(mean.length, bytes.length);
      for (int i = 0; i < mean.length; i++) {
        int expected = Math.round(255 * mean[i]);
        assertTrue(Math.abs(expected - (bytes[i] & 0xFF)) <= 1, i + ": " + expected);
      }
      assertEquals(null, predictor.predict(batches, false).probabilities());
    }
  }

  /** The mean of a model with itself is the model, to the bit; both share one input. */
  @Test
  void aModelWithItselfIsTheModel() throws Exception {
    List<TileBatch> batch = List.of(TtaTest.batch("x3"));
    try (SegmentationModel sample = SegmentationModel.load(SAMPLE, Device.cpu());
        EnsemblePredictor alone =
            new EnsemblePredictor(
                List.of(sample), new Inference(Tta.FLIPS, Ensemble.MEAN, List.of(1.0)));
        EnsemblePredictor twice =
            new EnsemblePredictor(
                List.of(sample, sample),
                new Inference(Tta.FLIPS, Ensemble.MEAN, List.of(1.0, 1.0)))) {
      assertEquals(1, twice.inputs().size(), "one input for two models fed alike");
      assertArrayEquals(alone.probabilities(batch), twice.probabilities(batch));
      assertArrayEquals(alone.predict(batch), twice.predict(batch));
    }
  }

  /**
   * tie-a answers (0.46, 0.10, 0.44) everywhere and tie-b (0.10, 0.47, 0.43): alone they say 0 and
   * 1. With equal weights their votes tie and the mean (0.28, 0.285, 0.435) prefers 1 of the two,
   * though class 2, which no model voted for, has the highest mean; the mean itself says 2.
   */
  @ParameterizedTest
  @CsvSource({
    "VOTE, 1, 1, 1", // a tie between 0 and 1, decided by their mean
    "VOTE, 2, 1, 0", // tie-a outvotes tie-b
    "VOTE, 1, 2, 1",
    "MEAN, 1, 1, 2",
    "MEAN, 2, 1, 2"
  })
  void votesTiedBetweenClassesGoToTheirHigherMean(
      Ensemble ensemble, double a, double b, int expected) throws Exception {
    int t = 4;
    List<TileBatch> batch = List.of(new TileBatch(new float[2 * 3 * t * t], 2, 3, t));
    try (SegmentationModel tieA =
            SegmentationModel.load(EnsembleFixture.model("tie-a"), Device.cpu());
        SegmentationModel tieB =
            SegmentationModel.load(EnsembleFixture.model("tie-b"), Device.cpu());
        EnsemblePredictor predictor =
            new EnsemblePredictor(
                List.of(tieA, tieB), new Inference(Tta.D4, ensemble, List.of(a, b)))) {
      byte[] everywhere = new byte[2 * t * t];
      Arrays.fill(everywhere, (byte) expected);
      assertArrayEquals(everywhere, predictor.predict(batch));
    }
  }
}
