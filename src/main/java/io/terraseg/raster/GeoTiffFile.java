package io.terraseg.raster;

import io.terraseg.TerraSegException;
import it.geosolutions.imageio.plugins.tiff.BaselineTIFFTagSet;
import it.geosolutions.imageio.plugins.tiff.GeoTIFFTagSet;
import it.geosolutions.imageio.plugins.tiff.PrivateTIFFTagSet;
import it.geosolutions.imageio.plugins.tiff.TIFFField;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFIFD;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageMetadata;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageReader;
import it.geosolutions.imageioimpl.plugins.tiff.TIFFImageReaderSpi;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferDouble;
import java.awt.image.DataBufferFloat;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.coverage.grid.io.imageio.geotiff.GeoTiffIIOMetadataDecoder;
import org.geotools.coverage.grid.io.imageio.geotiff.GeoTiffMetadata2CRSAdapter;

/**
 * An open GeoTIFF on any Hadoop FileSystem. Opening reads and checks the header only; {@link
 * #readWindow} decodes just the internal tiles or strips under a window. Every problem is reported
 * as a {@link TerraSegException} naming the file.
 */
public final class GeoTiffFile implements Closeable {
  static {
    Libdeflate.register();
  }

  private static final Map<Integer, String> COMPRESSIONS =
      Map.ofEntries(
          Map.entry(1, "NONE"),
          Map.entry(5, "LZW"),
          Map.entry(7, "JPEG"),
          Map.entry(8, "DEFLATE"),
          Map.entry(32946, "DEFLATE"),
          Map.entry(32773, "PACKBITS"),
          Map.entry(50000, "ZSTD"));
  private static final Map<Integer, String> UNSUPPORTED_COMPRESSIONS =
      Map.ofEntries(
          Map.entry(2, "CCITT RLE"),
          Map.entry(3, "CCITT G3"),
          Map.entry(4, "CCITT G4"),
          Map.entry(6, "old-style JPEG"),
          Map.entry(34887, "LERC"),
          Map.entry(34925, "LZMA"),
          Map.entry(50001, "WEBP"),
          Map.entry(50002, "JPEG-XL"),
          Map.entry(34712, "JPEG 2000"));

  private final String uri;
  private final long fileSize;
  private final ImageInputStream stream;
  private final BlockReader reader;
  private final TIFFImageMetadata metadata;
  private final int width;
  private final int height;
  private final int bands;
  private final SampleType sampleType;
  private final int blockWidth;
  private final int blockHeight;

  /**
   * Decoded blocks by index, least recently used first, up to {@link #BLOCK_CACHE_BYTES}.
   * Neighbouring windows overlap and share blocks (a 512² window over 256² blocks touches 9, of
   * which a scene has ~3 per window): decoding each once is most of the speed of GDAL's block
   * cache, which this imitates. The budget is fixed, whatever the scene: with blocks from a row of
   * windows it also keeps the rows the next row of windows starts with, up to its size.
   */
  private static final long BLOCK_CACHE_BYTES = 32L << 20;

  private final LinkedHashMap<Integer, BufferedImage> blocks = new LinkedHashMap<>(16, 0.75f, true);

  /** The block last evicted, whose buffer the next decode reuses. */
  private BufferedImage spare;

  /** The decoder's image type for this file's blocks, known from the first one decoded. */
  private ImageTypeSpecifier blockType;

  private long cachedBytes;

  private long cacheBytes = BLOCK_CACHE_BYTES;

  /** {@link #readBand(Rectangle, int, int[])}'s floats, reused from window to window. */
  private float[] scratch = new float[0];

  private GeoTiffFile(String uri, long fileSize, ImageInputStream stream) {
    this.uri = uri;
    this.fileSize = fileSize;
    this.stream = stream;
    try {
      if (fileSize == 0) {
        throw error("empty file");
      }
      byte[] magic = new byte[4];
      stream.seek(0);
      if (fileSize < 8 || stream.read(magic) != 4 || !isTiffMagic(magic)) {
        throw error("not a TIFF file");
      }
      stream.seek(0);
      reader = new BlockReader();
      reader.setInput(stream, true, false);
      metadata = (TIFFImageMetadata) reader.getImageMetadata(0);
      width = reader.getWidth(0);
      height = reader.getHeight(0);
    } catch (TerraSegException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw error("unreadable TIFF header (" + TerraSegException.describe(e) + ")", e);
    }
    TIFFIFD ifd = metadata.getRootIFD();
    bands = intField(ifd, BaselineTIFFTagSet.TAG_SAMPLES_PER_PIXEL, 1);
    int compression = intField(ifd, BaselineTIFFTagSet.TAG_COMPRESSION, 1);
    if (!COMPRESSIONS.containsKey(compression)) {
      throw error(
          "unsupported compression "
              + UNSUPPORTED_COMPRESSIONS.getOrDefault(compression, "code")
              + " ("
              + compression
              + "); supported: NONE, LZW, DEFLATE, ZSTD, PACKBITS, JPEG");
    }
    TIFFField bitsField = ifd.getTIFFField(BaselineTIFFTagSet.TAG_BITS_PER_SAMPLE);
    int bits = bitsField == null ? 1 : bitsField.getAsInt(0);
    int format = intField(ifd, BaselineTIFFTagSet.TAG_SAMPLE_FORMAT, 1);
    sampleType = SampleType.of(format, bits);
    if (sampleType == null) {
      throw error(
          "unsupported data type: "
              + bits
              + "-bit "
              + switch (format) {
                case 1 -> "unsigned integer";
                case 2 -> "signed integer";
                case 3 -> "floating point";
                default -> "sample format " + format;
              }
              + "; supported: 8/16/32-bit integers, 32/64-bit floats");
    }
    checkNotTruncated(ifd);
    boolean tiled = ifd.getTIFFField(BaselineTIFFTagSet.TAG_TILE_WIDTH) != null;
    blockWidth = tiled ? intField(ifd, BaselineTIFFTagSet.TAG_TILE_WIDTH, width) : width;
    blockHeight =
        tiled
            ? intField(ifd, BaselineTIFFTagSet.TAG_TILE_LENGTH, height)
            : Math.min(height, intField(ifd, BaselineTIFFTagSet.TAG_ROWS_PER_STRIP, height));
  }

  /** Opens {@code uri} (a local path or any Hadoop FileSystem URI) and checks its header. */
  public static GeoTiffFile open(String uri, Configuration conf) {
    try {
      Path path = new Path(uri);
      FileSystem fs = HadoopFiles.fileSystem(path, conf);
      FileStatus status = fs.getFileStatus(path);
      if (status.isDirectory()) {
        throw new TerraSegException(uri + ": is a directory, not a GeoTIFF");
      }
      FSDataInputStream in = fs.open(path);
      ImageInputStream stream = new HadoopImageInputStream(in, status.getLen());
      try {
        return new GeoTiffFile(uri, status.getLen(), stream);
      } catch (RuntimeException e) {
        stream.close();
        throw e;
      }
    } catch (FileNotFoundException e) {
      throw new TerraSegException(uri + ": no such file");
    } catch (IOException e) {
      throw new TerraSegException(uri + ": cannot open (" + TerraSegException.describe(e) + ")", e);
    }
  }

  /**
   * This file's decoded-block budget instead of the default 32 MiB (at least one block is always
   * kept): smaller for a file read in non-overlapping windows, such as labels.
   */
  public GeoTiffFile withBlockCache(long bytes) {
    cacheBytes = bytes;
    return this;
  }

  /** Opens, decodes the CRS its GeoKeys describe (or null without GeoKeys) and closes. */
  public static CoordinateReferenceSystem readCrs(String uri, Configuration conf) {
    try (GeoTiffFile file = open(uri, conf)) {
      return file.crs();
    }
  }

  /** Opens, describes and closes: the driver's header-only look at a scene. */
  public static RasterInfo readInfo(String uri, Configuration conf) {
    try (GeoTiffFile file = open(uri, conf)) {
      return file.info(true);
    }
  }

  /**
   * Like {@link #readInfo} but without decoding the CRS (crsWkt and epsg stay null; the
   * georeferencing tags are there): segmenting a scene needs its tags, not its CRS, and the first
   * CRS decode in a JVM costs about a second of EPSG database start-up.
   */
  public static RasterInfo readLayout(String uri, Configuration conf) {
    try (GeoTiffFile file = open(uri, conf)) {
      return file.info(false);
    }
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int bands() {
    return bands;
  }

  public String uri() {
    return uri;
  }

  /** The CRS its GeoKeys describe, or null without GeoKeys. */
  public CoordinateReferenceSystem crs() {
    if (metadata.getRootIFD().getTIFFField(GeoTIFFTagSet.TAG_GEO_KEY_DIRECTORY) == null) {
      return null;
    }
    try {
      return new GeoTiffMetadata2CRSAdapter(null)
          .createCoordinateSystem(new GeoTiffIIOMetadataDecoder(metadata));
    } catch (Exception e) {
      throw error("unreadable CRS in GeoKeys (" + TerraSegException.describe(e) + ")", e);
    }
  }

  private RasterInfo info(boolean decodeCrs) {
    TIFFIFD ifd = metadata.getRootIFD();
    boolean tiled = ifd.getTIFFField(BaselineTIFFTagSet.TAG_TILE_WIDTH) != null;
    GeoTiffTags tags =
        new GeoTiffTags(
            doubles(ifd, GeoTIFFTagSet.TAG_MODEL_PIXEL_SCALE),
            doubles(ifd, GeoTIFFTagSet.TAG_MODEL_TIE_POINT),
            doubles(ifd, GeoTIFFTagSet.TAG_MODEL_TRANSFORMATION),
            ifd.getTIFFField(GeoTIFFTagSet.TAG_GEO_KEY_DIRECTORY) == null
                ? null
                : ifd.getTIFFField(GeoTIFFTagSet.TAG_GEO_KEY_DIRECTORY).getAsChars(),
            doubles(ifd, GeoTIFFTagSet.TAG_GEO_DOUBLE_PARAMS),
            ifd.getTIFFField(GeoTIFFTagSet.TAG_GEO_ASCII_PARAMS) == null
                ? null
                : ifd.getTIFFField(GeoTIFFTagSet.TAG_GEO_ASCII_PARAMS).getAsString(0));
    CoordinateReferenceSystem crs = decodeCrs ? crs() : null;
    String wkt = crs == null ? null : crs.toWKT();
    // The code the GeoKeys name, as the polygons' CRS takes it: looking the decoded CRS up in the
    // EPSG database finds the same code for these, and fails on some custom projections.
    Integer epsg = crs == null ? null : tags.epsg();
    int compression = intField(ifd, BaselineTIFFTagSet.TAG_COMPRESSION, 1);
    return new RasterInfo(
        uri,
        fileSize,
        width,
        height,
        bands,
        sampleType,
        wkt,
        epsg,
        tags.geoTransform(),
        nodata(ifd),
        tiled,
        blockWidth,
        blockHeight,
        COMPRESSIONS.get(compression),
        tags);
  }

  /**
   * Decodes the pixels of {@code region}, which must lie inside the image. The raster's origin is
   * the region's top-left corner.
   */
  public Raster readWindow(Rectangle region) {
    checkInside(region);
    try {
      int column = region.x / blockWidth;
      int row = region.y / blockHeight;
      // A copy, never a cached block: the cache reuses the buffers of blocks it evicts.
      WritableRaster window =
          block(column, row, blockBounds(column, row))
              .createCompatibleWritableRaster(region.width, region.height);
      forEachBlock(
          region,
          (block, bounds, part) -> {
            window.setDataElements(
                part.x - region.x,
                part.y - region.y,
                block.createChild(
                    part.x - bounds.x, part.y - bounds.y, part.width, part.height, 0, 0, null));
          });
      return window;
    } catch (IOException | RuntimeException e) {
      throw windowError(region, e);
    }
  }

  private void checkInside(Rectangle region) {
    if (region.x < 0
        || region.y < 0
        || region.x + region.width > width
        || region.y + region.height > height) {
      throw new IllegalArgumentException(
          uri + ": window " + region + " outside " + width + "x" + height);
    }
  }

  private TerraSegException windowError(Rectangle region, Exception e) {
    return error(
        "cannot decode window "
            + region.x
            + ","
            + region.y
            + " "
            + region.width
            + "x"
            + region.height
            + " ("
            + TerraSegException.describe(e)
            + ")",
        e);
  }

  /**
   * Decodes one band of {@code region} (0-based band) into {@code dest} as floats, row-major with
   * the region's width, the values {@link Raster#getSampleFloat} gives. Unlike {@link #readWindow}
   * it assembles no window raster: each block's samples go straight into the caller's buffer, so a
   * task that reuses its buffers allocates nothing per window but the blocks it decodes.
   */
  public void readBand(Rectangle region, int band, float[] dest) {
    checkInside(region);
    try {
      forEachBlock(
          region,
          (block, bounds, part) -> {
            int at = (part.y - region.y) * region.width + part.x - region.x;
            // The block raster's origin is its own top-left corner.
            int x = part.x - bounds.x + block.getMinX();
            int y = part.y - bounds.y + block.getMinY();
            if (!copyBand(block, x, y, part.width, part.height, band, dest, at, region.width)) {
              // Layouts without per-sample addressing (bit-packed): the sample model's own copy.
              float[] samples =
                  block.getSamples(x, y, part.width, part.height, band, (float[]) null);
              for (int r = 0; r < part.height; r++) {
                System.arraycopy(samples, r * part.width, dest, at + r * region.width, part.width);
              }
            }
          });
    } catch (IOException | RuntimeException e) {
      throw windowError(region, e);
    }
  }

  /** {@link #readBand(Rectangle, int, float[])} for integer rasters such as labels and masks. */
  public void readBand(Rectangle region, int band, int[] dest) {
    int n = region.width * region.height;
    if (scratch.length < n) {
      scratch = new float[n];
    }
    readBand(region, band, scratch);
    for (int i = 0; i < n; i++) {
      dest[i] = (int) scratch[i];
    }
  }

  private interface BlockPart {
    /** {@code bounds}: the block's place in the image; {@code part}: what of it to use. */
    void accept(Raster block, Rectangle bounds, Rectangle part) throws IOException;
  }

  /** Calls {@code action} with each block under {@code region} and the part of it inside. */
  private void forEachBlock(Rectangle region, BlockPart action) throws IOException {
    int lastColumn = (region.x + region.width - 1) / blockWidth;
    int lastRow = (region.y + region.height - 1) / blockHeight;
    for (int row = region.y / blockHeight; row <= lastRow; row++) {
      for (int column = region.x / blockWidth; column <= lastColumn; column++) {
        Rectangle bounds = blockBounds(column, row);
        action.accept(block(column, row, bounds), bounds, bounds.intersection(region));
      }
    }
  }

  /**
   * Copies one band of {@code part} of a block straight from its data buffer, for the component
   * layouts TIFF decoders produce (pixel- and band-interleaved, every sample type): the generic
   * {@link Raster#getSamples} goes through a virtual call per sample and took most of a window's
   * read time. Returns false for other layouts.
   */
  private static boolean copyBand(
      Raster block,
      int x0,
      int y0,
      int width,
      int rows,
      int band,
      float[] dest,
      int at,
      int destWidth) {
    if (!(block.getSampleModel() instanceof ComponentSampleModel model)) {
      return false;
    }
    DataBuffer data = block.getDataBuffer();
    int bank = model.getBankIndices()[band];
    int step = model.getPixelStride();
    int scan = model.getScanlineStride();
    int origin =
        data.getOffsets()[bank]
            + model.getBandOffsets()[band]
            + (y0 - block.getSampleModelTranslateY()) * scan
            + (x0 - block.getSampleModelTranslateX()) * step;
    // One loop per buffer type: no type dispatch per sample.
    if (data instanceof DataBufferByte b) {
      byte[] a = b.getData(bank);
      for (int y = 0, from = origin, to = at; y < rows; y++, from += scan, to += destWidth) {
        for (int x = 0; x < width; x++) {
          dest[to + x] = a[from + x * step] & 0xFF;
        }
      }
    } else if (data instanceof DataBufferUShort b) {
      short[] a = b.getData(bank);
      for (int y = 0, from = origin, to = at; y < rows; y++, from += scan, to += destWidth) {
        for (int x = 0; x < width; x++) {
          dest[to + x] = a[from + x * step] & 0xFFFF;
        }
      }
    } else if (data instanceof DataBufferShort b) {
      short[] a = b.getData(bank);
      for (int y = 0, from = origin, to = at; y < rows; y++, from += scan, to += destWidth) {
        for (int x = 0; x < width; x++) {
          dest[to + x] = a[from + x * step];
        }
      }
    } else if (data instanceof DataBufferInt b) {
      int[] a = b.getData(bank);
      for (int y = 0, from = origin, to = at; y < rows; y++, from += scan, to += destWidth) {
        for (int x = 0; x < width; x++) {
          dest[to + x] = a[from + x * step];
        }
      }
    } else if (data instanceof DataBufferFloat b) {
      float[] a = b.getData(bank);
      for (int y = 0, from = origin, to = at; y < rows; y++, from += scan, to += destWidth) {
        for (int x = 0; x < width; x++) {
          dest[to + x] = a[from + x * step];
        }
      }
    } else if (data instanceof DataBufferDouble b) {
      double[] a = b.getData(bank);
      for (int y = 0, from = origin, to = at; y < rows; y++, from += scan, to += destWidth) {
        for (int x = 0; x < width; x++) {
          dest[to + x] = (float) a[from + x * step];
        }
      }
    } else {
      return false;
    }
    return true;
  }

  private Rectangle blockBounds(int column, int row) {
    int x = column * blockWidth;
    int y = row * blockHeight;
    return new Rectangle(x, y, Math.min(blockWidth, width - x), Math.min(blockHeight, height - y));
  }

  /** One internal tile or strip, decoded once while the cache keeps it. */
  private Raster block(int column, int row, Rectangle bounds) throws IOException {
    int index = row * ceilDiv(width, blockWidth) + column;
    BufferedImage block = blocks.get(index);
    if (block == null) {
      ImageReadParam param = reader.getDefaultReadParam();
      param.setSourceRegion(bounds);
      // Decoding into the buffer of a block no longer cached (this file's last evicted one, or
      // one a closed file handed on) keeps the cache from turning over a block's worth of
      // garbage per decode: long-lived enough to be promoted, that garbage made the collector
      // grow the old generation with the scene.
      BufferedImage buffer =
          blockType == null
              ? null
              : spare != null
                      && spare.getWidth() == bounds.width
                      && spare.getHeight() == bounds.height
                  ? spare
                  : BlockBuffers.take(
                      new BlockBuffers.Shape(blockType, bounds.width, bounds.height));
      if (buffer == spare) {
        spare = null;
      } else if (spare != null) {
        BlockBuffers.give(spare);
        spare = null;
      }
      param.setDestination(buffer);
      block = reader.read(0, param);
      if (blockType == null) {
        blockType = new ImageTypeSpecifier(block);
      }
      blocks.put(index, block);
      cachedBytes += BlockBuffers.bytes(block);
      for (var oldest = blocks.entrySet().iterator();
          cachedBytes > cacheBytes && blocks.size() > 1; ) {
        BufferedImage evicted = oldest.next().getValue();
        oldest.remove();
        cachedBytes -= BlockBuffers.bytes(evicted);
        if (spare != null) {
          BlockBuffers.give(spare);
        }
        spare = evicted;
      }
    }
    return block.getRaster();
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  @Override
  public void close() {
    blocks.values().forEach(BlockBuffers::give);
    blocks.clear();
    if (spare != null) {
      BlockBuffers.give(spare);
      spare = null;
    }
    reader.dispose();
    try {
      stream.close();
    } catch (IOException ignored) {
      // Read-only stream: nothing to lose.
    }
  }

  private void checkNotTruncated(TIFFIFD ifd) {
    boolean tiled = ifd.getTIFFField(BaselineTIFFTagSet.TAG_TILE_OFFSETS) != null;
    TIFFField offsets =
        ifd.getTIFFField(
            tiled ? BaselineTIFFTagSet.TAG_TILE_OFFSETS : BaselineTIFFTagSet.TAG_STRIP_OFFSETS);
    TIFFField counts =
        ifd.getTIFFField(
            tiled
                ? BaselineTIFFTagSet.TAG_TILE_BYTE_COUNTS
                : BaselineTIFFTagSet.TAG_STRIP_BYTE_COUNTS);
    if (offsets == null || counts == null) {
      throw error("no " + (tiled ? "tile" : "strip") + " offsets or byte counts in the header");
    }
    int blocks = blockCount(ifd, tiled);
    try {
      for (int i = 0; i < blocks; i++) {
        long end = reader.blockOffset(i) + reader.blockByteCount(i);
        if (end > fileSize) {
          throw error(
              "truncated: "
                  + (tiled ? "tile " : "strip ")
                  + i
                  + " ends at byte "
                  + end
                  + " but the file has "
                  + fileSize
                  + " bytes");
        }
      }
    } catch (IOException e) {
      throw error(
          "truncated: cannot read the "
              + (tiled ? "tile" : "strip")
              + " offsets ("
              + TerraSegException.describe(e)
              + ")",
          e);
    }
  }

  private int blockCount(TIFFIFD ifd, boolean tiled) {
    int across = 1;
    int down;
    if (tiled) {
      int tileWidth = intField(ifd, BaselineTIFFTagSet.TAG_TILE_WIDTH, width);
      int tileHeight = intField(ifd, BaselineTIFFTagSet.TAG_TILE_LENGTH, height);
      across = (width + tileWidth - 1) / tileWidth;
      down = (height + tileHeight - 1) / tileHeight;
    } else {
      int rows = Math.min(height, intField(ifd, BaselineTIFFTagSet.TAG_ROWS_PER_STRIP, height));
      down = (height + rows - 1) / rows;
    }
    boolean planar = intField(ifd, BaselineTIFFTagSet.TAG_PLANAR_CONFIGURATION, 1) == 2;
    return across * down * (planar ? bands : 1);
  }

  /**
   * Exposes the reader's own view of block offsets and sizes: imageio-ext leaves large offset
   * arrays out of the IFD's fields (count 0, no data) and reads them lazily.
   */
  private static final class BlockReader extends TIFFImageReader {
    BlockReader() {
      super(new TIFFImageReaderSpi());
    }

    long blockOffset(int block) throws IOException {
      return getTileOrStripOffset(block);
    }

    long blockByteCount(int block) throws IOException {
      return getTileOrStripByteCount(block);
    }
  }

  private static Double nodata(TIFFIFD ifd) {
    TIFFField field = ifd.getTIFFField(PrivateTIFFTagSet.TAG_GDAL_NODATA);
    if (field == null) {
      return null;
    }
    String text = field.getAsString(0).trim();
    if (text.isEmpty()) {
      return null;
    }
    return text.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(text);
  }

  private static double[] doubles(TIFFIFD ifd, int tag) {
    TIFFField field = ifd.getTIFFField(tag);
    return field == null ? null : field.getAsDoubles();
  }

  private static int intField(TIFFIFD ifd, int tag, int fallback) {
    TIFFField field = ifd.getTIFFField(tag);
    return field == null ? fallback : field.getAsInt(0);
  }

  private static boolean isTiffMagic(byte[] m) {
    boolean little = m[0] == 'I' && m[1] == 'I' && (m[2] == 42 || m[2] == 43) && m[3] == 0;
    boolean big = m[0] == 'M' && m[1] == 'M' && m[2] == 0 && (m[3] == 42 || m[3] == 43);
    return little || big;
  }

  private TerraSegException error(String problem) {
    return new TerraSegException(uri + ": " + problem);
  }

  private TerraSegException error(String problem, Throwable cause) {
    return new TerraSegException(uri + ": " + problem, cause);
  }
}
