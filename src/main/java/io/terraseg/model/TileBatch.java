package io.terraseg.model;

/**
 * {@code count} normalized tiles, float32 N×C×T×T in {@code data} (which may be longer: batches
 * reuse one buffer).
 */
public record TileBatch(float[] data, int count, int channels, int tileSize) {
  int floats() {
    return count * channels * tileSize * tileSize;
  }
}
