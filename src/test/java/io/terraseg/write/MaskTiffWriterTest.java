package io.terraseg.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
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

  /**
   * A mask larger than 512 px is a COG with overviews down to 512 px: GDAL's validator passes with
   * its full check (tile leaders and trailers included), and each overview pixel is the mode of its
   * 2×2 block in the level above, as GDAL reads both.
   */
  @Test
  void largeMaskIsACloudOptimizedGeoTiffWithModeOverviews() throws Exception {
    int width = 1100;
    int height = 700;
    int across = (width + TILE - 1) / TILE;
    int down = (height + TILE - 1) / TILE;
    byte[][] tiles = new byte[across * down][];
    long[] sizes = new long[tiles.length];
    for (int ty = 0; ty < down; ty++) {
      for (int tx = 0; tx < across; tx++) {
        byte[] raw = new byte[TILE * TILE];
        for (int y = 0; y < TILE; y++) {
          for (int x = 0; x < TILE; x++) {
            int gx = tx * TILE + x;
            int gy = ty * TILE + y;
            // Fine stripes, so that 2×2 blocks hold ties; padding past the edge holds class 1,
            // which must not count.
            raw[y * TILE + x] =
                (byte)
                    (gx >= width || gy >= height
                        ? 1
                        : gx < 40 && gy < 30 ? MaskFormat.NODATA : (gx + gy / 3) % COLORS.length);
          }
        }
        tiles[ty * across + tx] = deflate(raw);
        sizes[ty * across + tx] = tiles[ty * across + tx].length;
      }
    }
    Path mask = dir.resolve("cog.mask.tif");
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path work = new org.apache.hadoop.fs.Path(dir.toUri());
    try (Overviews overviews =
        Overviews.build(
            fs,
            i -> tiles[i],
            width,
            height,
            TILE,
            l -> new org.apache.hadoop.fs.Path(work, "overview" + l))) {
      List<MaskTiffWriter.Level> levels = new ArrayList<>(level(width, height, sizes));
      for (Overviews.Level l : overviews.levels()) {
        levels.add(new MaskTiffWriter.Level(l.width(), l.height(), l.byteCounts()));
      }
      try (MaskTiffWriter writer =
          new MaskTiffWriter(Files.newOutputStream(mask), levels, TILE, COLORS, null)) {
        for (int l = overviews.levels().size() - 1; l >= 0; l--) {
          Overviews.Tiles level = overviews.reader(overviews.levels().get(l));
          for (int i = 0; i < overviews.levels().get(l).byteCounts().length; i++) {
            writer.writeTile(level.read(i));
          }
        }
        for (byte[] tile : tiles) {
          writer.writeTile(tile);
        }
      }
    }
    try (var left = Files.list(dir)) {
      assertEquals(List.of("cog.mask.tif"), left.map(p -> p.getFileName().toString()).toList());
    }
    JsonNode cog = TestRasters.cog(mask);
    assertEquals("[]", cog.get("errors").toString(), "GDAL's COG validator");
    assertEquals("[[1100,700],[550,350],[275,175]]", cog.get("levels").toString());
    assertEquals("[0,0]", cog.get("mismatches").toString(), "overview pixels off the mode rule");
    assertEquals(255.0, cog.get("nodata").asDouble());
    assertTrue(cog.get("overview_palette").asBoolean(), "overviews keep the palette");
  }

  @Test
  void modeOfTwoByTwoIgnoresNodataAndBreaksTiesToTheSmallestClass() {
    assertEquals(2, Overviews.mode(2, 2, 2, 0));
    assertEquals(1, Overviews.mode(3, 1, 1, 3));
    assertEquals(0, Overviews.mode(3, 2, 1, 0));
    assertEquals(3, Overviews.mode(255, 255, 3, 255));
    assertEquals(4, Overviews.mode(255, 255, 4, 4));
    assertEquals(255, Overviews.mode(255, 255, 255, 255));
    assertEquals(7, Overviews.mode(7, 7, 7, 7));
    assertEquals(0, Overviews.mode(0, 0, 0, 0));
  }

  @Test
  void tilesOutOfOrderOrResizedAreRefused() throws IOException {
    byte[] tile = deflate(new byte[TILE * TILE]);
    try (OutputStream out = Files.newOutputStream(dir.resolve("m.tif"))) {
      MaskTiffWriter writer =
          new MaskTiffWriter(out, level(TILE, TILE, new long[] {tile.length}), TILE, COLORS, null);
      assertThrows(IllegalStateException.class, () -> writer.writeTile(new byte[tile.length + 1]));
      writer.writeTile(tile);
      assertThrows(IllegalStateException.class, () -> writer.writeTile(tile));
    }
  }

  /**
   * Classic TIFF addresses its tiles with 32-bit offsets: a mask whose file would pass 4 GiB must
   * be BigTIFF, and a smaller one stays classic TIFF, which every reader knows. Only the header is
   * written: the tiles' sizes alone decide.
   */
  @Test
  void bigTiffExactlyWhenTheFileWouldPassFourGiB() throws IOException {
    long fourGiB = 1L << 32;
    assertEquals(42, tiffVersion(new long[] {1000, 2000}));
    assertEquals(42, tiffVersion(new long[] {2L << 30, fourGiB - (2L << 30) - (16 << 20)}));
    assertEquals(
        43,
        tiffVersion(new long[] {2L << 30, fourGiB - (2L << 30) - 100}),
        "tiles that fit in 4 GiB, but not with the header and IFD before them");
    assertEquals(43, tiffVersion(new long[] {3L << 30, 3L << 30}));
  }

  /** 42 for classic TIFF, 43 for BigTIFF. */
  private static int tiffVersion(long[] byteCounts) throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    new MaskTiffWriter(header, level(16 * byteCounts.length, 16, byteCounts), 16, COLORS, null);
    byte[] bytes = header.toByteArray();
    assertEquals("II", new String(bytes, 0, 2, StandardCharsets.US_ASCII));
    return ByteBuffer.wrap(bytes, 2, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
  }

  /**
   * A mask of more than 4 GiB, as GDAL reads it: tiles past the 4 GiB mark are where the BigTIFF's
   * 64-bit offsets say. The file is sparse: the first 64 tiles are declared 64 MiB each (a DEFLATE
   * stream followed by zeros that are never written to disk), so the test writes a few kilobytes.
   */
  @Test
  void gdalReadsAMaskPastFourGiB() throws Exception {
    int across = 16;
    int down = 5;
    int tile = 16;
    int width = across * tile;
    int height = down * tile;
    byte[] padded = Arrays.copyOf(deflate(new byte[tile * tile]), 64 << 20); // class 0
    long[] sizes = new long[across * down];
    byte[][] last = new byte[across][];
    for (int i = 0; i < sizes.length; i++) {
      if (i < across * (down - 1)) {
        sizes[i] = padded.length;
      } else {
        byte[] raw = new byte[tile * tile];
        Arrays.fill(raw, (byte) (1 + i % 4));
        last[i % across] = deflate(raw);
        sizes[i] = last[i % across].length;
      }
    }
    Path mask = dir.resolve("big.mask.tif");
    try (SparseFile out = new SparseFile(mask, padded, deflate(new byte[tile * tile]).length);
        MaskTiffWriter writer =
            new MaskTiffWriter(out, level(width, height, sizes), tile, COLORS, null)) {
      for (int i = 0; i < sizes.length; i++) {
        writer.writeTile(i < across * (down - 1) ? padded : last[i % across]);
      }
    }
    assertTrue(Files.size(mask) > (1L << 32), "past 4 GiB: " + Files.size(mask));

    JsonNode gdal = TestRasters.gdalinfo(mask);
    assertEquals(
        List.of(width, height), List.of(gdal.at("/size/0").asInt(), gdal.at("/size/1").asInt()));
    assertEquals(255.0, gdal.at("/bands/0/noDataValue").asDouble());
    assertEquals(
        List.of(tile, tile),
        List.of(gdal.at("/bands/0/block/0").asInt(), gdal.at("/bands/0/block/1").asInt()));
    // The bottom row of tiles, all past 4 GiB: tile column c holds class 1 + (64 + c) % 4.
    String classesByColumn =
        TestRasters.python(
            String.join(
                "\n",
                "import sys",
                "from osgeo import gdal",
                "gdal.UseExceptions()",
                "ds = gdal.Open(sys.argv[1])",
                "pixels = ds.GetRasterBand(1).ReadAsArray(0, int(sys.argv[2]), 256, 16)",
                "print([sorted({int(v) for v in pixels[:, 16 * c:16 * c + 16].flat}) for c in range(16)])"),
            mask.toString(),
            Integer.toString(height - tile));
    List<List<Integer>> expected = new ArrayList<>();
    for (int c = 0; c < across; c++) {
      expected.add(List.of(1 + (64 + c) % 4));
    }
    assertEquals(expected.toString(), classesByColumn.strip());
  }

  /**
   * Writes through a file channel, but of each {@code padded} array only its first {@code data}
   * bytes: the rest is skipped, leaving a hole that reads as zeros and takes no disk.
   */
  private static final class SparseFile extends OutputStream {
    private final FileChannel channel;
    private final byte[] padded;
    private final int data;

    SparseFile(Path file, byte[] padded, int data) throws IOException {
      this.channel =
          FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      this.padded = padded;
      this.data = data;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (b == padded && off == 0 && len == padded.length) {
        channel.write(ByteBuffer.wrap(b, off, data));
        channel.position(channel.position() + len - data);
      } else {
        channel.write(ByteBuffer.wrap(b, off, len));
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
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
            Files.newOutputStream(mask),
            level(WIDTH, HEIGHT, sizes),
            TILE,
            COLORS,
            scene.geoTags())) {
      for (byte[] tile : tiles) {
        writer.writeTile(tile);
      }
    }
  }

  private static List<MaskTiffWriter.Level> level(int width, int height, long[] sizes) {
    return List.of(new MaskTiffWriter.Level(width, height, sizes));
  }

  private static byte[] deflate(byte[] raw) {
    try (TileCodec codec = new TileCodec()) {
      return codec.deflate(raw);
    }
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
