package io.terraseg.raster;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import it.geosolutions.imageio.compression.AbstractCompressionSpi;
import it.geosolutions.imageio.compression.CompressionRegistry;
import it.geosolutions.imageio.compression.CompressionType;
import it.geosolutions.imageio.compression.Decompressor;
import it.geosolutions.imageio.compression.DecompressorSpi;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEFLATE blocks of source GeoTIFFs decoded by libdeflate, the library GDAL links for the same job,
 * where the machine has it ({@code libdeflate0} on Debian and Ubuntu, installed with GDAL): it
 * decodes a 256² 6-band block in about half of zlib's time, and decoding source blocks was the
 * largest native cost of a task after compressing masks. It plugs into imageio-ext's own
 * decompressor registry ({@link #register}), ahead of its zlib decompressor, so every DEFLATE read
 * (tiled or striped, with or without a predictor) goes through it; decoding gives the same bytes
 * whoever does it. Without libdeflate, or for a block it does not take (a stream that holds more
 * than the block, which zlib cuts short), reading is what it was: {@code java.util.zip}, as
 * imageio-ext calls it.
 *
 * <p>Bound through JNA (DJL's own dependency): no Java binding of libdeflate could be had from
 * Maven Central here ({@code com.fulcrumgenomics:jlibdeflate} is not served). Only decoding uses
 * it; masks are still compressed by zlib (TileCodec), so they stay byte-identical.
 */
final class Libdeflate {
  private static final Logger LOG = LoggerFactory.getLogger(Libdeflate.class);

  /** libdeflate_result: the stream decoded and fitted (possibly short of the space given). */
  private static final int SUCCESS = 0;

  private static final boolean AVAILABLE = load();

  private Libdeflate() {}

  private static boolean load() {
    // The runtime package ships only the versioned name; a -dev package adds the plain one.
    for (String name : new String[] {"deflate", "libdeflate.so.0"}) {
      try {
        Native.register(Libdeflate.class, NativeLibrary.getInstance(name));
        return true;
      } catch (LinkageError | RuntimeException e) {
        // Try the next name; without any, zlib decodes as before.
      }
    }
    return false;
  }

  private static native Pointer libdeflate_alloc_decompressor();

  /**
   * @param actualOut where libdeflate writes how many bytes it produced (a size_t): given, a stream
   *     shorter than {@code outAvailable} succeeds, as zlib's single inflate call does
   */
  private static native int libdeflate_zlib_decompress(
      Pointer decompressor,
      Pointer in,
      long inBytes,
      Pointer out,
      long outAvailable,
      Pointer actualOut);

  /**
   * Puts libdeflate ahead of imageio-ext's zlib decompressor for DEFLATE; a no-op without
   * libdeflate. Called once, from {@link GeoTiffFile}'s class initialization. Registered here
   * rather than through META-INF/services: imageio-ext scans services with the context class loader
   * of whichever thread first decodes, which on an executor need not see the application's jar.
   */
  static void register() {
    if (AVAILABLE) {
      CompressionRegistry.getDefaultInstance().registerSPI(new Spi());
      LOG.info("DEFLATE source blocks are decoded by libdeflate");
    } else {
      LOG.info("libdeflate not found: DEFLATE source blocks are decoded by java.util.zip");
    }
  }

  /** Whether this JVM decodes DEFLATE blocks with libdeflate. */
  static boolean available() {
    return AVAILABLE;
  }

  /** imageio-ext's plug-in point: priority above its zlib decompressor's 50. */
  public static final class Spi extends AbstractCompressionSpi implements DecompressorSpi {
    public Spi() {
      priority = 60;
    }

    @Override
    protected Set<CompressionType> getSupportedCompressions() {
      return Set.of(CompressionType.DEFLATE);
    }

    @Override
    public boolean isEnabled() {
      return AVAILABLE;
    }

    @Override
    public Decompressor createDecompressor(CompressionType type) {
      checkCompression(type);
      return new BlockDecompressor();
    }
  }

  /**
   * One block at a time, as imageio-ext drives it: input, decompress, done. imageio-ext makes one
   * per block it decodes, so the native state and buffers come from {@link #FREE} instead.
   */
  private static final class BlockDecompressor implements Decompressor {
    private byte[] input;

    @Override
    public void setInput(byte[] input) {
      this.input = input;
    }

    @Override
    public void decompress(byte[] b, int off, int len) throws DataFormatException {
      State state = State.take();
      try {
        state.decompress(input, b, off, len);
      } finally {
        FREE.add(state);
      }
    }

    @Override
    public void done() {
      input = null;
    }
  }

  /**
   * Decoders and their native buffers, reused by whichever thread decodes next: at most one per
   * thread decoding at once, each as large as the largest block it decoded.
   */
  private static final Queue<State> FREE = new ConcurrentLinkedQueue<>();

  private static final class State {
    private final Pointer decompressor = libdeflate_alloc_decompressor();
    private final Memory actual = new Memory(Long.BYTES);
    private Memory in = new Memory(1);
    private Memory out = new Memory(1);
    private Inflater zlib;

    static State take() {
      State state = FREE.poll();
      return state != null ? state : new State();
    }

    void decompress(byte[] input, byte[] b, int off, int len) throws DataFormatException {
      if (decompressor == null) {
        throw new OutOfMemoryError("libdeflate could not allocate a decompressor");
      }
      if (in.size() < input.length) {
        in = new Memory(input.length);
      }
      if (out.size() < len) {
        out = new Memory(len);
      }
      in.write(0, input, 0, input.length);
      int result = libdeflate_zlib_decompress(decompressor, in, input.length, out, len, actual);
      if (result == SUCCESS) {
        out.read(0, b, off, (int) actual.getLong(0));
        return;
      }
      // Corrupt, or more data than the block holds: zlib as imageio-ext calls it (one inflate,
      // cut at len), which gives the bytes and errors reading gave without libdeflate.
      if (zlib == null) {
        zlib = new Inflater();
      }
      zlib.reset();
      zlib.setInput(input);
      zlib.inflate(b, off, len);
    }
  }
}
