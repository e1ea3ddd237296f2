package io.terraseg.raster;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.tools.GeneratedGeoTiff;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Small GeoTIFFs of any layout for tests, written by GeoTools, and GDAL as the reference that
 * checks them. GDAL is required, not optional: without it a test fails saying so instead of
 * silently skipping.
 */
public final class TestRasters {
  private TestRasters() {}

  /** The value of band {@code band} (0-based) at pixel (x, y). */
  @FunctionalInterface
  public interface PixelFunction {
    double value(int x, int y, int band);
  }

  /**
   * What to write. Start from {@link #raster} and adjust with the {@code with*} methods.
   *
   * @param blockHeight tile height when tiled, rows per strip otherwise
   * @param compression NONE, DEFLATE or LZW
   */
  public record Spec(
      int width,
      int height,
      int bands,
      SampleType type,
      PixelFunction pixels,
      boolean tiled,
      int blockWidth,
      int blockHeight,
      String compression,
      Double nodata,
      int epsg,
      double[] geoTransform) {

    public Spec tiles(int tileWidth, int tileHeight) {
      return new Spec(
          width,
          height,
          bands,
          type,
          pixels,
          true,
          tileWidth,
          tileHeight,
          compression,
          nodata,
          epsg,
          geoTransform);
    }

    public Spec strips(int rowsPerStrip) {
      return new Spec(
          width,
          height,
          bands,
          type,
          pixels,
          false,
          width,
          rowsPerStrip,
          compression,
          nodata,
          epsg,
          geoTransform);
    }

    public Spec compression(String codec) {
      return new Spec(
          width,
          height,
          bands,
          type,
          pixels,
          tiled,
          blockWidth,
          blockHeight,
          codec,
          nodata,
          epsg,
          geoTransform);
    }

    public Spec nodata(Double value) {
      return new Spec(
          width,
          height,
          bands,
          type,
          pixels,
          tiled,
          blockWidth,
          blockHeight,
          compression,
          value,
          epsg,
          geoTransform);
    }

    public Spec georeference(int epsgCode, double... gdalGeoTransform) {
      return new Spec(
          width,
          height,
          bands,
          type,
          pixels,
          tiled,
          blockWidth,
          blockHeight,
          compression,
          nodata,
          epsgCode,
          gdalGeoTransform.clone());
    }

    /** Writes the GeoTIFF and returns {@code file}. */
    public Path write(Path file) {
      new GeneratedGeoTiff(
              width,
              height,
              bands,
              type,
              tiled,
              blockWidth,
              blockHeight,
              compression,
              nodata,
              epsg,
              geoTransform,
              null,
              this::fill)
          .write(file);
      return file;
    }

    private void fill(WritableRaster block) {
      for (int y = block.getMinY(); y < block.getMinY() + block.getHeight(); y++) {
        for (int x = block.getMinX(); x < block.getMinX() + block.getWidth(); x++) {
          for (int b = 0; b < bands; b++) {
            block.setSample(x, y, b, pixels.value(x, y, b));
          }
        }
      }
    }
  }

  /**
   * A width × height raster, tiled 64×64, DEFLATE, no nodata, in UTM 33N with 10 m pixels at
   * (500000, 4100000).
   */
  public static Spec raster(
      int width, int height, int bands, SampleType type, PixelFunction pixels) {
    return new Spec(
        width,
        height,
        bands,
        type,
        pixels,
        true,
        64,
        64,
        "DEFLATE",
        null,
        32633,
        new double[] {500_000, 10, 0, 4_100_000, 0, -10});
  }

  /** {@code gdalinfo -json file}, parsed. */
  public static JsonNode gdalinfo(Path file) {
    try {
      return new ObjectMapper().readTree(run("gdalinfo", "-json", file.toString()));
    } catch (IOException e) {
      throw new AssertionError("gdalinfo -json " + file + " printed invalid JSON", e);
    }
  }

  /**
   * Runs a GDAL tool (or any command) and returns its standard output; a failure fails the test.
   */
  public static String run(String... command) {
    List<String> args = List.of(command);
    try {
      // Warnings go to stderr, which must not mix with output that is parsed (JSON).
      Path errors = Files.createTempFile("terraseg-command", ".err");
      Process process = new ProcessBuilder(args).redirectError(errors.toFile()).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", args) + " did not finish in 60 s");
      }
      String stderr = Files.readString(errors);
      Files.delete(errors);
      if (process.exitValue() != 0) {
        fail(
            String.join(" ", args)
                + " exited with "
                + process.exitValue()
                + ":\n"
                + output
                + stderr);
      }
      return output;
    } catch (IOException e) {
      throw new AssertionError(
          command[0]
              + " is required by this test but could not be run ("
              + e.getMessage()
              + "); install GDAL: apt-get install gdal-bin python3-gdal",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command[0], e);
    }
  }

  /**
   * The polygons of a vector file as GDAL reads them (through ogr2ogr's WKT), each with its integer
   * {@code classField} as user data.
   */
  public static List<org.locationtech.jts.geom.Polygon> polygons(Path file, String classField) {
    String csv =
        run(
            "ogr2ogr",
            "-f",
            "CSV",
            "/vsistdout/",
            file.toString(),
            "-select",
            classField,
            "-lco",
            "GEOMETRY=AS_WKT");
    List<org.locationtech.jts.geom.Polygon> polygons = new ArrayList<>();
    org.locationtech.jts.io.WKTReader reader = new org.locationtech.jts.io.WKTReader();
    for (String line : csv.split("\n")) {
      if (!line.startsWith("\"POLYGON")) {
        continue;
      }
      int close = line.indexOf('"', 1);
      try {
        var polygon = (org.locationtech.jts.geom.Polygon) reader.read(line.substring(1, close));
        polygon.setUserData(Integer.parseInt(line.substring(close + 2).replace("\"", "").trim()));
        polygons.add(polygon);
      } catch (org.locationtech.jts.io.ParseException e) {
        throw new AssertionError(file + ": GDAL gave unreadable WKT " + line, e);
      }
    }
    return polygons;
  }

  /**
   * Runs a Python snippet with the system interpreter, which has GDAL's osgeo bindings; args are
   * sys.argv[1:].
   */
  public static String python(String code, String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", code));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new));
  }

  /**
   * A mask checked as a Cloud-Optimized GeoTIFF by GDAL (src/test/resources/check_cog.py): the
   * validator's errors, the levels' sizes, and each overview's pixels against the 2×2 mode rule.
   */
  public static JsonNode cog(Path mask) {
    try (var script = TestRasters.class.getResourceAsStream("/check_cog.py")) {
      String code = new String(script.readAllBytes(), StandardCharsets.UTF_8);
      return new ObjectMapper().readTree(python(code, mask.toString()));
    } catch (IOException e) {
      throw new AssertionError("check_cog.py on " + mask + " failed", e);
    }
  }
}
