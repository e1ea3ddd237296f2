package io.terraseg.write;

import io.terraseg.raster.MaskFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A mask's internal overviews, made from the mask's own compressed tiles by the task that writes
 * the scene. Each level halves the one before, until both sides are at most 512 px. An overview
 * pixel is the most frequent class among the 2×2 pixels it covers; nodata and pixels past the
 * image's edge do not count, a tie goes to the smallest class id, and a block without any class is
 * nodata. It is always a class of its block, never an interpolated value, and each level is made
 * from the one before it, as GDAL's own overview building does.
 *
 * <p>Every level is tiled like the full resolution, so an overview tile covers exactly 2×2 tiles of
 * the level above: it is made from those four, decoded one group at a time. Memory is five tiles,
 * whatever the scene. Each level's tiles go to a hidden temporary file, which the next level and
 * the final mask read back.
 */
final class Overviews implements AutoCloseable {
  /** GDAL's COG driver and validator stop at this size. */
  static final int SMALLEST = 512;

  /** The compressed tiles of one level, by row-major index. */
  interface Tiles {
    byte[] read(int index) throws IOException;
  }

  /** One overview level, its tiles in a temporary file. */
  record Level(int width, int height, long[] byteCounts, Path file) {}

  private final FileSystem fs;
  private final int tileSize;
  private final List<Level> levels = new ArrayList<>();
  private final TileCodec codec = new TileCodec();
  private final List<Path> files = new ArrayList<>();
  private final List<FSDataInputStream> opened = new ArrayList<>();

  private Overviews(FileSystem fs, int tileSize) {
    this.fs = fs;
    this.tileSize = tileSize;
  }

  /**
   * The overview levels of a {@code width} × {@code height} mask tiled by {@code tileSize}, largest
   * first, their files named by {@code temporary}. Close to delete the files.
   */
  static Overviews build(
      FileSystem fs,
      Tiles fullResolution,
      int width,
      int height,
      int tileSize,
      IntFunction<Path> temporary)
      throws IOException {
    Overviews overviews = new Overviews(fs, tileSize);
    try {
      Tiles source = fullResolution;
      int w = width;
      int h = height;
      while (Math.max(w, h) > SMALLEST) {
        Level level = overviews.halve(source, w, h, temporary.apply(overviews.levels.size() + 1));
        overviews.levels.add(level);
        source = overviews.reader(level);
        w = level.width();
        h = level.height();
      }
      return overviews;
    } catch (IOException | RuntimeException e) {
      overviews.close();
      throw e;
    }
  }

  List<Level> levels() {
    return levels;
  }

  /** Reads back a level's tiles, by index, from its file. */
  Tiles reader(Level level) throws IOException {
    long[] offsets = new long[level.byteCounts().length];
    for (int i = 1; i < offsets.length; i++) {
      offsets[i] = offsets[i - 1] + level.byteCounts()[i - 1];
    }
    FSDataInputStream in = fs.open(level.file());
    opened.add(in);
    return index -> {
      byte[] tile = new byte[(int) level.byteCounts()[index]];
      in.readFully(offsets[index], tile);
      return tile;
    };
  }

  /** The level below {@code source} (a {@code w} × {@code h} level), written to {@code file}. */
  private Level halve(Tiles source, int w, int h, Path file) throws IOException {
    int t = tileSize;
    int half = t / 2;
    int columns = ceilDiv(w, t);
    int rows = ceilDiv(h, t);
    int width = ceilDiv(w, 2);
    int height = ceilDiv(h, 2);
    int outColumns = ceilDiv(width, t);
    int outRows = ceilDiv(height, t);
    long[] byteCounts = new long[outColumns * outRows];
    byte[] quadrant = new byte[t * t];
    byte[] tile = new byte[t * t];
    files.add(file);
    try (OutputStream out = fs.create(file, true)) {
      for (int row = 0; row < outRows; row++) {
        for (int column = 0; column < outColumns; column++) {
          Arrays.fill(tile, (byte) MaskFormat.NODATA);
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              int sourceRow = 2 * row + dy;
              int sourceColumn = 2 * column + dx;
              if (sourceRow >= rows || sourceColumn >= columns) {
                continue;
              }
              codec.inflate(source.read(sourceRow * columns + sourceColumn), quadrant);
              // The part of the source tile inside the image: padding past the edge never counts.
              halveQuadrant(
                  quadrant,
                  Math.min(t, w - sourceColumn * t),
                  Math.min(t, h - sourceRow * t),
                  tile,
                  dy * half * t + dx * half);
            }
          }
          byte[] compressed = codec.deflate(tile);
          byteCounts[row * outColumns + column] = compressed.length;
          out.write(compressed);
        }
      }
    }
    return new Level(width, height, byteCounts, file);
  }

  /**
   * Halves the {@code validX} × {@code validY} top-left part of a tile into {@code tile} from
   * {@code at} on. A method of its own so that the JIT compiles it early: a scene's overviews run
   * once per JVM, and most of this loop ran interpreted inside the larger one.
   */
  private void halveQuadrant(byte[] quadrant, int validX, int validY, byte[] tile, int at) {
    int t = tileSize;
    for (int y = 0; 2 * y < validY && y < t / 2; y++) {
      boolean below = 2 * y + 1 < validY;
      for (int x = 0; 2 * x < validX && x < t / 2; x++) {
        int from = 2 * y * t + 2 * x;
        boolean right = 2 * x + 1 < validX;
        tile[at + y * t + x] =
            (byte)
                mode(
                    quadrant[from] & 0xFF,
                    right ? quadrant[from + 1] & 0xFF : MaskFormat.NODATA,
                    below ? quadrant[from + t] & 0xFF : MaskFormat.NODATA,
                    right && below ? quadrant[from + t + 1] & 0xFF : MaskFormat.NODATA);
      }
    }
  }

  /** The most frequent class of four pixels, nodata not counting, the smallest id on a tie. */
  static int mode(int a, int b, int c, int d) {
    if (a == b && b == c && c == d) { // inside a region, most blocks: all four alike, nodata too
      return a;
    }
    // Each candidate's key orders by votes, then by the smaller id; no allocation per pixel.
    int key =
        Math.max(
            Math.max(key(a, b, c, d), key(b, a, c, d)), Math.max(key(c, a, b, d), key(d, a, b, c)));
    return key == 0 ? MaskFormat.NODATA : MaskFormat.NODATA - (key & 0xFF);
  }

  private static int key(int v, int x, int y, int z) {
    if (v == MaskFormat.NODATA) {
      return 0;
    }
    int votes = 1 + (v == x ? 1 : 0) + (v == y ? 1 : 0) + (v == z ? 1 : 0);
    return votes << 8 | (MaskFormat.NODATA - v);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** Deletes the levels' files. */
  @Override
  public void close() throws IOException {
    codec.close();
    for (FSDataInputStream in : opened) {
      in.close();
    }
    for (Path file : files) {
      fs.delete(file, false);
    }
  }
}
