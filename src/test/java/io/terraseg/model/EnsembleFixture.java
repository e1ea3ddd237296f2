package io.terraseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch reference for test-time augmentation and ensembles, made by
 * scripts/ensemble_fixture.py into target/ at test time: small models (skewed, tie-a, tie-b), a
 * fixed input batch with PyTorch's answers (batch.npz), and whole-scene references. Missing Python
 * or torch fails the tests: CI must install python3-torch (and python3-gdal for scenes).
 */
public final class EnsembleFixture {
  static final Path DIR = Path.of("target", "ensemble-fixture");
  private static final Path SCRIPT = Path.of("scripts", "ensemble_fixture.py");

  /** Below this, the best two classes of PyTorch's answer are decided by float noise. */
  public static final float TIE = 1e-5f;

  private EnsembleFixture() {}

  /** The fixture directory, made (again) when missing or older than the script or its models. */
  public static synchronized Path dir() {
    Path batch = DIR.resolve("batch.npz");
    try {
      if (!Files.exists(batch) || olderThanItsSources(Files.getLastModifiedTime(batch))) {
        python("models", DIR.toString());
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return DIR;
  }

  private static boolean olderThanItsSources(FileTime made) throws IOException {
    for (Path source :
        List.of(
            SCRIPT,
            Path.of("scripts/sample-model/model.pt"),
            Path.of("src/test/resources/models/receptive-field/model.pt"))) {
      if (made.compareTo(Files.getLastModifiedTime(source)) < 0) {
        return true;
      }
    }
    return false;
  }

  /** A model the script wrote: skewed, tie-a or tie-b. */
  public static Path model(String name) {
    return dir().resolve("models").resolve(name);
  }

  /** batch.npz: the inputs x3 and x2 and, per case, -ids, -probabilities and -margin. */
  static NDList batch(NDManager manager) {
    try (InputStream in = Files.newInputStream(dir().resolve("batch.npz"))) {
      return NDList.decode(manager, in);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * PyTorch's class ids of a whole scene, per pixel the margin that decided each, and the weighted
   * mean of the models' softmax (K×H×W) that --probabilities writes.
   */
  public record Scene(byte[] ids, float[] margin, float[] probabilities) {}

  /** {@code image} whole through {@code models} (their model.json's bands and normalization). */
  public static Scene scene(
      Path image, List<Path> models, List<Double> weights, Ensemble ensemble, Tta tta, Path out) {
    List<String> args =
        new ArrayList<>(List.of("scene", image.toString(), out.toString(), "--models"));
    models.forEach(m -> args.add(m.toString()));
    args.add("--weights");
    weights.forEach(w -> args.add(w.toString()));
    args.addAll(
        List.of(
            "--ensemble",
            ensemble.name().toLowerCase(Locale.ROOT),
            "--tta",
            tta.name().toLowerCase(Locale.ROOT)));
    python(args.toArray(String[]::new));
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(out)) {
      NDList arrays = NDList.decode(manager, in);
      return new Scene(
          arrays.get("ids").toByteArray(),
          arrays.get("margin").toFloatArray(),
          arrays.get("probabilities").toFloatArray());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Our class ids equal PyTorch's wherever PyTorch's best class beats the runner-up by {@link
   * #TIE}; there are few pixels closer than that.
   */
  public static void assertSameClasses(
      byte[] expected, float[] margin, byte[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    int close = 0;
    int differing = 0;
    for (int i = 0; i < expected.length; i++) {
      if (margin[i] < TIE) {
        close++;
      } else if (expected[i] != actual[i]) {
        differing++;
      }
    }
    assertEquals(0, differing, what + ": pixels whose class differs from PyTorch's");
    assertTrue(close <= expected.length / 200, what + ": " + close + " near-ties");
  }

  private static void python(String... args) {
    String python = System.getenv().getOrDefault("TERRASEG_PYTHON", "/usr/bin/python3");
    List<String> command = new ArrayList<>(List.of(python, SCRIPT.toString()));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run " + python + " (set TERRASEG_PYTHON, or apt-get install python3-torch)", e);
    }
    try {
      boolean done = p.waitFor(5, TimeUnit.MINUTES);
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done || p.exitValue() != 0) {
        fail(
            String.join(" ", command)
                + " failed; the check against PyTorch needs "
                + python
                + " with torch (Debian: apt-get install python3-torch python3-gdal):\n"
                + output);
      }
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
