package io.terraseg.write;

import io.terraseg.raster.GeoTiffTags;
import io.terraseg.raster.MaskFormat;
import it.geosolutions.imageio.plugins.tiff.BaselineTIFFTagSet;
import it.geosolutions.imageio.plugins.tiff.GeoTIFFTagSet;
import it.geosolutions.imageio.plugins.tiff.PrivateTIFFTagSet;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a class mask as a tiled GeoTIFF whose internal tiles arrive already DEFLATE-compressed, in
 * raster order, from the tasks that predicted them. The header and IFD go first (their tile offsets
 * follow from the tile sizes, known up front), then the tiles stream through; nothing is buffered
 * beyond one tile, and the output needs no seeking, so it can go to any Hadoop FileSystem.
 *
 * <p>GeoTools' writers take an uncompressed image and compress it on one thread; TerraSeg
 * compresses each tile where it was predicted, which is why this small TIFF writer exists. Uint8
 * samples, a palette from the class colors, GDAL_NODATA 255, and the scene's georeferencing tags
 * copied verbatim. BigTIFF when the file would pass 4 GiB.
 */
final class MaskTiffWriter implements Closeable {
  private static final int SHORT = 3;
  private static final int LONG = 4;
  private static final int ASCII = 2;
  private static final int DOUBLE = 12;
  private static final int LONG8 = 16;

  private final OutputStream out;
  private final long[] byteCounts;
  private int next;

  /**
   * @param byteCounts compressed size of each internal tile, row-major
   * @param palette 256 RGB colors (0xRRGGBB) indexed by class id
   */
  MaskTiffWriter(
      OutputStream out,
      int width,
      int height,
      int tileSize,
      long[] byteCounts,
      int[] palette,
      GeoTiffTags geoTags)
      throws IOException {
    this.out = out;
    this.byteCounts = byteCounts.clone();
    long data = 0;
    for (long n : byteCounts) {
      data += n;
    }
    // Header, IFD and palette stay far below 1 MiB; tile data decides between classic TIFF and
    // BigTIFF.
    boolean big = data + (1 << 20) + 16L * byteCounts.length > 0xFFFF_FFFFL;
    List<Entry> entries = new ArrayList<>();
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_IMAGE_WIDTH, width));
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_IMAGE_LENGTH, height));
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_BITS_PER_SAMPLE, 8));
    entries.add(
        Entry.shorts(BaselineTIFFTagSet.TAG_COMPRESSION, BaselineTIFFTagSet.COMPRESSION_ZLIB));
    entries.add(
        Entry.shorts(
            BaselineTIFFTagSet.TAG_PHOTOMETRIC_INTERPRETATION,
            BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_PALETTE_COLOR));
    entries.add(Entry.ascii(BaselineTIFFTagSet.TAG_SOFTWARE, "TerraSeg"));
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_SAMPLES_PER_PIXEL, 1));
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_PLANAR_CONFIGURATION, 1));
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_COLOR_MAP, colorMap(palette)));
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_TILE_WIDTH, tileSize));
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_TILE_LENGTH, tileSize));
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_SAMPLE_FORMAT, 1));
    entries.add(
        Entry.ascii(PrivateTIFFTagSet.TAG_GDAL_NODATA, Integer.toString(MaskFormat.NODATA)));
    if (geoTags != null) {
      addIfPresent(
          entries, Entry.doubles(GeoTIFFTagSet.TAG_MODEL_PIXEL_SCALE, geoTags.modelPixelScale()));
      addIfPresent(
          entries, Entry.doubles(GeoTIFFTagSet.TAG_MODEL_TIE_POINT, geoTags.modelTiepoint()));
      addIfPresent(
          entries,
          Entry.doubles(GeoTIFFTagSet.TAG_MODEL_TRANSFORMATION, geoTags.modelTransformation()));
      if (geoTags.geoKeyDirectory() != null) {
        char[] keys = geoTags.geoKeyDirectory();
        int[] values = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
          values[i] = keys[i];
        }
        entries.add(Entry.shorts(GeoTIFFTagSet.TAG_GEO_KEY_DIRECTORY, values));
      }
      addIfPresent(
          entries, Entry.doubles(GeoTIFFTagSet.TAG_GEO_DOUBLE_PARAMS, geoTags.geoDoubleParams()));
      if (geoTags.geoAsciiParams() != null) {
        entries.add(Entry.ascii(GeoTIFFTagSet.TAG_GEO_ASCII_PARAMS, geoTags.geoAsciiParams()));
      }
    }
    // Offsets and counts are placeholders sized now, filled once the layout is known.
    Entry offsets =
        new Entry(BaselineTIFFTagSet.TAG_TILE_OFFSETS, big ? LONG8 : LONG, byteCounts.length, null);
    Entry counts =
        new Entry(
            BaselineTIFFTagSet.TAG_TILE_BYTE_COUNTS, big ? LONG8 : LONG, byteCounts.length, null);
    entries.add(offsets);
    entries.add(counts);
    entries.sort(Comparator.comparingInt(Entry::tag));

    int headerSize = big ? 16 : 8;
    int entrySize = big ? 20 : 12;
    int inline = big ? 8 : 4;
    long ifdSize = (big ? 8 : 2) + (long) entries.size() * entrySize + (big ? 8 : 4);
    long cursor = headerSize + ifdSize;
    for (Entry e : entries) {
      if (e.byteLength() > inline) {
        e.offset = cursor;
        cursor += e.byteLength() + (e.byteLength() & 1);
      }
    }
    long tileStart = cursor;
    long[] tileOffsets = new long[byteCounts.length];
    long position = tileStart;
    for (int i = 0; i < byteCounts.length; i++) {
      tileOffsets[i] = position;
      position += byteCounts[i];
    }
    offsets.value = big ? Entry.long8Bytes(tileOffsets) : Entry.longBytes(tileOffsets);
    counts.value = big ? Entry.long8Bytes(byteCounts) : Entry.longBytes(byteCounts);

    ByteBuffer head = ByteBuffer.allocate((int) tileStart).order(ByteOrder.LITTLE_ENDIAN);
    head.put((byte) 'I').put((byte) 'I');
    if (big) {
      head.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(headerSize);
      head.putLong(entries.size());
    } else {
      head.putShort((short) 42).putInt(headerSize);
      head.putShort((short) entries.size());
    }
    for (Entry e : entries) {
      head.putShort((short) e.tag).putShort((short) e.type);
      if (big) {
        head.putLong(e.count);
      } else {
        head.putInt((int) e.count);
      }
      if (e.byteLength() > inline) {
        if (big) {
          head.putLong(e.offset);
        } else {
          head.putInt((int) e.offset);
        }
      } else {
        byte[] padded = Arrays.copyOf(e.value, inline);
        head.put(padded);
      }
    }
    if (big) {
      head.putLong(0);
    } else {
      head.putInt(0);
    }
    for (Entry e : entries) {
      if (e.byteLength() > inline) {
        head.position((int) e.offset);
        head.put(e.value);
      }
    }
    out.write(head.array());
  }

  /** Appends the next internal tile (row-major order); its size must be the one announced. */
  void writeTile(byte[] compressed) throws IOException {
    if (next >= byteCounts.length || compressed.length != byteCounts[next]) {
      throw new IllegalStateException("tile " + next + " out of order or resized");
    }
    out.write(compressed);
    next++;
  }

  @Override
  public void close() throws IOException {
    out.close();
    if (next != byteCounts.length) {
      throw new IllegalStateException(
          "mask closed after " + next + " of " + byteCounts.length + " tiles");
    }
  }

  /** TIFF ColorMap: all reds, then greens, then blues, each 16-bit. */
  private static int[] colorMap(int[] palette) {
    int[] map = new int[3 * 256];
    for (int i = 0; i < 256; i++) {
      int rgb = i < palette.length ? palette[i] : 0;
      map[i] = ((rgb >> 16) & 0xFF) * 257;
      map[256 + i] = ((rgb >> 8) & 0xFF) * 257;
      map[512 + i] = (rgb & 0xFF) * 257;
    }
    return map;
  }

  private static void addIfPresent(List<Entry> entries, Entry entry) {
    if (entry != null) {
      entries.add(entry);
    }
  }

  private static final class Entry {
    final int tag;
    final int type;
    final long count;
    byte[] value;
    long offset;

    Entry(int tag, int type, long count, byte[] value) {
      this.tag = tag;
      this.type = type;
      this.count = count;
      this.value = value;
    }

    int tag() {
      return tag;
    }

    int byteLength() {
      int unit =
          switch (type) {
            case ASCII -> 1;
            case SHORT -> 2;
            case LONG -> 4;
            default -> 8;
          };
      return (int) (count * unit);
    }

    static Entry shorts(int tag, int... values) {
      ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (int v : values) {
        b.putShort((short) v);
      }
      return new Entry(tag, SHORT, values.length, b.array());
    }

    static Entry longs(int tag, long... values) {
      return new Entry(tag, LONG, values.length, longBytes(values));
    }

    static Entry doubles(int tag, double[] values) {
      if (values == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (double v : values) {
        b.putDouble(v);
      }
      return new Entry(tag, DOUBLE, values.length, b.array());
    }

    static Entry ascii(int tag, String text) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
      if (text.isEmpty() || text.charAt(text.length() - 1) != 0) {
        b.write(0);
      }
      return new Entry(tag, ASCII, b.size(), b.toByteArray());
    }

    static byte[] longBytes(long[] values) {
      ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        b.putInt((int) v);
      }
      return b.array();
    }

    static byte[] long8Bytes(long[] values) {
      ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        b.putLong(v);
      }
      return b.array();
    }
  }
}
