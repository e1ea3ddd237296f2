package io.terraseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.RasterInfo;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description =
        "Describe a GeoTIFF as JSON: size, bands, data type, CRS, geotransform, nodata, internal "
            + "tiling and compression. Reads the header only.")
final class InfoCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "GeoTIFF path or Hadoop FileSystem URI")
  String path;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RasterInfo info = GeoTiffFile.readInfo(path, new Configuration());
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("path", info.uri());
    root.put("file_size", info.fileSize());
    root.put("width", info.width());
    root.put("height", info.height());
    root.put("bands", info.bands());
    root.put("data_type", info.sampleType().gdalName());
    ObjectNode crs = root.putObject("crs");
    crs.put("epsg", info.epsg());
    crs.put("wkt", info.crsWkt());
    if (info.geoTransform() == null) {
      root.putNull("geotransform");
    } else {
      com.fasterxml.jackson.databind.node.ArrayNode geoTransform = root.putArray("geotransform");
      for (double v : info.geoTransform()) {
        geoTransform.add(v);
      }
    }
    if (info.nodata() == null) {
      root.putNull("nodata");
    } else if (info.nodata().isNaN()) {
      root.put("nodata", "nan");
    } else {
      root.put("nodata", info.nodata());
    }
    ObjectNode tiling = root.putObject("tiling");
    tiling.put("layout", info.tiled() ? "tiled" : "striped");
    tiling.put("block_width", info.blockWidth());
    tiling.put("block_height", info.blockHeight());
    root.put("compression", info.compression());
    spec.commandLine().getOut().println(json.writeValueAsString(root));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
