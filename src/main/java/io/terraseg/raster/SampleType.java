package io.terraseg.raster;

/**
 * The pixel data types TerraSeg reads: TIFF SampleFormat × BitsPerSample, named as GDAL names them.
 */
public enum SampleType {
  UINT8("Byte"),
  INT8("Int8"),
  UINT16("UInt16"),
  INT16("Int16"),
  UINT32("UInt32"),
  INT32("Int32"),
  FLOAT32("Float32"),
  FLOAT64("Float64");

  private final String gdalName;

  SampleType(String gdalName) {
    this.gdalName = gdalName;
  }

  public String gdalName() {
    return gdalName;
  }

  /** Bytes per sample, as decoded. */
  public int bytes() {
    return switch (this) {
      case UINT8, INT8 -> 1;
      case UINT16, INT16 -> 2;
      case UINT32, INT32, FLOAT32 -> 4;
      case FLOAT64 -> 8;
    };
  }

  /**
   * Null when the combination is not one we decode (1-bit, 12-bit, 64-bit integers, complex, ...).
   */
  static SampleType of(int sampleFormat, int bits) {
    return switch (sampleFormat) {
      case 1 -> bits == 8 ? UINT8 : bits == 16 ? UINT16 : bits == 32 ? UINT32 : null;
      case 2 -> bits == 8 ? INT8 : bits == 16 ? INT16 : bits == 32 ? INT32 : null;
      case 3 -> bits == 32 ? FLOAT32 : bits == 64 ? FLOAT64 : null;
      default -> null;
    };
  }
}
