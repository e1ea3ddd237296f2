package io.terraseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.jobs.TestSpark;
import io.terraseg.tools.SampleScene;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line as a user meets it: exit codes, one-line errors that name the file and the
 * problem, and no output at all when a run fails.
 */
class CliTest {
  private static final String SAMPLE_MODEL = "scripts/sample-model";
  @TempDir static Path dir;
  static Path image;
  static Path label;

  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void scene() {
    TestSpark.session();
    image = dir.resolve("images/scene.tif");
    label = dir.resolve("labels/scene.tif");
    SampleScene.write(image, label, 200, 150, 5, false);
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void infoDescribesTheRasterAsJson() throws Exception {
    Result r = run("info", image.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode info = new ObjectMapper().readTree(r.out());
    assertEquals(200, info.get("width").asInt());
    assertEquals(150, info.get("height").asInt());
    assertEquals(3, info.get("bands").asInt());
    assertEquals("Byte", info.get("data_type").asText());
    assertEquals(32633, info.at("/crs/epsg").asInt());
    assertEquals("[500000.0,10.0,0.0,4100000.0,0.0,-10.0]", info.get("geotransform").toString());
    assertEquals("tiled", info.at("/tiling/layout").asText());
    assertEquals("DEFLATE", info.get("compression").asText());
  }

  @Test
  void everySubcommandHasHelp() {
    for (String command : List.of("segment", "evaluate", "info", "run", "sample")) {
      Result r = run(command, "--help");
      assertEquals(0, r.exitCode(), command);
      assertTrue(r.out().contains("Usage: terraseg " + command), r.out());
    }
  }

  @Test
  void aJobFileRunsTheSameOptions() throws Exception {
    Path out = dir.resolve("job-out");
    Path job = dir.resolve("job.yaml");
    Files.writeString(
        job,
        String.join(
            "\n",
            "command: segment",
            "model: " + SAMPLE_MODEL,
            "input: [" + image.getParent() + "]",
            "labels: [" + label.getParent() + "]",
            "output: " + out,
            "tile: 128",
            "overlap: 16",
            "batch: 4",
            ""));
    Result r = run("run", job.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.exists(out.resolve("scene.mask.tif")));
    assertTrue(Files.exists(out.resolve("metrics.json")));
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertEquals(128, run.get("tile").asInt());
    assertEquals(4, run.get("batch").asInt());

    Files.writeString(
        job, "command: segment\nmodel: " + SAMPLE_MODEL + "\ninput: [x]\noutput: y\ntiel: 3\n");
    Result typo = run("run", job.toString());
    assertEquals(1, typo.exitCode());
    assertOneLineError(typo, job + ": Unknown options: '--tiel'");
  }

  @Test
  void notATiff() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("bad/notes.tif".replace("/", "_")), "just text, not a raster\n");
    assertSegmentFails(file, file + ": not a TIFF file");
  }

  @Test
  void emptyFile() throws Exception {
    Path file = Files.createFile(dir.resolve("empty.tif"));
    assertSegmentFails(file, file + ": empty file");
  }

  @Test
  void truncatedFile() throws Exception {
    byte[] whole = Files.readAllBytes(image);
    Path file =
        Files.write(dir.resolve("truncated.tif"), Arrays.copyOf(whole, whole.length * 2 / 3));
    assertSegmentFails(file, file + ": truncated: tile ");
  }

  @Test
  void unsupportedCompression() throws Exception {
    Path file = dir.resolve("lzma.tif");
    gdal("gdal_translate", "-q", "-co", "COMPRESS=LZMA", image.toString(), file.toString());
    assertSegmentFails(file, file + ": unsupported compression LZMA (34925)");
  }

  @Test
  void unsupportedDataType() throws Exception {
    Path file = dir.resolve("complex.tif");
    gdal("gdal_translate", "-q", "-ot", "CInt16", image.toString(), file.toString());
    assertSegmentFails(file, file + ": unsupported data type");
  }

  @Test
  void bandOutOfRange() {
    // A single-band raster given to a model that reads bands 1, 2, 3.
    assertSegmentFails(label, label + ": has 1 band(s); model.json asks for band 2");
  }

  @Test
  void missingModel() {
    Path out = dir.resolve("out-missing-model");
    Result r =
        run(
            "segment",
            "--model",
            dir.resolve("no-model").toString(),
            "--input",
            image.toString(),
            "--output",
            out.toString());
    assertOneLineError(r, dir.resolve("no-model/model.json") + ": no such file");
    assertNoOutput(out);
  }

  @Test
  void simplifyWithoutVectorsOrNegative() {
    Path out = dir.resolve("out-simplify");
    String[] common = {
      "segment",
      "--model",
      "scripts/sample-model",
      "--input",
      image.toString(),
      "--output",
      out.toString()
    };
    Result alone = run(concat(common, "--simplify", "2"));
    assertOneLineError(alone, "--simplify applies to polygons: add --vectors");
    Result negative = run(concat(common, "--vectors", "--simplify", "-1"));
    assertOneLineError(negative, "--simplify must be a number of pixels >= 0");
    assertNoOutput(out);
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void brokenModel() {
    assertModelFails(
        Path.of("src/test/resources/models/broken"), "model.pt: cannot load the model");
  }

  @Test
  void classCountMismatch() {
    assertModelFails(
        Path.of("src/test/resources/models/wrong-classes"),
        "model.pt: returns 4 classes but model.json lists 3");
  }

  private void assertModelFails(Path model, String expectedAfterModelDir) {
    Path out = dir.resolve("out-" + model.getFileName());
    Result r =
        run(
            "segment",
            "--model",
            model.toString(),
            "--input",
            image.toString(),
            "--output",
            out.toString());
    assertOneLineError(r, model + "/" + expectedAfterModelDir);
    assertNoOutput(out);
  }

  @Test
  void gridMismatchStatesBothGrids() {
    Path other = dir.resolve("other/labels/scene.tif");
    SampleScene.write(dir.resolve("other/images/scene.tif"), other, 210, 150, 5, false);
    Path out = dir.resolve("out-grid");
    Result r =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            image.toString(),
            "--labels",
            other.toString(),
            "--output",
            out.toString());
    assertOneLineError(
        r,
        other
            + ": grid 210 x 150, EPSG:32633, origin (500000, 4100000), pixel (10, -10) "
            + "does not match "
            + image
            + ": grid 200 x 150, EPSG:32633, origin (500000, 4100000), pixel (10, -10)");
    assertNoOutput(out);
  }

  @Test
  void unwritableOutput() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            image.toString(),
            "--output",
            file.toString());
    assertOneLineError(r, file + ": output exists and is not a directory");
    Result nested =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            image.toString(),
            "--output",
            file.resolve("out").toString());
    assertOneLineError(nested, file.resolve("out") + ": ");
  }

  /**
   * A problem found inside a Spark task, after tiles were predicted: still one line, and nothing
   * written.
   */
  @Test
  void labelValuesOutsideTheClassesFailTheRunWithoutPartialOutput() throws Exception {
    Path bad = dir.resolve("bad-labels/scene.tif");
    Files.createDirectories(bad.getParent());
    gdal("gdal_translate", "-q", "-scale", "0", "3", "4", "7", label.toString(), bad.toString());
    Path out = dir.resolve("out-bad-labels");
    Result r =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            image.toString(),
            "--labels",
            bad.toString(),
            "--output",
            out.toString(),
            "--tile",
            "64",
            "--overlap",
            "8");
    assertOneLineError(r, bad + ": label ");
    assertTrue(r.err().contains("is not a class id (0..3)"), r.err());
    assertNoOutput(out);
  }

  /** One prediction file and one label file are compared whatever their names. */
  @Test
  void evaluateComparesOneFileWithOneFileWhateverTheirNames() throws Exception {
    Path out = dir.resolve("pairing");
    Result segmented =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            image.toString(),
            "--output",
            out.resolve("masks").toString(),
            "--tile",
            "64",
            "--overlap",
            "8");
    assertEquals(0, segmented.exitCode(), segmented.err());
    Path prediction = Files.copy(out.resolve("masks/scene.mask.tif"), out.resolve("a_pred.tif"));
    Path renamedLabel = Files.copy(label, out.resolve("a_label.tif"));
    Result r =
        run(
            "evaluate",
            "--pred",
            prediction.toString(),
            "--label",
            renamedLabel.toString(),
            "--model",
            SAMPLE_MODEL,
            "--output",
            out.resolve("metrics").toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics/metrics.json").toFile());
    assertEquals(
        200 * 150, metrics.get("pixels").asLong() + metrics.get("ignored_pixels").asLong());

    Result unmatched =
        run(
            "evaluate",
            "--pred",
            out.resolve("masks").toString(),
            "--label",
            out.resolve("a_label.tif").toString(),
            out.resolve("a_pred.tif").toString(),
            "--num-classes",
            "4",
            "--output",
            out.resolve("none").toString());
    assertOneLineError(
        unmatched,
        out.resolve("a_label.tif")
            + " "
            + out.resolve("a_pred.tif")
            + ": no label raster matches a prediction by scene name (predictions: scene; labels: a_label, a_pred)");
  }

  /** --keep-going completes the other scenes but still exits 1, naming the failure. */
  @Test
  void keepGoingStillExitsWithOne() throws Exception {
    Path images = dir.resolve("keep-going");
    Files.createDirectories(images);
    Files.copy(image, images.resolve("good.tif"));
    Files.writeString(images.resolve("bad.tif"), "not a raster");
    Path out = dir.resolve("out-keep-going");
    Result r =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            images.toString(),
            "--output",
            out.toString(),
            "--keep-going",
            "--tile",
            "64",
            "--overlap",
            "8");
    assertOneLineError(r, images.resolve("bad.tif") + ": not a TIFF file");
    assertTrue(Files.exists(out.resolve("good.mask.tif")));
    assertTrue(Files.exists(out.resolve("run.json")));
    assertFalse(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void usageErrorsExitWithTwo() {
    Result r = run("segment", "--model", SAMPLE_MODEL);
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("Missing required options"), r.err());
    Result tta =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            image.toString(),
            "--output",
            dir.resolve("out-tta").toString(),
            "--tta",
            "d8");
    assertEquals(2, tta.exitCode());
    assertTrue(tta.err().contains("Invalid value for option '--tta'"), tta.err());
  }

  /**
   * An ensemble and TTA from a job file (lists repeat an option, in order), recorded in run.json.
   */
  @Test
  void aJobFileRunsAnAugmentedEnsemble() throws Exception {
    Path out = dir.resolve("ensemble-job-out");
    Path job = dir.resolve("ensemble-job.yaml");
    Files.writeString(
        job,
        String.join(
            "\n",
            "command: segment",
            "model: [" + SAMPLE_MODEL + ", " + SAMPLE_MODEL + "]",
            "model_weights: [2, 1]",
            "ensemble: vote",
            "tta: FLIPS",
            "input: [" + image.getParent() + "]",
            "output: " + out,
            "tile: 128",
            "overlap: 16",
            ""));
    Result r = run("run", job.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertEquals("flips", run.get("tta").asText());
    assertEquals("vote", run.at("/ensemble/mode").asText());
    assertEquals(List.of("2.0", "1.0"), run.at("/ensemble/models").findValuesAsText("weight"));
  }

  /** The models of an ensemble must agree on what each class id means. */
  @Test
  void ensembleModelsWithOtherClasses() throws Exception {
    Path lakes = Files.createDirectories(dir.resolve("lakes-model"));
    Files.copy(Path.of(SAMPLE_MODEL, "model.pt"), lakes.resolve("model.pt"));
    Files.writeString(
        lakes.resolve("model.json"),
        Files.readString(Path.of(SAMPLE_MODEL, "model.json")).replace("water", "lakes"));
    Path out = dir.resolve("out-lakes");
    Result r =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--model",
            lakes.toString(),
            "--input",
            image.toString(),
            "--output",
            out.toString());
    assertOneLineError(
        r,
        SAMPLE_MODEL
            + " and "
            + lakes
            + ": the models of an ensemble must have the same classes; [water, vegetation,"
            + " bare soil, built-up] vs [lakes, vegetation, bare soil, built-up]");
    assertNoOutput(out);
  }

  @Test
  void modelWeightsOnePositiveWeightPerModel() {
    Path out = dir.resolve("out-weights");
    List<String> twoModels =
        List.of(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--model",
            SAMPLE_MODEL,
            "--input",
            image.toString(),
            "--output",
            out.toString(),
            "--model-weights");
    assertOneLineError(
        run(concat(twoModels, "1")),
        "--model-weights: 1 weight(s) for 2 model(s); give one per --model, in the same order");
    assertOneLineError(
        run(concat(twoModels, "1,2,3")), "--model-weights: 3 weight(s) for 2 model(s)");
    assertOneLineError(
        run(concat(twoModels, "1,0")),
        "--model-weights: weights must be positive numbers; got 0.0");
    assertOneLineError(
        run(concat(twoModels, "2,-1")),
        "--model-weights: weights must be positive numbers; got -1.0");
    assertNoOutput(out);
  }

  private static String[] concat(List<String> args, String last) {
    List<String> all = new ArrayList<>(args);
    all.add(last);
    return all.toArray(String[]::new);
  }

  private void assertSegmentFails(Path input, String expectedStart) {
    Path out = dir.resolve("out-" + input.getFileName());
    Result r =
        run(
            "segment",
            "--model",
            SAMPLE_MODEL,
            "--input",
            input.toString(),
            "--output",
            out.toString());
    assertOneLineError(r, expectedStart);
    assertNoOutput(out);
  }

  private static void assertOneLineError(Result r, String expectedStart) {
    assertEquals(1, r.exitCode(), r.err());
    List<String> lines =
        r.err().lines().filter(l -> !l.startsWith("terraseg: details in")).toList();
    assertEquals(1, lines.size(), "one line on the console:\n" + r.err());
    String prefix = "terraseg: error: ";
    assertTrue(
        lines.get(0).startsWith(prefix + expectedStart),
        "expected '" + prefix + expectedStart + "...' but got '" + lines.get(0) + "'");
    assertFalse(r.err().contains("\tat "), "no stack trace on the console");
  }

  /** A failed run leaves no mask, no metrics and no _SUCCESS: at most an empty directory. */
  private static void assertNoOutput(Path out) {
    if (!Files.exists(out)) {
      return;
    }
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void gdal(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
  }
}
