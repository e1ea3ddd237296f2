package io.terraseg.cli;

import io.terraseg.TerraSegException;
import io.terraseg.jobs.EvaluateJob;
import io.terraseg.model.ModelSpec;
import io.terraseg.raster.MaskFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Compare prediction rasters with label rasters (matched by scene name) and write "
          + "metrics.json, metrics.csv and confusion_matrix.png."
    })
final class EvaluateCommand implements Callable<Integer> {
  @Option(
      names = "--pred",
      required = true,
      arity = "1..*",
      paramLabel = "PATH",
      description = "prediction GeoTIFF(s): file, directory or glob")
  List<String> predictions;

  @Option(
      names = "--label",
      required = true,
      arity = "1..*",
      paramLabel = "PATH",
      description = "label GeoTIFF(s): file, directory or glob")
  List<String> labels;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Classes classes;

  static final class Classes {
    @Option(
        names = "--num-classes",
        paramLabel = "K",
        description = "number of classes (ids 0..K-1)")
    Integer numClasses;

    @Option(
        names = "--model",
        paramLabel = "MODEL_DIR",
        description = "take classes and names from model.json")
    Path model;
  }

  @Option(
      names = "--ignore-index",
      paramLabel = "I",
      description = "label value left out of the metrics")
  Integer ignoreIndex;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "OUT_DIR",
      description = "output directory")
  String output;

  @Mixin SparkOptions spark;

  @Override
  public Integer call() {
    List<String> names;
    if (classes.model != null) {
      names = ModelSpec.read(classes.model).classNames();
    } else {
      if (classes.numClasses < 1 || classes.numClasses > MaskFormat.MAX_CLASSES) {
        throw new TerraSegException(
            "--num-classes must be between 1 and "
                + MaskFormat.MAX_CLASSES
                + "; got "
                + classes.numClasses);
      }
      names = IntStream.range(0, classes.numClasses).mapToObj(i -> "class " + i).toList();
    }
    EvaluateJob.run(
        spark.session("evaluate"),
        new EvaluateJob.Options(predictions, labels, names, ignoreIndex, output));
    return 0;
  }
}
