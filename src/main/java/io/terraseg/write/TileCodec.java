package io.terraseg.write;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * DEFLATE (zlib) for mask tiles, TIFF's compression 8: the predicting task compresses each tile,
 * the writing task decodes tiles again to make overviews. One per thread; {@link #close} frees the
 * native zlib state at once rather than when the collector gets to it.
 */
public final class TileCodec implements AutoCloseable {
  /**
   * zlib's default level: masks compress well, and level 6 keeps them byte-identical run to run.
   */
  private final Deflater deflater = new Deflater(6);

  private final Inflater inflater = new Inflater();
  private final byte[] buffer = new byte[16384];

  public byte[] deflate(byte[] tile) {
    deflater.reset();
    deflater.setInput(tile);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream(tile.length / 8 + 64);
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    return out.toByteArray();
  }

  /** Decodes {@code compressed} into all of {@code tile}, which must be its exact size. */
  void inflate(byte[] compressed, byte[] tile) throws IOException {
    inflater.reset();
    inflater.setInput(compressed);
    try {
      int n = 0;
      while (n < tile.length && !inflater.finished()) {
        int got = inflater.inflate(tile, n, tile.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += got;
      }
      if (n != tile.length) {
        throw new IOException("a mask tile decodes to " + n + " bytes, not " + tile.length);
      }
    } catch (DataFormatException e) {
      throw new IOException("a mask tile does not decode (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public void close() {
    deflater.end();
    inflater.end();
  }
}
