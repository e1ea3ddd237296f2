package io.terraseg.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.terraseg.model.Ensemble;
import io.terraseg.model.Inference;
import io.terraseg.model.ModelDigest;
import io.terraseg.model.Tta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models' part of a scene's resume fingerprint: what makes a re-run skip or redo a scene. */
class FingerprintTest {
  static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");

  /** What the planner reads of an input: its size and modification time. */
  static final FileStatus IMAGE =
      new FileStatus(123_456, false, 1, 1 << 20, 1_700_000_000_000L, null);

  @TempDir Path dir;

  @Test
  void aCopiedModelDirectoryKeepsTheFingerprint() throws Exception {
    Path copy = copyOfSampleModel("copy");
    Files.writeString(copy.resolve("NOTES.md"), "trained on the 2024 tiles\n");
    assertEquals(single(SAMPLE_MODEL), single(copy));
  }

  @Test
  void aModelJsonRewrittenInPlaceChangesTheFingerprint() throws Exception {
    Path model = copyOfSampleModel("model");
    Fingerprint before = single(model);

    // Same size, written over the same file, its modification time set back as cp -p does: only
    // the content tells.
    Path json = model.resolve("model.json");
    FileTime modified = Files.getLastModifiedTime(json);
    Files.writeString(json, Files.readString(json).replace("water", "lakes"));
    Files.setLastModifiedTime(json, modified);
    assertEquals(Files.size(SAMPLE_MODEL.resolve("model.json")), Files.size(json));

    assertNotEquals(before, single(model));
  }

  /**
   * Every option that changes pixels is its own fingerprint: the TTA, the models and their order,
   * their weights and the ensemble mode, and whether the class probabilities are written. The same
   * options give the same fingerprint.
   */
  @Test
  void everyTtaAndEnsembleSettingIsItsOwnFingerprint() throws Exception {
    Path a = SAMPLE_MODEL;
    Path b = copyOfSampleModel("other");
    Files.writeString(
        b.resolve("model.json"),
        Files.readString(b.resolve("model.json")).replace("sample-landcover", "other"));
    Map<String, Fingerprint> settings = new LinkedHashMap<>();
    settings.put("one model", single(a));
    settings.put("flips", of(List.of(a), Tta.FLIPS, Ensemble.MEAN, 1.0));
    settings.put("d4", of(List.of(a), Tta.D4, Ensemble.MEAN, 1.0));
    settings.put("a, b", of(List.of(a, b), Tta.NONE, Ensemble.MEAN, 1.0, 1.0));
    settings.put("b, a", of(List.of(b, a), Tta.NONE, Ensemble.MEAN, 1.0, 1.0));
    settings.put("a, a", of(List.of(a, a), Tta.NONE, Ensemble.MEAN, 1.0, 1.0));
    settings.put("a, b weighted 2, 1", of(List.of(a, b), Tta.NONE, Ensemble.MEAN, 2.0, 1.0));
    settings.put("a, b weighted 1, 2", of(List.of(a, b), Tta.NONE, Ensemble.MEAN, 1.0, 2.0));
    settings.put("a, b voting", of(List.of(a, b), Tta.NONE, Ensemble.VOTE, 1.0, 1.0));
    settings.put("a, b with flips", of(List.of(a, b), Tta.FLIPS, Ensemble.MEAN, 1.0, 1.0));
    settings.put(
        "one model, probabilities",
        Fingerprint.of(
            List.of(a), Inference.single(), 256, 32, null, Products.MASK.withProbabilities(true)));
    Map<String, String> seen = new LinkedHashMap<>();
    settings.forEach(
        (name, fingerprint) -> {
          String other = seen.put(fingerprint.of(IMAGE, null), name);
          assertEquals(null, other, name + " has the fingerprint of " + other);
        });

    assertEquals(
        of(List.of(a, b), Tta.FLIPS, Ensemble.VOTE, 2.0, 1.0).of(IMAGE, null),
        of(List.of(a, b), Tta.FLIPS, Ensemble.VOTE, 2.0, 1.0).of(IMAGE, null));
    assertEquals(
        single(a).of(IMAGE, null),
        of(List.of(a), Tta.NONE, Ensemble.VOTE, 3.0).of(IMAGE, null),
        "one model: neither its weight nor the mode changes a pixel");
  }

  /**
   * One model without TTA hashes the text runs hashed before TTA and ensembles existed (with the
   * current output format, "terraseg-mask-3": COG masks, class areas, previews): adding them
   * recomputes nothing by itself.
   */
  @Test
  void oneModelWithoutTtaKeepsTheFingerprintOfEarlierRuns() throws Exception {
    String earlier =
        String.join(
            "\n",
            "terraseg-mask-3",
            "123456 bytes, modified 1700000000000",
            "no labels",
            ModelDigest.of(SAMPLE_MODEL),
            "tile 256",
            "overlap 32",
            "ignore null");
    assertEquals(
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(earlier.getBytes(StandardCharsets.UTF_8))),
        single(SAMPLE_MODEL).of(IMAGE, null));
  }

  private static Fingerprint single(Path model) {
    return Fingerprint.of(List.of(model), Inference.single(), 256, 32, null);
  }

  private static Fingerprint of(List<Path> models, Tta tta, Ensemble ensemble, Double... weights) {
    return Fingerprint.of(
        models, Inference.of(tta, ensemble, List.of(weights), models.size()), 256, 32, null);
  }

  private Path copyOfSampleModel(String name) throws Exception {
    Path copy = Files.createDirectories(dir.resolve(name));
    for (String file : new String[] {"model.json", "model.pt"}) {
      Files.copy(SAMPLE_MODEL.resolve(file), copy.resolve(file));
    }
    return copy;
  }
}
