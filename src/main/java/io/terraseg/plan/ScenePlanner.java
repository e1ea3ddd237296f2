package io.terraseg.plan;

import io.terraseg.TerraSegException;
import io.terraseg.predict.ReadOrder;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.HadoopConf;
import io.terraseg.raster.HadoopFiles;
import io.terraseg.raster.RasterInfo;
import io.terraseg.tiling.TileGrid;
import io.terraseg.write.SceneRecords;
import io.terraseg.write.SceneResult;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver's plan of a segment run, made by one Spark job over the inputs: executors read each
 * scene's header (and its label raster's), check bands and grids, and compare the fingerprint with
 * the scene's commit record, so thousands of headers are read in parallel and a complete scene
 * costs one small file read.
 */
public final class ScenePlanner {
  /**
   * @param bands the model's input bands (1-based), checked against each scene
   * @param force recompute scenes even when their records match
   */
  public record Settings(Fingerprint fingerprint, int[] bands, String output, boolean force)
      implements Serializable {}

  private record Input(String name, String image, String label) implements Serializable {}

  private ScenePlanner() {}

  /** One planned scene per input, in name order. */
  public static List<PlannedScene> plan(
      JavaSparkContext jsc,
      Map<String, String> images,
      Map<String, String> labels,
      Settings settings) {
    List<Input> inputs = new ArrayList<>();
    images.forEach((name, image) -> inputs.add(new Input(name, image, labels.get(name))));
    if (inputs.isEmpty()) {
      return List.of();
    }
    HadoopConf conf = new HadoopConf(jsc.hadoopConfiguration());
    int slices = Math.min(inputs.size(), Math.max(1, jsc.defaultParallelism() * 4));
    List<PlannedScene> planned =
        new ArrayList<>(
            jsc.parallelize(inputs, slices)
                .map(input -> plan(input, settings, conf.get()))
                .collect());
    planned.sort(Comparator.comparing(PlannedScene::name));
    return planned;
  }

  private static PlannedScene plan(Input input, Settings settings, Configuration conf) {
    try {
      String fingerprint =
          settings
              .fingerprint()
              .of(
                  status(input.image(), conf),
                  input.label() == null ? null : status(input.label(), conf));
      if (!settings.force()) {
        SceneResult previous =
            SceneRecords.complete(
                new Path(settings.output()),
                input.name(),
                fingerprint,
                settings.fingerprint().products(),
                conf);
        if (previous != null) {
          return new PlannedScene(
              input.name(), input.image(), input.label(), null, previous.skipped(), null);
        }
      }
      // Only a scene compared with labels needs its CRS decoded (the first decode in a JVM costs a
      // second).
      RasterInfo image =
          input.label() != null
              ? GeoTiffFile.readInfo(input.image(), conf)
              : GeoTiffFile.readLayout(input.image(), conf);
      RasterInfo label =
          input.label() == null
              ? null
              : LabelRasters.check(GeoTiffFile.readInfo(input.label(), conf), image);
      for (int band : settings.bands()) {
        if (band > image.bands()) {
          throw new TerraSegException(
              image.uri()
                  + ": has "
                  + image.bands()
                  + " band(s); model.json asks for band "
                  + band);
        }
      }
      Fingerprint f = settings.fingerprint();
      Scene scene =
          new Scene(
              input.name(),
              image,
              label,
              new TileGrid(
                  image.width(),
                  image.height(),
                  f.tileSize(),
                  f.overlap(),
                  ReadOrder.stripColumns(image, f.tileSize(), f.overlap())),
              fingerprint);
      return new PlannedScene(input.name(), input.image(), input.label(), scene, null, null);
    } catch (TerraSegException e) {
      return new PlannedScene(
          input.name(), input.image(), input.label(), null, null, e.getMessage());
    }
  }

  private static FileStatus status(String uri, Configuration conf) {
    Path path = new Path(uri);
    try {
      return HadoopFiles.fileSystem(path, conf).getFileStatus(path);
    } catch (java.io.FileNotFoundException e) {
      throw new TerraSegException(uri + ": no such file");
    } catch (IOException e) {
      throw new TerraSegException(uri + ": cannot open (" + TerraSegException.describe(e) + ")", e);
    }
  }
}
