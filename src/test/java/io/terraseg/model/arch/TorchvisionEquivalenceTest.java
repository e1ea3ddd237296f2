package io.terraseg.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoopTranslator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our deeplabv3 against torchvision's deeplabv3_resnet50: same state dict, same logits. This is
 * what proves the backbone, ASPP, head, BN mapping and resize against PyTorch; the other
 * architectures are made of the same blocks.
 */
class TorchvisionEquivalenceTest {

  static final int CLASSES = 5;
  static final Path FIXTURE = Path.of("target", "torchvision-fixture");
  static final Path SCRIPT = Path.of("scripts", "torchvision_fixture.py");

  static JsonNode info;

  /**
   * The reference weights are ~160 MB, so they are made here rather than committed. Missing Python
   * or torch fails the test: CI must install python3-torch and python3-torchvision.
   */
  @BeforeAll
  static void writeFixture() throws Exception {
    Path json = FIXTURE.resolve("fixture.json");
    if (!Files.exists(json)
        || Files.getLastModifiedTime(json).compareTo(Files.getLastModifiedTime(SCRIPT)) < 0) {
      String python = System.getenv().getOrDefault("TERRASEG_PYTHON", "/usr/bin/python3");
      Process p;
      try {
        p =
            new ProcessBuilder(
                    python,
                    SCRIPT.toString(),
                    FIXTURE.toString(),
                    "--classes",
                    Integer.toString(CLASSES))
                .redirectErrorStream(true)
                .start();
      } catch (IOException e) {
        throw new AssertionError(
            "cannot run "
                + python
                + " (set TERRASEG_PYTHON, or apt-get install python3-torch"
                + " python3-torchvision): "
                + e.getMessage(),
            e);
      }
      boolean done = p.waitFor(5, TimeUnit.MINUTES);
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done || p.exitValue() != 0) {
        fail(
            SCRIPT
                + " failed; the numerical check against PyTorch needs "
                + python
                + " with torch and torchvision (Debian: apt-get install python3-torch python3-torchvision):\n"
                + output);
      }
    }
    info = new ObjectMapper().readTree(json.toFile());
  }

  @Test
  void torchvisionStateDictLoadsAndReproducesTheLogits() throws Exception {
    ArchitectureSpec spec = new ArchitectureSpec("deeplabv3", "resnet50", 8, null);
    try (Model model =
            Architectures.load(
                spec, 3, CLASSES, FIXTURE.resolve("model.safetensors"), Device.cpu());
        Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDList fixture = StateDict.read(manager, FIXTURE.resolve("fixture.safetensors"));
      NDArray expected = fixture.get("logits");
      NDArray actual = predictor.predict(new NDList(fixture.get("input"))).singletonOrThrow();

      assertEquals(expected.getShape(), actual.getShape());
      float maxDiff = actual.sub(expected).abs().max().getFloat();
      System.out.printf(
          "deeplabv3 vs torchvision: max |logit difference| %.3g (logits up to %.3g)%n",
          maxDiff, info.get("logits_abs_max").asDouble());
      assertTrue(maxDiff <= 1e-3f, "max |logit difference| " + maxDiff + " > 1e-3");
      long disagreements = actual.argMax(1).neq(expected.argMax(1)).sum().getLong();
      assertEquals(0, disagreements, "pixels whose class differs from PyTorch's");
    }
  }

  @Test
  void parameterCountEqualsTorchvisions() {
    ArchitectureSpec spec = new ArchitectureSpec("deeplabv3", "resnet50", 8, null);
    assertEquals(info.get("params").asLong(), Counts.initialized(spec, 3, CLASSES));
  }
}
