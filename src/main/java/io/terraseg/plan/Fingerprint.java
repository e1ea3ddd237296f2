package io.terraseg.plan;

import io.terraseg.model.ModelDigest;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.FileStatus;

/**
 * What a scene's mask depends on, as one SHA-256: the input (and label) file's size and
 * modification time, the model's content and every option that changes pixels or counts. A re-run
 * skips a scene whose recorded fingerprint matches and recomputes one whose fingerprint changed.
 *
 * @param modelHash the {@link ModelDigest} of the model directory (weights and model.json, whose
 *     bands, normalization and classes change the pixels): the executors' model cache knows the
 *     model by the same digest, and a copy of the directory keeps it
 */
public record Fingerprint(String modelHash, int tileSize, int overlap, Integer ignoreIndex)
    implements Serializable {
  /** Bumped whenever the mask format changes, so older outputs are recomputed. */
  private static final String FORMAT = "terraseg-mask-2"; // 2: COG with overviews, class areas

  public static Fingerprint of(Path modelDir, int tileSize, int overlap, Integer ignoreIndex) {
    return new Fingerprint(ModelDigest.of(modelDir), tileSize, overlap, ignoreIndex);
  }

  String of(FileStatus image, FileStatus label) {
    String text =
        String.join(
            "\n",
            FORMAT,
            file(image),
            label == null ? "no labels" : file(label),
            modelHash,
            "tile " + tileSize,
            "overlap " + overlap,
            "ignore " + ignoreIndex);
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String file(FileStatus status) {
    return status.getLen() + " bytes, modified " + status.getModificationTime();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
