package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.terraseg.TerraSegException;
import io.terraseg.model.arch.ArchitectureSpec;
import io.terraseg.model.arch.Architectures;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.report.RunSummary;
import io.terraseg.tools.SampleScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Java-built network named in model.json runs through segment like a TorchScript model. */
class NativeArchitectureSegmentTest {
  @TempDir Path dir;

  @Test
  void deeplabv3plusFromModelJsonSegmentsAScene() throws Exception {
    Path model = modelDir("deeplabv3plus", 4, 4);
    Path image = dir.resolve("images/scene.tif");
    SampleScene.write(image, dir.resolve("labels/scene.tif"), 150, 100, 2, false);
    Path out = dir.resolve("out");
    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(),
            new SegmentJob.Options(
                model,
                List.of(image.toString()),
                out.toString(),
                null,
                null,
                2,
                List.of(dir.resolve("labels").toString()),
                null));
    assertEquals(6, summary.tilesPredicted()); // ceil(150/64) x ceil(100/64) with T=96, O=16
    int[] mask = SegmentJobTest.readAll(out.resolve("scene.mask.tif"));
    assertTrue(Arrays.stream(mask).allMatch(c -> c >= 0 && c < 4), "class ids 0..3 only");
    assertTrue(
        GeoTiffFile.readInfo(out.resolve("scene.mask.tif").toString(), new Configuration())
            .sameGridAs(GeoTiffFile.readInfo(image.toString(), new Configuration())));
    assertTrue(Files.exists(out.resolve("metrics.json")));
  }

  @Test
  void weightsForAnotherClassCountNameTheTensor() throws Exception {
    Path model = modelDir("fastfcn", 5, 4); // weights for 5 classes, model.json lists 4
    Path image = dir.resolve("one/scene.tif");
    SampleScene.write(image, dir.resolve("one-labels/scene.tif"), 100, 100, 2, false);
    TerraSegException e =
        assertThrows(
            TerraSegException.class,
            () ->
                SegmentJob.run(
                    TestSpark.session(),
                    new SegmentJob.Options(
                        model,
                        List.of(image.toString()),
                        dir.resolve("bad").toString(),
                        null,
                        null,
                        2,
                        List.of(),
                        null)));
    assertTrue(
        e.getMessage().startsWith(model.resolve("model.safetensors") + ": "), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "tensor head.4.weight has shape (5, 512, 1, 1) but the model expects (4, 512, 1, 1)"),
        e.getMessage());
    assertTrue(
        !Files.exists(dir.resolve("bad")) || Files.list(dir.resolve("bad")).findAny().isEmpty());
  }

  /** A model directory with random ResNet-18 weights saved as a safetensors state dict. */
  private Path modelDir(String architecture, int weightClasses, int jsonClasses) throws Exception {
    Path model = Files.createDirectories(dir.resolve(architecture + "-model"));
    ArchitectureSpec spec =
        new ArchitectureSpec(
            architecture,
            "resnet18",
            architecture.equals("fastfcn") ? null : 16,
            architecture.equals("fastfcn") ? "fcn" : null);
    Block block = Architectures.build(spec, 3, weightClasses);
    try (Model m = Model.newInstance("random", Device.cpu(), "PyTorch")) {
      m.setBlock(block);
      block.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
      Architectures.save(block, model.resolve("model.safetensors"));
    }
    StringBuilder classes = new StringBuilder();
    for (int k = 0; k < jsonClasses; k++) {
      classes
          .append(k == 0 ? "" : ", ")
          .append("{\"id\": ")
          .append(k)
          .append(", \"name\": \"c")
          .append(k)
          .append("\", \"color\": \"#10203")
          .append(k)
          .append("\"}");
    }
    Files.writeString(
        model.resolve("model.json"),
        """
        {"name": "random-%s", "architecture": "%s", "backbone": "resnet18", %s
         "weights": "model.safetensors", "classes": [%s],
         "input": {"bands": [1, 2, 3], "scale": 255.0, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
         "tile": {"size": 96, "overlap": 16}}
        """
            .formatted(
                architecture,
                architecture,
                architecture.equals("fastfcn") ? "\"head\": \"fcn\"," : "\"output_stride\": 16,",
                classes));
    return model;
  }
}
