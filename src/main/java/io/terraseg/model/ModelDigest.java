package io.terraseg.model;

import io.terraseg.TerraSegException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What a model directory computes, as one SHA-256 of model.json and the weights file it names: the
 * key of the {@link ModelCache} and the model's part of a scene's resume fingerprint. A copy of the
 * directory has the same digest; a replaced model.json or weights file, a new one. Other files in
 * the directory (notes, training logs) change neither the pixels nor the digest.
 */
public final class ModelDigest {
  /**
   * Hashing a 200 MB weights file takes a fraction of a second to a second, and every task asks for
   * the digest, so each file's SHA-256 is remembered for the JVM's life together with the file's
   * size, modification time, file key (device and inode) and, where the platform has one, change
   * time; a file whose attributes differ in any of them is hashed again. The change time catches
   * what the other three miss: a new version of the same size whose modification time was set back
   * (cp -p, rsync -t, unzip) into a reused inode. One entry per path: the memo grows with the
   * number of model files the JVM has seen, not with their versions.
   */
  private static final ConcurrentMap<Path, Hashed> FILES = new ConcurrentHashMap<>();

  private static final boolean UNIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

  private record Stamp(long size, Object modified, Object fileKey, Object changed) {}

  private record Hashed(Stamp stamp, byte[] sha256) {}

  private ModelDigest() {}

  /** Hex SHA-256 of {@code modelDir}'s model.json and weights; errors name the file. */
  public static String of(Path modelDir) {
    ModelSpec spec = ModelSpec.read(modelDir);
    MessageDigest digest = sha256();
    digest.update(file(modelDir.resolve(ModelSpec.FILE)));
    digest.update(file(SegmentationModel.weights(modelDir, spec)));
    return HexFormat.of().formatHex(digest.digest());
  }

  private static byte[] file(Path file) {
    Path key = file.toAbsolutePath().normalize();
    try {
      // Stat before hashing: a file replaced while it is hashed then has a stamp that no longer
      // matches, and the next call hashes it again.
      Stamp stamp = stamp(key);
      Hashed known = FILES.get(key);
      if (known != null && known.stamp().equals(stamp)) {
        return known.sha256();
      }
      byte[] sha256 = hash(key);
      FILES.put(key, new Hashed(stamp, sha256));
      return sha256;
    } catch (IOException e) {
      throw new TerraSegException(
          file + ": cannot read the model (" + TerraSegException.describe(e) + ")", e);
    }
  }

  private static Stamp stamp(Path file) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    return new Stamp(
        attributes.size(),
        attributes.lastModifiedTime(),
        attributes.fileKey(),
        UNIX ? Files.getAttribute(file, "unix:ctime") : null);
  }

  private static byte[] hash(Path file) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return digest.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
