package io.terraseg.raster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.TerraSegException;
import it.geosolutions.imageio.compression.CompressionFinder;
import it.geosolutions.imageio.compression.CompressionType;
import it.geosolutions.imageio.compression.Decompressor;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DEFLATE source blocks decoded by libdeflate give what zlib gave, in every layout GDAL writes. */
class LibdeflateTest {
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  @Test
  void decodesDeflateBlocksWhereTheMachineHasLibdeflate() throws ClassNotFoundException {
    // libdeflate0 comes with GDAL, which the tests need anyway: were it not found or not
    // registered, every read would silently fall back to zlib at half the speed.
    // Initializing GeoTiffFile registers it, as opening any file does (a class literal alone
    // would not initialize it).
    Class.forName(GeoTiffFile.class.getName());
    assertTrue(Libdeflate.available(), "libdeflate.so.0 not found: apt-get install libdeflate0");
    Decompressor decompressor = CompressionFinder.getDecompressor(CompressionType.DEFLATE);
    assertEquals(Libdeflate.class, decompressor.getClass().getEnclosingClass());
  }

  /** Layouts whose decoding differs after the inflate: predictors, strips cut short, bands. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "UInt16 TILED=YES BLOCKXSIZE=32 BLOCKYSIZE=16 PREDICTOR=2",
        "Float32 TILED=YES BLOCKXSIZE=48 BLOCKYSIZE=32 PREDICTOR=3",
        "Byte BLOCKYSIZE=7 PREDICTOR=2 ZLEVEL=9",
        "Byte BLOCKYSIZE=7 INTERLEAVE=BAND",
        "Int16 BLOCKYSIZE=1000 ZLEVEL=1"
      })
  void gdalsDeflateVariantsReadAsWritten(String variant) throws IOException {
    String[] words = variant.split(" ");
    // Values every type holds exactly, varied enough that the predictors have work to do.
    TestRasters.PixelFunction pixels = (x, y, b) -> ((x * 37) ^ (y * 11) ^ (b * 101)) & 0xFF;
    Path plain =
        TestRasters.raster(113, 89, 3, SampleType.UINT16, pixels)
            .compression("NONE")
            .write(dir.resolve("plain.tif"));
    Path deflate = dir.resolve("deflate.tif");
    List<String> command =
        new java.util.ArrayList<>(List.of("gdal_translate", "-q", "-ot", words[0]));
    command.addAll(List.of("-co", "COMPRESS=DEFLATE"));
    for (int i = 1; i < words.length; i++) {
      command.addAll(List.of("-co", words[i]));
    }
    command.addAll(List.of(plain.toString(), deflate.toString()));
    TestRasters.run(command.toArray(String[]::new));

    Rectangle all = new Rectangle(0, 0, 113, 89);
    try (GeoTiffFile expected = GeoTiffFile.open(plain.toString(), CONF);
        GeoTiffFile actual = GeoTiffFile.open(deflate.toString(), CONF)) {
      assertEquals("DEFLATE", GeoTiffFile.readInfo(deflate.toString(), CONF).compression());
      for (int b = 0; b < 3; b++) {
        float[] want = new float[all.width * all.height];
        float[] got = new float[all.width * all.height];
        expected.readBand(all, b, want);
        actual.readBand(all, b, got);
        assertArrayEquals(want, got, variant + ", band " + b);
      }
    }
  }

  @Test
  void aStreamLongerThanItsBlockIsCutAsZlibCutsIt() throws DataFormatException {
    byte[] data = noise(5000);
    byte[] compressed = zlib(data);
    byte[] cut = new byte[3000];
    Arrays.fill(cut, (byte) 7);
    decode(compressed, cut, 0, 3000);
    assertArrayEquals(Arrays.copyOf(data, 3000), cut);

    // Shorter than the block: what there is, the rest untouched (zlib's single inflate call).
    byte[] room = new byte[6010];
    Arrays.fill(room, (byte) 7);
    decode(compressed, room, 10, 6000);
    assertArrayEquals(data, Arrays.copyOfRange(room, 10, 5010));
    assertTrue(allSeven(Arrays.copyOfRange(room, 5010, 6010)) && allSeven(room, 10));
  }

  @Test
  void corruptDataIsAnError() {
    byte[] compressed = zlib(noise(5000));
    for (int i = 20; i < compressed.length; i += 3) {
      compressed[i] ^= (byte) 0x5A;
    }
    assertThrows(DataFormatException.class, () -> decode(compressed, new byte[5000], 0, 5000));
  }

  @Test
  void aCorruptBlockOfAFileNamesTheFileAndTheWindow() throws IOException {
    TestRasters.PixelFunction pixels = (x, y, b) -> (x * 7 + y * 13) & 0xFF;
    Path file =
        TestRasters.raster(128, 128, 1, SampleType.UINT8, pixels).write(dir.resolve("bad.tif"));
    long offset =
        Long.parseLong(
            TestRasters.python(
                    // The dataset in a variable: a band outliving its dataset crashes GDAL.
                    "from osgeo import gdal; import sys; ds = gdal.Open(sys.argv[1]);"
                        + " print(ds.GetRasterBand(1).GetMetadataItem('BLOCK_OFFSET_0_0', 'TIFF'))",
                    file.toString())
                .trim());
    try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
      // The first tile's stream, past its 2-byte zlib header.
      for (long at = offset + 2; at < offset + 200; at += 5) {
        raw.seek(at);
        raw.write(raw.read() ^ 0x5A);
      }
    }
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), CONF)) {
      TerraSegException e =
          assertThrows(
              TerraSegException.class,
              () -> tiff.readBand(new Rectangle(0, 0, 64, 64), 0, new float[64 * 64]));
      assertTrue(
          e.getMessage().startsWith(file + ": cannot decode window 0,0 64x64"), e::getMessage);
    }
  }

  private static void decode(byte[] compressed, byte[] into, int off, int len)
      throws DataFormatException {
    Decompressor decompressor = new Libdeflate.Spi().createDecompressor(CompressionType.DEFLATE);
    assertInstanceOf(Decompressor.class, decompressor);
    decompressor.setInput(compressed);
    try {
      decompressor.decompress(into, off, len);
    } finally {
      decompressor.done();
    }
  }

  private static byte[] noise(int n) {
    byte[] data = new byte[n];
    new Random(7).nextBytes(data);
    for (int i = 0; i < n; i += 4) {
      data[i] = 0; // some matches, so the stream is not all stored blocks
    }
    return data;
  }

  private static byte[] zlib(byte[] data) {
    Deflater deflater = new Deflater(6);
    deflater.setInput(data);
    deflater.finish();
    byte[] out = new byte[data.length + 1024];
    int n = deflater.deflate(out);
    deflater.end();
    return Arrays.copyOf(out, n);
  }

  private static boolean allSeven(byte[] bytes) {
    return allSeven(bytes, bytes.length);
  }

  private static boolean allSeven(byte[] bytes, int n) {
    for (int i = 0; i < n; i++) {
      if (bytes[i] != 7) {
        return false;
      }
    }
    return true;
  }
}
