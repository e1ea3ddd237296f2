package io.terraseg.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model's part of a scene's resume fingerprint: what makes a re-run skip or redo a scene. */
class FingerprintTest {
  static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");

  @TempDir Path dir;

  @Test
  void aCopiedModelDirectoryKeepsTheFingerprint() throws Exception {
    Path copy = copyOfSampleModel("copy");
    Files.writeString(copy.resolve("NOTES.md"), "trained on the 2024 tiles\n");
    assertEquals(Fingerprint.of(SAMPLE_MODEL, 256, 32, null), Fingerprint.of(copy, 256, 32, null));
  }

  @Test
  void aModelJsonRewrittenInPlaceChangesTheFingerprint() throws Exception {
    Path model = copyOfSampleModel("model");
    Fingerprint before = Fingerprint.of(model, 256, 32, null);

    // Same size, written over the same file, its modification time set back as cp -p does: only
    // the content tells.
    Path json = model.resolve("model.json");
    FileTime modified = Files.getLastModifiedTime(json);
    Files.writeString(json, Files.readString(json).replace("water", "lakes"));
    Files.setLastModifiedTime(json, modified);
    assertEquals(Files.size(SAMPLE_MODEL.resolve("model.json")), Files.size(json));

    assertNotEquals(before, Fingerprint.of(model, 256, 32, null));
  }

  private Path copyOfSampleModel(String name) throws Exception {
    Path copy = Files.createDirectories(dir.resolve(name));
    for (String file : new String[] {"model.json", "model.pt"}) {
      Files.copy(SAMPLE_MODEL.resolve(file), copy.resolve(file));
    }
    return copy;
  }
}
