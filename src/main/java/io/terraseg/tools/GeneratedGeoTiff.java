package io.terraseg.tools;

import com.sun.media.imageioimpl.common.BogusColorSpace;
import io.terraseg.TerraSegException;
import io.terraseg.raster.SampleType;
import it.geosolutions.jaiext.range.NoDataContainer;
import java.awt.Image;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Vector;
import javax.imageio.ImageWriteParam;
import org.geotools.api.parameter.GeneralParameterValue;
import org.geotools.api.parameter.ParameterValueGroup;
import org.geotools.api.referencing.datum.PixelInCell;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.coverage.grid.GridEnvelope2D;
import org.geotools.coverage.grid.GridGeometry2D;
import org.geotools.coverage.grid.io.AbstractGridFormat;
import org.geotools.coverage.util.CoverageUtilities;
import org.geotools.gce.geotiff.GeoTiffFormat;
import org.geotools.gce.geotiff.GeoTiffWriteParams;
import org.geotools.gce.geotiff.GeoTiffWriter;
import org.geotools.referencing.CRS;
import org.geotools.referencing.operation.transform.AffineTransform2D;

/**
 * A GeoTIFF of any size whose pixels are computed block by block while GeoTools' writer encodes it:
 * the image handed to the writer is procedural, so memory is a few blocks however large the file.
 * Sample scenes and test rasters are both written through here.
 *
 * @param blockHeight internal tile height when {@code tiled}, rows per strip otherwise
 * @param compression "NONE", "DEFLATE" or "LZW"
 * @param nodata written as GDAL_NODATA when not null
 * @param geoTransform GDAL order: {originX, pixelWidth, 0, originY, 0, pixelHeight}
 * @param palette RGB colors (0xRRGGBB) for a single-band uint8 image, or null
 * @param pixels fills each block on demand
 */
public record GeneratedGeoTiff(
    int width,
    int height,
    int bands,
    SampleType type,
    boolean tiled,
    int blockWidth,
    int blockHeight,
    String compression,
    Double nodata,
    int epsg,
    double[] geoTransform,
    int[] palette,
    Pixels pixels) {

  /**
   * Computes a block: fill every sample of {@code block}, whose bounds are in image coordinates.
   */
  @FunctionalInterface
  public interface Pixels {
    void fill(WritableRaster block);
  }

  // imageio-ext decides BigTIFF up front; a deflated file stays below its uncompressed size (plus a
  // margin).
  private static final long CLASSIC_TIFF_LIMIT = 0xF000_0000L;

  /**
   * Writes to a temporary file beside {@code file}, then renames it, so readers never see half a
   * file.
   */
  public void write(Path file) {
    Path target = file.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.createDirectories(target.getParent());
      GeoTiffWriter writer = new GeoTiffWriter(temp.toFile());
      try {
        writer.write(coverage(), writeParameters());
      } finally {
        writer.dispose();
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // The original failure is the one worth reporting.
      }
      throw new TerraSegException(
          file + ": cannot write GeoTIFF (" + TerraSegException.describe(e) + ")", e);
    }
  }

  private GridCoverage2D coverage() {
    try {
      var gridToCrs =
          new AffineTransform2D(
              geoTransform[1],
              geoTransform[4],
              geoTransform[2],
              geoTransform[5],
              geoTransform[0],
              geoTransform[3]);
      var grid =
          new GridGeometry2D(
              new GridEnvelope2D(0, 0, width, height),
              PixelInCell.CELL_CORNER,
              gridToCrs,
              CRS.decode("EPSG:" + epsg, true),
              null);
      Map<String, Object> properties = new HashMap<>();
      if (nodata != null) {
        CoverageUtilities.setNoDataProperty(properties, new NoDataContainer(nodata));
      }
      return new GridCoverageFactory()
          .create("generated", new LazyImage(), grid, null, null, properties);
    } catch (org.geotools.api.referencing.FactoryException e) {
      throw new TerraSegException(
          "EPSG:" + epsg + ": unknown CRS (" + TerraSegException.describe(e) + ")", e);
    }
  }

  private GeneralParameterValue[] writeParameters() {
    GeoTiffWriteParams params = new GeoTiffWriteParams();
    if (!compression.equals("NONE")) {
      params.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      params.setCompressionType(
          switch (compression) {
            case "DEFLATE" -> "Deflate";
            case "LZW" -> "LZW";
            default -> throw new IllegalArgumentException("compression " + compression);
          });
    }
    if (tiled) {
      params.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
      params.setTiling(blockWidth, blockHeight);
    }
    params.setForceToBigTIFF((long) width * height * bands * bytesPerSample() > CLASSIC_TIFF_LIMIT);
    ParameterValueGroup values = new GeoTiffFormat().getWriteParameters();
    values
        .parameter(AbstractGridFormat.GEOTOOLS_WRITE_PARAMS.getName().toString())
        .setValue(params);
    // Without this GeoTools invents a nodata value for images that have none.
    values.parameter(GeoTiffFormat.WRITE_NODATA.getName().toString()).setValue(nodata != null);
    return values.values().toArray(new GeneralParameterValue[0]);
  }

  private int dataType() {
    return switch (type) {
      case UINT8 -> DataBuffer.TYPE_BYTE;
      case UINT16 -> DataBuffer.TYPE_USHORT;
      case INT16 -> DataBuffer.TYPE_SHORT;
      case INT32 -> DataBuffer.TYPE_INT;
      case FLOAT32 -> DataBuffer.TYPE_FLOAT;
      case FLOAT64 -> DataBuffer.TYPE_DOUBLE;
      default ->
          throw new IllegalArgumentException("cannot generate " + type.gdalName() + " rasters");
    };
  }

  private int bytesPerSample() {
    return DataBuffer.getDataTypeSize(dataType()) / 8;
  }

  private ColorModel colorModel() {
    if (palette != null) {
      byte[][] rgb = new byte[3][256];
      for (int i = 0; i < Math.min(256, palette.length); i++) {
        rgb[0][i] = (byte) (palette[i] >> 16);
        rgb[1][i] = (byte) (palette[i] >> 8);
        rgb[2][i] = (byte) palette[i];
      }
      return new IndexColorModel(8, 256, rgb[0], rgb[1], rgb[2]);
    }
    // Other than 8-bit RGB, bands have no colors: a neutral color space makes GDAL read them as
    // plain bands.
    ColorSpace space =
        bands == 3 && type == SampleType.UINT8
            ? ColorSpace.getInstance(ColorSpace.CS_sRGB)
            : bands == 1 ? ColorSpace.getInstance(ColorSpace.CS_GRAY) : new BogusColorSpace(bands);
    return new ComponentColorModel(space, false, false, Transparency.OPAQUE, dataType());
  }

  /**
   * The writer asks for one block at a time (tiles or strips of the output layout); each is
   * computed then, never cached.
   */
  private final class LazyImage implements RenderedImage {
    private final int tileHeight = tiled ? blockHeight : Math.min(blockHeight, height);
    private final int tileWidth = tiled ? blockWidth : width;
    private final SampleModel sampleModel =
        new PixelInterleavedSampleModel(
            dataType(), tileWidth, tileHeight, bands, tileWidth * bands, bandOffsets());
    private final ColorModel colorModel = colorModel();

    private int[] bandOffsets() {
      int[] offsets = new int[bands];
      for (int b = 0; b < bands; b++) {
        offsets[b] = b;
      }
      return offsets;
    }

    @Override
    public Raster getTile(int tileX, int tileY) {
      return block(new Rectangle(tileX * tileWidth, tileY * tileHeight, tileWidth, tileHeight));
    }

    @Override
    public Raster getData(Rectangle rect) {
      return block(rect.intersection(new Rectangle(width, height)));
    }

    @Override
    public Raster getData() {
      return getData(new Rectangle(width, height));
    }

    @Override
    public WritableRaster copyData(WritableRaster raster) {
      Raster data = getData(raster == null ? new Rectangle(width, height) : raster.getBounds());
      if (raster == null) {
        return (WritableRaster) data;
      }
      raster.setRect(data);
      return raster;
    }

    private WritableRaster block(Rectangle r) {
      WritableRaster raster =
          Raster.createWritableRaster(
              sampleModel.createCompatibleSampleModel(r.width, r.height), new Point(r.x, r.y));
      pixels.fill(raster);
      return raster;
    }

    @Override
    public Vector<RenderedImage> getSources() {
      return null;
    }

    @Override
    public Object getProperty(String name) {
      return Image.UndefinedProperty;
    }

    @Override
    public String[] getPropertyNames() {
      return null;
    }

    @Override
    public ColorModel getColorModel() {
      return colorModel;
    }

    @Override
    public SampleModel getSampleModel() {
      return sampleModel;
    }

    @Override
    public int getWidth() {
      return width;
    }

    @Override
    public int getHeight() {
      return height;
    }

    @Override
    public int getMinX() {
      return 0;
    }

    @Override
    public int getMinY() {
      return 0;
    }

    @Override
    public int getNumXTiles() {
      return (width + tileWidth - 1) / tileWidth;
    }

    @Override
    public int getNumYTiles() {
      return (height + tileHeight - 1) / tileHeight;
    }

    @Override
    public int getMinTileX() {
      return 0;
    }

    @Override
    public int getMinTileY() {
      return 0;
    }

    @Override
    public int getTileWidth() {
      return tileWidth;
    }

    @Override
    public int getTileHeight() {
      return tileHeight;
    }

    @Override
    public int getTileGridXOffset() {
      return 0;
    }

    @Override
    public int getTileGridYOffset() {
      return 0;
    }
  }
}
