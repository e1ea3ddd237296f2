package io.terraseg.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** GDAL, the reference reader: our GeoTIFFs are checked against what gdalinfo says of them. */
final class Gdal {
  private Gdal() {}

  static JsonNode info(Path file) throws Exception {
    Process process;
    try {
      process =
          new ProcessBuilder("gdalinfo", "-json", file.toString())
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException e) {
      throw new AssertionError(
          "gdalinfo is needed to check GeoTIFFs against GDAL: run scripts/setup.sh", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new AssertionError("gdalinfo " + file + " failed: " + output);
    }
    return new ObjectMapper().readTree(output);
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError(String.join(" ", command) + ": " + output);
    }
  }
}
