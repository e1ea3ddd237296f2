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
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.tools.SampleScene;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every configuration in {@code scripts/architecture_reference.py}'s CONFIGS against PyTorch,
 * numerically: PyTorch's network with random weights and perturbed BN statistics, its state dict
 * loaded by {@link Architectures#load} (what a model.json with those weights loads), the same
 * input, the same logits. The names come from the script, so a configuration added there is checked
 * here without touching this test.
 *
 * <p>The input is a real crop, 72×88 (non-square, and small enough that each configuration runs in
 * a second or two): a window of a sample scene read by {@link GeoTiffFile} and normalized as the
 * sample model normalizes. At stride 8 it is 9×11, so PSP's 2, 3 and 6 bins have uneven windows.
 * The fixtures (100–550 MB each, 3 GB for the twelve configurations) are made in target/ by {@code
 * scripts/architecture_fixture.py} and remade when a script or the crop changes; missing Python or
 * torch fails the test.
 */
class ArchitectureEquivalenceTest {

  static final Path DIR = Path.of("target", "architecture-fixtures");
  static final Path SCRIPT = Path.of("scripts", "architecture_fixture.py");
  static final List<Path> SOURCES =
      List.of(SCRIPT, ArchitecturesTest.REFERENCE_SCRIPT, Path.of("scripts", "safetensors_io.py"));
  static final Path INPUT = DIR.resolve("input.safetensors");
  static final int CLASSES = SampleScene.CLASSES.size();

  /** Straddles the scene's 256² blocks, so the window is assembled from four of them. */
  static final Rectangle CROP = new Rectangle(211, 203, 88, 72);

  static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  static final float[] STD = {0.229f, 0.224f, 0.225f};

  /**
   * Allowed |logit difference|, relative to the largest PyTorch logit: float32 through 20–100
   * layers on two PyTorch builds (1.13 here, 2.5.1 under DJL) whose kernels sum in different
   * orders. Rounding grows with the activations, and random weights give logits from ~0.01 (the
   * FCNs: VGG has no BN to calibrate) to ~300 (DeepLabv3+ on ResNet-50 with perturbed BN
   * statistics), so an absolute bound would be loose for some networks and too tight for others.
   * Measured: 5e-7 to 4e-5 of the largest logit; the subtlest wrong layer tried (the Encoding layer
   * without the codewords' norms) moved them by 7e-3 of it.
   */
  static final double TOLERANCE = 1e-4;

  private static List<String> names;

  /** The CONFIGS names, as the script lists them (asked once per JVM: importing torch is slow). */
  static synchronized List<String> names() throws Exception {
    if (names == null) {
      names =
          Arrays.stream(python("--list").split("\n"))
              .map(String::strip)
              .filter(n -> !n.isEmpty())
              .toList();
      assertTrue(!names.isEmpty(), SCRIPT + " --list printed no configurations");
    }
    return names;
  }

  @BeforeAll
  static void writeFixtures() throws Exception {
    Files.createDirectories(DIR);
    writeInput();
    FileTime newestSource = Files.getLastModifiedTime(INPUT);
    for (Path source : SOURCES) {
      FileTime t = Files.getLastModifiedTime(source);
      newestSource = t.compareTo(newestSource) > 0 ? t : newestSource;
    }
    List<String> stale = new ArrayList<>();
    for (String name : names()) {
      Path json = DIR.resolve(name).resolve("fixture.json");
      if (!Files.exists(json) || Files.getLastModifiedTime(json).compareTo(newestSource) < 0) {
        stale.add(name);
      }
    }
    if (!stale.isEmpty()) {
      List<String> args = new ArrayList<>(List.of(DIR.toString(), INPUT.toString()));
      args.addAll(stale);
      args.addAll(List.of("--classes", Integer.toString(CLASSES)));
      System.out.println(python(args.toArray(String[]::new)));
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void pytorchsStateDictLoadsAndGivesPytorchsLogits(String name) throws Exception {
    Path dir = DIR.resolve(name);
    JsonNode info = new ObjectMapper().readTree(dir.resolve("fixture.json").toFile());
    ArchitectureSpec spec =
        new ArchitectureSpec(
            info.get("architecture").asText(),
            info.get("backbone").asText(),
            info.get("output_stride").isNull() ? null : info.get("output_stride").asInt(),
            info.get("head").isNull() ? null : info.get("head").asText());
    assertTrue(
        Files.exists(ArchitecturesTest.REFERENCES.resolve(name + ".json")),
        name
            + " has no tensor-name reference: run /usr/bin/python3 "
            + ArchitecturesTest.REFERENCE_SCRIPT
            + " and commit what it writes");

    try (Model model =
            Architectures.load(
                spec,
                info.get("in_channels").asInt(),
                info.get("num_classes").asInt(),
                dir.resolve("model.safetensors"),
                Device.cpu());
        Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDList fixture = StateDict.read(manager, dir.resolve("fixture.safetensors"));
      NDArray expected = fixture.get("logits");
      NDArray actual = predictor.predict(new NDList(fixture.get("input"))).singletonOrThrow();

      assertEquals(expected.getShape(), actual.getShape(), name + ": logits shape");
      NDArray diff = actual.sub(expected).abs();
      float maxDiff = diff.max().getFloat();
      double bound = TOLERANCE * expected.abs().max().getFloat();
      long at = diff.flatten().argMax().getLong();
      Shape s = expected.getShape();
      String where =
          String.format(
              "class %d, pixel (row %d, col %d): PyTorch %.6f, TerraSeg %.6f",
              at / (s.get(2) * s.get(3)),
              at / s.get(3) % s.get(2),
              at % s.get(3),
              expected.flatten().getFloat(at),
              actual.flatten().getFloat(at));
      System.out.printf(
          "%s vs PyTorch: max |logit difference| %.3g, bound %.3g (logits up to %.3g, std %.3g)%n",
          name,
          maxDiff,
          bound,
          info.get("logits_abs_max").asDouble(),
          info.get("logits_std").asDouble());
      assertTrue(
          maxDiff <= bound,
          () ->
              String.format(
                  "%s: max |logit difference| %.3g > %.3g (%.0e of the largest logit), at %s",
                  name, maxDiff, bound, TOLERANCE, where));
      assertEquals(
          info.get("parameters").asLong(),
          Counts.trainable(model.getBlock()),
          name + ": trainable parameters, PyTorch's vs TerraSeg's");
    }
  }

  /**
   * The crop as the predict stage would feed it: bands 1-3 read by {@link GeoTiffFile}, scaled to
   * [0, 1] and normalized with the sample model's mean and std. Rewritten only when its bytes
   * change, since a newer input makes every fixture stale.
   */
  private static void writeInput() throws IOException {
    Path scene = DIR.resolve("scene");
    Path image = scene.resolve("image.tif");
    if (!Files.exists(image)) {
      Files.createDirectories(scene);
      SampleScene.write(image, scene.resolve("labels.tif"), 512, 384, 7, false);
    }
    int pixels = CROP.width * CROP.height;
    float[] data = new float[3 * pixels];
    try (GeoTiffFile file = GeoTiffFile.open(image.toString(), new Configuration())) {
      float[] band = new float[pixels];
      for (int c = 0; c < 3; c++) {
        file.readBand(CROP, c, band);
        for (int i = 0; i < pixels; i++) {
          data[c * pixels + i] = (band[i] / 255f - MEAN[c]) / STD[c];
        }
      }
    }
    byte[] bytes;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      NDArray input = manager.create(data, new Shape(1, 3, CROP.height, CROP.width));
      input.setName("input");
      new NDList(input).encode(out, NDList.Encoding.SAFETENSORS);
      bytes = out.toByteArray();
    }
    if (!Files.exists(INPUT) || !Arrays.equals(Files.readAllBytes(INPUT), bytes)) {
      Path tmp = DIR.resolve("input.safetensors.tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, INPUT, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String python(String... args) throws Exception {
    String python = System.getenv().getOrDefault("TERRASEG_PYTHON", "/usr/bin/python3");
    List<String> command = new ArrayList<>(List.of(python, SCRIPT.toString()));
    command.addAll(List.of(args));
    // stderr apart: torch's warnings must not end up among the names --list prints.
    Path log = DIR.resolve("python.log");
    Files.createDirectories(DIR);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run "
              + python
              + " (set TERRASEG_PYTHON, or apt-get install python3-torch python3-torchvision): "
              + e.getMessage(),
          e);
    }
    // Read before waiting: the output of seven fixtures would fill the pipe and block the script.
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      fail(
          String.join(" ", command)
              + " failed; the numerical check against PyTorch needs "
              + python
              + " with torch and torchvision (Debian: apt-get install python3-torch"
              + " python3-torchvision):\n"
              + output
              + Files.readString(log));
    }
    return output;
  }
}
