package io.terraseg.vector;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where a scene's polygons go, one at a time, as the {@link Polygonizer} makes them: in pixel
 * corners, which each sink places in world coordinates itself as it encodes them.
 */
public interface PolygonSink extends Closeable {
  /**
   * @param polygon its class id indexes the class names the sink was made with; its area (m², or
   *     NaN) is written as it is
   */
  void write(Polygonizer.PixelPolygon polygon) throws IOException;
}
