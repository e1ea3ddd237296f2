package io.terraseg.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.MaskFormat;
import io.terraseg.raster.RasterInfo;
import io.terraseg.raster.SampleType;
import io.terraseg.raster.TestRasters;
import java.awt.Rectangle;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskTiffWriterTest {
  private static final int WIDTH = 300;
  private static final int HEIGHT = 200;
  private static final int TILE = 128; // 3 x 2 tiles; the right column and bottom row are partial
  private static final int[] COLORS = {0x1f78b4, 0x33a02c, 0xb15928, 0xa6a6a6, 0xffff99};

  @TempDir Path dir;

  /** Classes 0..4 in diagonal bands; a nodata block in the top-left corner. */
  private static int pattern(int x, int y) {
    return x < 40 && y < 30 ? MaskFormat.NODATA : (x / 7 + y / 5) % COLORS.length;
  }

  @Test
  void maskHasTheScenesGridAndGdalReadsItAsWritten() throws Exception {
    Path scene =
        TestRasters.raster(WIDTH, HEIGHT, 3, SampleType.UINT8, (x, y, b) -> (x + y + b) & 0xFF)
            .tiles(64, 64)
            .georeference(32633, 612_340.0, 20, 0, 5_010_000.0, 0, -20)
            .write(dir.resolve("scene.tif"));
    RasterInfo sceneInfo = GeoTiffFile.readInfo(scene.toString(), new Configuration());
    Path mask = dir.resolve("mask.tif");
    writeMask(mask, sceneInfo);

    RasterInfo info = GeoTiffFile.readInfo(mask.toString(), new Configuration());
    assertEquals(List.of(WIDTH, HEIGHT, 1), List.of(info.width(), info.height(), info.bands()));
    assertEquals(SampleType.UINT8, info.sampleType());
    assertEquals(32633, info.epsg());
    assertArrayEquals(sceneInfo.geoTransform(), info.geoTransform(), 0);
    assertEquals(
        List.of(true, TILE, TILE), List.of(info.tiled(), info.blockWidth(), info.blockHeight()));
    assertEquals("DEFLATE", info.compression());
    assertEquals(255.0, info.nodata());
    try (GeoTiffFile file = GeoTiffFile.open(mask.toString(), new Configuration())) {
      Raster all = file.readWindow(new Rectangle(0, 0, WIDTH, HEIGHT));
      for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
          assertEquals(pattern(x, y), all.getSample(x, y, 0), "pixel (" + x + ", " + y + ")");
        }
      }
    }

    JsonNode gdal = TestRasters.gdalinfo(mask);
    JsonNode gdalScene = TestRasters.gdalinfo(scene);
    assertEquals(
        List.of(WIDTH, HEIGHT), List.of(gdal.at("/size/0").asInt(), gdal.at("/size/1").asInt()));
    assertEquals(gdalScene.get("geoTransform"), gdal.get("geoTransform"));
    assertEquals(gdalScene.at("/coordinateSystem/wkt"), gdal.at("/coordinateSystem/wkt"));
    assertEquals(32633, gdal.at("/stac/proj:epsg").asInt());
    assertEquals(1, gdal.get("bands").size());
    JsonNode band = gdal.at("/bands/0");
    assertEquals("Byte", band.get("type").asText());
    assertEquals(
        List.of(TILE, TILE), List.of(band.at("/block/0").asInt(), band.at("/block/1").asInt()));
    assertEquals("DEFLATE", gdal.at("/metadata/IMAGE_STRUCTURE/COMPRESSION").asText());
    assertEquals(255.0, band.get("noDataValue").asDouble());
    assertEquals("Palette", band.get("colorInterpretation").asText());
    JsonNode entries = band.at("/colorTable/entries");
    assertEquals(256, entries.size());
    for (int k = 0; k < 256; k++) {
      int rgb = k < COLORS.length ? COLORS[k] : 0;
      assertEquals(
          List.of(rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF),
          List.of(
              entries.at("/" + k + "/0").asInt(),
              entries.at("/" + k + "/1").asInt(),
              entries.at("/" + k + "/2").asInt()),
          "color table entry " + k);
    }

    // GDAL's own decoder: pixels, and the CRS as GDAL identifies it.
    JsonNode python =
        new ObjectMapper()
            .readTree(
                TestRasters.python(
                    String.join(
                        "\n",
                        "import hashlib, json, sys",
                        "from osgeo import gdal, osr",
                        "gdal.UseExceptions()",
                        "ds = gdal.Open(sys.argv[1])",
                        "srs = osr.SpatialReference(wkt=ds.GetProjection())",
                        "pixels = ds.GetRasterBand(1).ReadAsArray()",
                        "print(json.dumps({'epsg': srs.GetAuthorityCode(None), 'sha256': hashlib.sha256(pixels.tobytes()).hexdigest(),",
                        "    'shape': list(pixels.shape), 'checksum': ds.GetRasterBand(1).Checksum()}))"),
                    mask.toString()));
    assertEquals("32633", python.get("epsg").asText());
    assertEquals(
        List.of(HEIGHT, WIDTH),
        List.of(python.at("/shape/0").asInt(), python.at("/shape/1").asInt()));
    assertEquals(sha256OfPattern(), python.get("sha256").asText());
  }

  @Test
  void tilesOutOfOrderOrResizedAreRefused() throws IOException {
    byte[] tile = deflate(new byte[TILE * TILE]);
    try (OutputStream out = Files.newOutputStream(dir.resolve("m.tif"))) {
      MaskTiffWriter writer =
          new MaskTiffWriter(out, TILE, TILE, TILE, new long[] {tile.length}, COLORS, null);
      assertThrows(IllegalStateException.class, () -> writer.writeTile(new byte[tile.length + 1]));
      writer.writeTile(tile);
      assertThrows(IllegalStateException.class, () -> writer.writeTile(tile));
    }
  }

  private static void writeMask(Path mask, RasterInfo scene) throws IOException {
    int across = (WIDTH + TILE - 1) / TILE;
    int down = (HEIGHT + TILE - 1) / TILE;
    byte[][] tiles = new byte[across * down][];
    for (int ty = 0; ty < down; ty++) {
      for (int tx = 0; tx < across; tx++) {
        // TIFF tiles are always whole; the part beyond the image is padding (nodata here).
        byte[] raw = new byte[TILE * TILE];
        for (int y = 0; y < TILE; y++) {
          for (int x = 0; x < TILE; x++) {
            int gx = tx * TILE + x;
            int gy = ty * TILE + y;
            raw[y * TILE + x] =
                (byte) (gx < WIDTH && gy < HEIGHT ? pattern(gx, gy) : MaskFormat.NODATA);
          }
        }
        tiles[ty * across + tx] = deflate(raw);
      }
    }
    long[] sizes = new long[tiles.length];
    for (int i = 0; i < tiles.length; i++) {
      sizes[i] = tiles[i].length;
    }
    try (MaskTiffWriter writer =
        new MaskTiffWriter(
            Files.newOutputStream(mask), WIDTH, HEIGHT, TILE, sizes, COLORS, scene.geoTags())) {
      for (byte[] tile : tiles) {
        writer.writeTile(tile);
      }
    }
  }

  private static byte[] deflate(byte[] raw) {
    Deflater deflater = new Deflater(6);
    deflater.setInput(raw);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  private static String sha256OfPattern() throws NoSuchAlgorithmException {
    byte[] pixels = new byte[WIDTH * HEIGHT];
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        pixels[y * WIDTH + x] = (byte) pattern(x, y);
      }
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pixels));
  }
}
