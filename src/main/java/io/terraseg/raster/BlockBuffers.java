package io.terraseg.raster;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageTypeSpecifier;

/**
 * Decoded-block buffers that closed files hand on to the files opened after them, JVM-wide. Each
 * task opens its scene's files anew, and each file's block cache (up to 32 MiB) used to become
 * garbage when the task ended: old enough to have been promoted, it made the collector grow the old
 * generation with every task, so an executor's heap grew with the number of tasks a scene took.
 * Handed on, the same buffers serve task after task. Bounded: what does not fit is left to the
 * collector.
 */
final class BlockBuffers {
  private static final long BUDGET_BYTES = 32L << 20;

  /** Buffers fit a decode when the decoder's image type and the block size are the same. */
  record Shape(ImageTypeSpecifier type, int width, int height) {
    static Shape of(BufferedImage image) {
      return new Shape(new ImageTypeSpecifier(image), image.getWidth(), image.getHeight());
    }
  }

  private static final Map<Shape, ArrayDeque<BufferedImage>> FREE = new HashMap<>();
  private static long freeBytes;

  private BlockBuffers() {}

  /** A free buffer of this shape, or null. */
  static synchronized BufferedImage take(Shape shape) {
    ArrayDeque<BufferedImage> free = FREE.get(shape);
    BufferedImage image = free == null ? null : free.pollFirst();
    if (image != null) {
      freeBytes -= bytes(image);
    }
    return image;
  }

  /** Hands back a buffer no cache holds any more. */
  static synchronized void give(BufferedImage image) {
    long bytes = bytes(image);
    if (freeBytes + bytes <= BUDGET_BYTES) {
      FREE.computeIfAbsent(Shape.of(image), s -> new ArrayDeque<>()).addFirst(image);
      freeBytes += bytes;
    }
  }

  static long bytes(BufferedImage image) {
    DataBuffer data = image.getRaster().getDataBuffer();
    return (long) data.getSize()
        * data.getNumBanks()
        * DataBuffer.getDataTypeSize(data.getDataType())
        / 8;
  }
}
