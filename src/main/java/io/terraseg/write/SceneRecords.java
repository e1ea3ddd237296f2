package io.terraseg.write;

import io.terraseg.TerraSegException;
import io.terraseg.plan.Products;
import io.terraseg.raster.HadoopFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A scene's commit record, OUT_DIR/_scenes/NAME.json: written after the scene's mask, preview and
 * probabilities are in place, so a scene is complete exactly when its record exists, its mask has
 * the recorded size and its preview (and the probabilities and polygons the run asks for) exist.
 */
public final class SceneRecords {
  private SceneRecords() {}

  /**
   * The recorded result of {@code scene} when it is complete and has this fingerprint, else null.
   *
   * @param products the products the run asks for: the scene is complete only with their files
   */
  public static SceneResult complete(
      Path root, String scene, String fingerprint, Products products, Configuration conf) {
    Path record = OutputLayout.record(root, scene);
    try {
      FileSystem fs = HadoopFiles.fileSystem(record, conf);
      SceneResult result;
      try (InputStream in = fs.open(record)) {
        result = SceneResult.fromJson(in.readAllBytes());
      } catch (FileNotFoundException e) {
        return null;
      }
      if (!fingerprint.equals(result.fingerprint())
          || result.mask() == null
          || result.preview() == null) {
        return null;
      }
      FileStatus mask = fs.getFileStatus(new Path(root, result.mask()));
      // A lost preview recomputes the scene as a lost mask does.
      FileStatus preview = fs.getFileStatus(new Path(root, result.preview()));
      if (products.probabilities() && !isFile(fs, root, result.probabilities())) {
        return null;
      }
      if (products.vectors()
          && !(isFile(fs, root, result.polygons()) && isFile(fs, root, result.polygonTable()))) {
        return null;
      }
      return mask.getLen() == result.maskBytes() && preview.isFile() ? result : null;
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      // An unreadable record (say, from an older version) only means the scene is computed again.
      return null;
    }
  }

  private static boolean isFile(FileSystem fs, Path root, String name) throws IOException {
    return name != null && fs.getFileStatus(new Path(root, name)).isFile();
  }

  /**
   * Removes the record first when a scene is about to be replaced: until the new one lands, it is
   * incomplete.
   */
  static void remove(FileSystem fs, Path root, String scene) throws IOException {
    fs.delete(OutputLayout.record(root, scene), false);
  }

  static void write(FileSystem fs, Path root, SceneResult result) throws IOException {
    Path temporary = OutputLayout.temporary(root, result.name() + ".json");
    try (OutputStream out = fs.create(temporary, true)) {
      out.write(result.toJson());
    }
    Path record = OutputLayout.record(root, result.name());
    fs.mkdirs(record.getParent());
    HadoopFiles.replace(fs, temporary, record);
  }

  static TerraSegException cannotWrite(Path file, IOException e) {
    return new TerraSegException(
        file + ": cannot write (" + TerraSegException.describe(e) + ")", e);
  }
}
