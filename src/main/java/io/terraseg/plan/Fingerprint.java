package io.terraseg.plan;

import io.terraseg.TerraSegException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;

/**
 * What a scene's mask depends on, as one SHA-256: the input (and label) file's size and
 * modification time, the model directory's contents and every option that changes pixels or counts.
 * A re-run skips a scene whose recorded fingerprint matches and recomputes one whose fingerprint
 * changed.
 *
 * @param modelHash SHA-256 of every file in the model directory (names and bytes): weights and
 *     model.json, whose bands, normalization and classes change the pixels
 */
public record Fingerprint(String modelHash, int tileSize, int overlap, Integer ignoreIndex)
    implements Serializable {
  /** Bumped whenever the mask format changes, so older outputs are recomputed. */
  private static final String FORMAT = "terraseg-mask-1";

  public static Fingerprint of(Path modelDir, int tileSize, int overlap, Integer ignoreIndex) {
    return new Fingerprint(hashDirectory(modelDir), tileSize, overlap, ignoreIndex);
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

  private static String hashDirectory(Path dir) {
    MessageDigest digest = sha256();
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
      byte[] buffer = new byte[1 << 16];
      for (Path file : files) {
        digest.update(dir.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        try (InputStream in = Files.newInputStream(file)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
          }
        }
      }
    } catch (IOException e) {
      throw new TerraSegException(
          dir + ": cannot read the model directory (" + TerraSegException.describe(e) + ")", e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
