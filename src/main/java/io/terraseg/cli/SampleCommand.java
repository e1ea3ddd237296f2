package io.terraseg.cli;

import io.terraseg.tools.SampleScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = {
      "Write a synthetic georeferenced land-cover scene for the sample model: "
          + "OUT_DIR/images/NAME.tif (RGB uint8) and OUT_DIR/labels/NAME.tif (class ids). Any size; memory "
          + "stays constant."
    })
final class SampleCommand implements Callable<Integer> {
  @Option(
      names = "--output",
      required = true,
      paramLabel = "OUT_DIR",
      description = "output directory")
  Path output;

  @Option(names = "--name", defaultValue = "scene", description = "scene name (default: scene)")
  String name;

  @Option(names = "--width", defaultValue = "2048", description = "width in pixels (default 2048)")
  int width;

  @Option(
      names = "--height",
      defaultValue = "2048",
      description = "height in pixels (default 2048)")
  int height;

  @Option(names = "--seed", defaultValue = "1", description = "random seed (default 1)")
  long seed;

  @Option(names = "--nodata-border", description = "make the left quarter and a frame nodata")
  boolean nodataBorder;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path images = Files.createDirectories(output.resolve("images"));
    Path labels = Files.createDirectories(output.resolve("labels"));
    long start = System.nanoTime();
    SampleScene.write(
        images.resolve(name + ".tif"),
        labels.resolve(name + ".tif"),
        width,
        height,
        seed,
        nodataBorder);
    spec.commandLine()
        .getOut()
        .printf(
            "sample: wrote %s and %s (%d x %d) in %.1f s%n",
            images.resolve(name + ".tif"),
            labels.resolve(name + ".tif"),
            width,
            height,
            (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
