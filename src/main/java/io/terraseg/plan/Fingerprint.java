package io.terraseg.plan;

import io.terraseg.model.Inference;
import io.terraseg.model.ModelDigest;
import io.terraseg.model.Tta;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;

/**
 * What a scene's mask depends on, as one SHA-256: the input (and label) file's size and
 * modification time, the models' content and every option that changes pixels or counts. A re-run
 * skips a scene whose recorded fingerprint matches and recomputes one whose fingerprint changed.
 *
 * @param modelHashes the {@link ModelDigest} of each model directory, in order (weights and
 *     model.json, whose bands, normalization and classes change the pixels): the executors' model
 *     cache knows a model by the same digest, and a copy of the directory keeps it
 * @param inference test-time augmentation, ensemble mode and weights
 * @param products what the scene's outputs include besides mask and preview
 */
public record Fingerprint(
    List<String> modelHashes,
    Inference inference,
    int tileSize,
    int overlap,
    Integer ignoreIndex,
    Products products)
    implements Serializable {
  /** Bumped whenever a scene's outputs change, so older outputs are recomputed. */
  private static final String FORMAT = "terraseg-mask-3"; // 3: previews; 2: COG, class areas

  /** The mask and preview only. */
  public static Fingerprint of(
      List<Path> modelDirs, Inference inference, int tileSize, int overlap, Integer ignoreIndex) {
    return of(modelDirs, inference, tileSize, overlap, ignoreIndex, Products.MASK);
  }

  public static Fingerprint of(
      List<Path> modelDirs,
      Inference inference,
      int tileSize,
      int overlap,
      Integer ignoreIndex,
      Products products) {
    return new Fingerprint(
        modelDirs.stream().map(ModelDigest::of).toList(),
        inference,
        tileSize,
        overlap,
        ignoreIndex,
        products);
  }

  String of(FileStatus image, FileStatus label) {
    List<String> lines = new ArrayList<>();
    lines.add(FORMAT);
    lines.add(file(image));
    lines.add(label == null ? "no labels" : file(label));
    // One model without TTA hashes the same text as before TTA and ensembles existed, so the
    // masks of earlier runs stay complete. With one model, mode and weight change nothing.
    lines.add(String.join(",", modelHashes));
    if (modelHashes.size() > 1) {
      lines.add("weights " + inference.weights());
      lines.add("ensemble " + inference.ensemble());
    }
    if (inference.tta() != Tta.NONE) {
      lines.add("tta " + inference.tta());
    }
    lines.add("tile " + tileSize);
    lines.add("overlap " + overlap);
    lines.add("ignore " + ignoreIndex);
    lines.addAll(products.fingerprintLines());
    return HexFormat.of()
        .formatHex(sha256().digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
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
