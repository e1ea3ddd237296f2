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
 * Writes a class mask as a Cloud-Optimized GeoTIFF whose internal tiles arrive already
 * DEFLATE-compressed from the tasks that predicted them (and from {@link Overviews}). The layout is
 * GDAL's COG layout: the header, GDAL's structural metadata, the IFDs of the full-resolution image
 * and of each overview (largest first), then the tile data, smallest overview first and the full
 * resolution last, each tile framed by its size before and its last 4 bytes after (GDAL's
 * BLOCK_LEADER / BLOCK_TRAILER, which let readers check a tile before decoding it). A reader over
 * HTTP gets every IFD with its first request and then a whole level in one range. All offsets
 * follow from the tile sizes, known up front, so the tiles stream through in that order: nothing is
 * buffered beyond one tile and the output needs no seeking, so it can go to any Hadoop FileSystem.
 *
 * <p>GeoTools' writers take an uncompressed image and compress it on one thread; TerraSeg
 * compresses each tile where it was predicted, which is why this small TIFF writer exists. Uint8
 * samples, the scene's georeferencing tags copied verbatim into the full-resolution IFD, BigTIFF
 * when the file would pass 4 GiB. A mask has one sample, a palette from the class colors and
 * GDAL_NODATA 255 on every level; the class probabilities have K samples per pixel
 * (pixel-interleaved), no palette, no nodata, and the class names as GDAL's band descriptions (see
 * {@link Samples}).
 */
final class MaskTiffWriter implements Closeable {
  private static final int SHORT = 3;
  private static final int LONG = 4;
  private static final int ASCII = 2;
  private static final int DOUBLE = 12;
  private static final int LONG8 = 16;

  /** Bytes around each tile: its size before it, its last 4 bytes repeated after it. */
  static final int LEADER = 4;

  static final int TRAILER = 4;

  private static final String STRUCTURE =
      "LAYOUT=IFDS_BEFORE_DATA\n"
          + "BLOCK_ORDER=ROW_MAJOR\n"
          + "BLOCK_LEADER=SIZE_AS_UINT4\n"
          + "BLOCK_TRAILER=LAST_4_BYTES_REPEATED\n"
          + "KNOWN_INCOMPATIBLE_EDITION=NO\n ";

  /**
   * One image of the file: the full resolution or an overview.
   *
   * @param byteCounts compressed size of each internal tile, row-major
   */
  record Level(int width, int height, long[] byteCounts) {}

  /**
   * What a pixel holds: {@code count} uint8 samples, pixel-interleaved.
   *
   * @param palette 256 RGB colors (0xRRGGBB) indexed by value, or null (then min-is-black)
   * @param nodata GDAL_NODATA on every level, or null
   * @param descriptions each band's description (GDAL_METADATA's DESCRIPTION items), or null
   */
  record Samples(int count, int[] palette, Integer nodata, List<String> descriptions) {
    /** One class id per pixel in the class colors, nodata 255. */
    static Samples mask(int[] palette) {
      return new Samples(1, palette, MaskFormat.NODATA, null);
    }

    /**
     * One byte per class, each band described by its class name. No nodata: 0 is a probability too.
     */
    static Samples probabilities(List<String> classNames) {
      return new Samples(classNames.size(), null, null, List.copyOf(classNames));
    }
  }

  private final OutputStream out;

  /**
   * Tile sizes in the order the tiles must arrive: smallest overview first, full resolution last.
   */
  private final long[] dataOrder;

  private int next;

  /**
   * @param levels the full resolution first, then each overview, largest first; all tiled with
   *     {@code tileSize}
   * @param palette 256 RGB colors (0xRRGGBB) indexed by class id
   */
  MaskTiffWriter(
      OutputStream out, List<Level> levels, int tileSize, int[] palette, GeoTiffTags geoTags)
      throws IOException {
    this(out, levels, tileSize, Samples.mask(palette), geoTags);
  }

  /**
   * @param levels the full resolution first, then each overview, largest first; all tiled with
   *     {@code tileSize}
   */
  MaskTiffWriter(
      OutputStream out, List<Level> levels, int tileSize, Samples samples, GeoTiffTags geoTags)
      throws IOException {
    this.out = out;
    long tiles = 0;
    long data = 0;
    for (Level level : levels) {
      tiles += level.byteCounts().length;
      for (long n : level.byteCounts()) {
        data += n;
      }
    }
    dataOrder = new long[(int) tiles];
    int at = 0;
    for (int i = levels.size() - 1; i >= 0; i--) {
      long[] counts = levels.get(i).byteCounts();
      System.arraycopy(counts, 0, dataOrder, at, counts.length);
      at += counts.length;
    }
    // Header, IFDs and palettes stay far below 1 MiB; the tiles, their frames and their offset
    // tables decide between classic TIFF and BigTIFF.
    boolean big =
        data + (LEADER + TRAILER + 16L) * tiles + (1L << 20) * levels.size() > 0xFFFF_FFFFL;
    int headerSize = big ? 16 : 8;
    byte[] structure = structuralMetadata();
    List<List<Entry>> ifds = new ArrayList<>();
    for (int i = 0; i < levels.size(); i++) {
      ifds.add(entries(levels.get(i), i > 0, tileSize, samples, i == 0 ? geoTags : null, big));
    }

    // Layout: each IFD followed by its out-of-line values, the first right after the metadata.
    int entrySize = big ? 20 : 12;
    int inline = big ? 8 : 4;
    // TIFF puts IFDs on word boundaries.
    long cursor = headerSize + structure.length + (structure.length & 1);
    long[] ifdOffsets = new long[ifds.size()];
    for (int i = 0; i < ifds.size(); i++) {
      List<Entry> entries = ifds.get(i);
      ifdOffsets[i] = cursor;
      cursor += (big ? 8 : 2) + (long) entries.size() * entrySize + (big ? 8 : 4);
      for (Entry e : entries) {
        if (e.byteLength() > inline) {
          e.offset = cursor;
          cursor += e.byteLength() + (e.byteLength() & 1);
        }
      }
    }
    long position = cursor;
    for (int i = levels.size() - 1; i >= 0; i--) {
      long[] counts = levels.get(i).byteCounts();
      long[] offsets = new long[counts.length];
      for (int t = 0; t < counts.length; t++) {
        offsets[t] = position + LEADER;
        position += LEADER + counts[t] + TRAILER;
      }
      Entry offsetsEntry = find(ifds.get(i), BaselineTIFFTagSet.TAG_TILE_OFFSETS);
      offsetsEntry.value = big ? Entry.long8Bytes(offsets) : Entry.longBytes(offsets);
    }

    ByteBuffer head = ByteBuffer.allocate((int) cursor).order(ByteOrder.LITTLE_ENDIAN);
    head.put((byte) 'I').put((byte) 'I');
    if (big) {
      head.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(ifdOffsets[0]);
    } else {
      head.putShort((short) 42).putInt((int) ifdOffsets[0]);
    }
    head.put(structure);
    for (int i = 0; i < ifds.size(); i++) {
      List<Entry> entries = ifds.get(i);
      head.position((int) ifdOffsets[i]);
      if (big) {
        head.putLong(entries.size());
      } else {
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
          head.put(Arrays.copyOf(e.value, inline));
        }
      }
      long nextIfd = i + 1 < ifds.size() ? ifdOffsets[i + 1] : 0;
      if (big) {
        head.putLong(nextIfd);
      } else {
        head.putInt((int) nextIfd);
      }
      for (Entry e : entries) {
        if (e.byteLength() > inline) {
          head.position((int) e.offset);
          head.put(e.value);
        }
      }
    }
    out.write(head.array());
  }

  /** GDAL's "ghost" header: what a COG reader may rely on, right after the TIFF header. */
  private static byte[] structuralMetadata() {
    String text =
        String.format("GDAL_STRUCTURAL_METADATA_SIZE=%06d bytes\n", STRUCTURE.length()) + STRUCTURE;
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static List<Entry> entries(
      Level level,
      boolean overview,
      int tileSize,
      Samples samples,
      GeoTiffTags geoTags,
      boolean big) {
    List<Entry> entries = new ArrayList<>();
    if (overview) {
      entries.add(
          Entry.longs(
              BaselineTIFFTagSet.TAG_NEW_SUBFILE_TYPE,
              BaselineTIFFTagSet.NEW_SUBFILE_TYPE_REDUCED_RESOLUTION));
    }
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_IMAGE_WIDTH, level.width()));
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_IMAGE_LENGTH, level.height()));
    int n = samples.count();
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_BITS_PER_SAMPLE, perSample(n, 8)));
    entries.add(
        Entry.shorts(BaselineTIFFTagSet.TAG_COMPRESSION, BaselineTIFFTagSet.COMPRESSION_ZLIB));
    entries.add(
        Entry.shorts(
            BaselineTIFFTagSet.TAG_PHOTOMETRIC_INTERPRETATION,
            samples.palette() != null
                ? BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_PALETTE_COLOR
                : BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_BLACK_IS_ZERO));
    if (!overview) {
      entries.add(Entry.ascii(BaselineTIFFTagSet.TAG_SOFTWARE, "TerraSeg"));
    }
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_SAMPLES_PER_PIXEL, n));
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_PLANAR_CONFIGURATION, 1));
    if (samples.palette() != null) {
      entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_COLOR_MAP, colorMap(samples.palette())));
    }
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_TILE_WIDTH, tileSize));
    entries.add(Entry.longs(BaselineTIFFTagSet.TAG_TILE_LENGTH, tileSize));
    if (n > 1) {
      // Min-is-black has one color sample; the others are "unspecified", as GDAL writes them.
      entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_EXTRA_SAMPLES, new int[n - 1]));
    }
    entries.add(Entry.shorts(BaselineTIFFTagSet.TAG_SAMPLE_FORMAT, perSample(n, 1)));
    if (samples.nodata() != null) {
      entries.add(
          Entry.ascii(PrivateTIFFTagSet.TAG_GDAL_NODATA, Integer.toString(samples.nodata())));
    }
    if (samples.descriptions() != null && !overview) {
      entries.add(
          Entry.utf8(PrivateTIFFTagSet.TAG_GDAL_METADATA, gdalMetadata(samples.descriptions())));
    }
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
    long[] counts = level.byteCounts();
    // Offsets are placeholders sized now, filled once the layout is known.
    entries.add(
        new Entry(BaselineTIFFTagSet.TAG_TILE_OFFSETS, big ? LONG8 : LONG, counts.length, null));
    entries.add(
        new Entry(
            BaselineTIFFTagSet.TAG_TILE_BYTE_COUNTS,
            big ? LONG8 : LONG,
            counts.length,
            big ? Entry.long8Bytes(counts) : Entry.longBytes(counts)));
    entries.sort(Comparator.comparingInt(Entry::tag));
    return entries;
  }

  private static Entry find(List<Entry> entries, int tag) {
    return entries.stream().filter(e -> e.tag == tag).findFirst().orElseThrow();
  }

  /**
   * Appends the next tile (smallest overview first, each level row-major, the full resolution
   * last); its size must be the one announced.
   */
  void writeTile(byte[] compressed) throws IOException {
    if (next >= dataOrder.length || compressed.length != dataOrder[next]) {
      throw new IllegalStateException("tile " + next + " out of order or resized");
    }
    int n = compressed.length;
    out.write(new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
    out.write(compressed);
    out.write(compressed, n - TRAILER, TRAILER);
    next++;
  }

  @Override
  public void close() throws IOException {
    out.close();
    if (next != dataOrder.length) {
      throw new IllegalStateException(
          "mask closed after " + next + " of " + dataOrder.length + " tiles");
    }
  }

  private static int[] perSample(int samples, int value) {
    int[] values = new int[samples];
    Arrays.fill(values, value);
    return values;
  }

  /** GDAL's XML metadata (tag 42112), which is where GDAL finds band descriptions. */
  private static String gdalMetadata(List<String> descriptions) {
    StringBuilder xml = new StringBuilder("<GDALMetadata>\n");
    for (int band = 0; band < descriptions.size(); band++) {
      xml.append("  <Item name=\"DESCRIPTION\" sample=\"")
          .append(band)
          .append("\" role=\"description\">")
          .append(xmlText(descriptions.get(band)))
          .append("</Item>\n");
    }
    return xml.append("</GDALMetadata>").toString();
  }

  private static String xmlText(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
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
      return text(tag, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** GDAL reads its XML metadata as UTF-8, so class names need not be ASCII. */
    static Entry utf8(int tag, String text) {
      return text(tag, text.getBytes(StandardCharsets.UTF_8));
    }

    private static Entry text(int tag, byte[] text) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(text);
      if (text.length == 0 || text[text.length - 1] != 0) {
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
