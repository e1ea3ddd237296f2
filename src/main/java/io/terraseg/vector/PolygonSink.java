package io.terraseg.vector;

import java.io.Closeable;
import java.io.IOException;
import org.locationtech.jts.geom.Polygon;

/** Where a scene's polygons go, one at a time, in world coordinates. */
public interface PolygonSink extends Closeable {
  /**
   * @param classId index into the class names the sink was made with
   * @param area the polygon's area in m²
   */
  void write(Polygon polygon, int classId, double area) throws IOException;
}
