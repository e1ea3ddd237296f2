package io.terraseg.write;

import java.util.UUID;
import org.apache.hadoop.fs.Path;

/**
 * Where things live in OUT_DIR. Users see NAME.mask.tif, NAME.preview.png (NAME.prob.tif,
 * NAME.polygons.fgb, polygons.parquet/NAME.parquet) and the run's reports; the commit records sit
 * in _scenes/ and work in progress in .terraseg/, names that Hadoop and Spark readers treat as
 * hidden, so nothing half-written can be mistaken for output.
 */
public final class OutputLayout {
  public static final String MASK_SUFFIX = ".mask.tif";
  static final String RECORDS = "_scenes";
  static final String WORK = ".terraseg";

  private OutputLayout() {}

  public static String maskName(String scene) {
    return scene + MASK_SUFFIX;
  }

  public static Path mask(Path root, String scene) {
    return new Path(root, maskName(scene));
  }

  static Path preview(Path root, String scene) {
    return new Path(root, scene + ".preview.png");
  }

  /** The class probabilities of a scene, with --probabilities. */
  static Path probabilities(Path root, String scene) {
    return new Path(root, scene + ".prob.tif");
  }

  /** The polygons of a scene, with --vectors. */
  static Path polygons(Path root, String scene) {
    return new Path(root, scene + ".polygons.fgb");
  }

  /**
   * A scene's file of the run's GeoParquet dataset, with --vectors: one file per scene, so a scene
   * is replaced or resumed on its own.
   */
  static Path polygonTable(Path root, String scene) {
    return new Path(root, polygonTableName(scene));
  }

  /** {@link #polygonTable}'s path inside OUT_DIR, as the record gives it. */
  static String polygonTableName(String scene) {
    return "polygons.parquet/" + scene + ".parquet";
  }

  static Path record(Path root, String scene) {
    return new Path(new Path(root, RECORDS), scene + ".json");
  }

  /** Finished tile ranges of a scene that spans several tasks, waiting to be assembled. */
  static Path parts(Path root, String scene) {
    return new Path(new Path(new Path(root, WORK), "parts"), scene);
  }

  /** A unique temporary name for {@code fileName}, renamed into place once complete. */
  static Path temporary(Path root, String fileName) {
    return new Path(new Path(new Path(root, WORK), "tmp"), fileName + "." + UUID.randomUUID());
  }

  /**
   * Everything of a run's work in progress (parts, temporary files): removed at the start and end
   * of a run.
   */
  static Path work(Path root) {
    return new Path(root, WORK);
  }
}
