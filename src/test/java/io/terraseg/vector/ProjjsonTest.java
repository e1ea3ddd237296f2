package io.terraseg.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.referencing.CRS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GDAL (through PROJ) is the reference reader of PROJJSON: what it parses is what counts. */
class ProjjsonTest {
  // Our JSON and the reference, each read by osr and compared up to axis order: GeoTIFF CRSs
  // come x/y (longitude-first, easting-first, as GeoTools decodes them here) while EPSG has
  // northing-first CRSs such as 3035, and GeoParquet fixes x/y order whatever the CRS says. The
  // proj4 strings leave out +towgs84, which GDAL adds from its own database of transformations
  // when it recognises the CRS, and which is no part of the CRS definition.
  private static final String COMPARE =
      """
      import json, sys
      from osgeo import gdal, osr
      osr.UseExceptions()
      gdal.SetConfigOption('OSR_ADD_TOWGS84_ON_EXPORT_TO_PROJ4', 'NO')
      ours = osr.SpatialReference()
      ours.SetFromUserInput(open(sys.argv[1]).read())
      ref = osr.SpatialReference()
      ref.SetFromUserInput(sys.argv[2])
      swapped = json.loads(ref.ExportToPROJJSON())
      swapped['coordinate_system']['axis'].reverse()
      refs = [ref, osr.SpatialReference()]
      refs[1].SetFromUserInput(json.dumps(swapped))
      same = any(ours.IsSame(r, ['IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES',
                                 'CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS']) for r in refs)
      print(json.dumps({'same': bool(same), 'ours': ours.ExportToProj4(),
                        'ref': ref.ExportToProj4(), 'code': ours.GetAuthorityCode(None)}))
      """;

  @TempDir Path dir;

  // Beyond the usual remote-sensing CRSs: 27572 has the Paris prime meridian in grads, 2249 US
  // survey feet, the two unit paths the others never take.
  @ParameterizedTest
  @ValueSource(ints = {4326, 4258, 32633, 32756, 3857, 2154, 27700, 3035, 3413, 27572, 2249})
  void gdalReadsTheSameCrsAsItsEpsgDefinition(int code) throws Exception {
    CoordinateReferenceSystem crs = CRS.decode("EPSG:" + code, true);
    ObjectNode json = Projjson.of(crs, code);
    assertNotNull(json, "EPSG:" + code);
    JsonNode withId = gdal(json, "EPSG:" + code);
    assertTrue(withId.get("same").asBoolean(), "EPSG:" + code + " " + json.toPrettyString());
    assertEquals(String.valueOf(code), withId.get("code").asText());
    // Without the id GDAL has only the definition to go on; that must be equivalent by itself.
    json.remove("id");
    JsonNode bare = gdal(json, "EPSG:" + code);
    assertTrue(bare.get("same").asBoolean(), "EPSG:" + code + " " + json.toPrettyString());
    assertEquals(proj4(bare.get("ref").asText()), proj4(bare.get("ours").asText()), "EPSG:" + code);
  }

  // GeoTools names the datum as the WKT spells it ("WGS_1984", ESRI's "D_North_American_1983"),
  // which PROJ would take for a datum of its own: the EPSG name must come out.
  @ParameterizedTest
  @ValueSource(
      strings = {
        "PROJCS[\"Custom TM\",GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,"
            + "298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],"
            + "PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],"
            + "PARAMETER[\"central_meridian\",17.25],PARAMETER[\"scale_factor\",0.9999],"
            + "PARAMETER[\"false_easting\",250000],PARAMETER[\"false_northing\",0],"
            + "UNIT[\"metre\",1],AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH]]",
        "PROJCS[\"Custom_TM\",GEOGCS[\"GCS_North_American_1983\",DATUM[\"D_North_American_1983\","
            + "SPHEROID[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],"
            + "UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],"
            + "PARAMETER[\"False_Easting\",250000.0],PARAMETER[\"False_Northing\",0.0],"
            + "PARAMETER[\"Central_Meridian\",17.25],PARAMETER[\"Scale_Factor\",0.9999],"
            + "PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]"
      })
  void aCustomTransverseMercatorWithoutEpsgCodeKeepsItsParameters(String wkt) throws Exception {
    ObjectNode json = Projjson.of(CRS.parseWKT(wkt), null);
    assertNotNull(json);
    assertNull(json.get("id"));
    JsonNode result = gdal(json, wkt);
    assertTrue(result.get("same").asBoolean(), json.toPrettyString());
    assertEquals(proj4(result.get("ref").asText()), proj4(result.get("ours").asText()));
    assertTrue(
        result.get("ours").asText().contains("+lon_0=17.25 +k=0.9999 +x_0=250000"),
        result.toString());
  }

  @Test
  void whatPlainPlanarOrCompoundCannotBeExpressedIsNull() throws Exception {
    assertNull(Projjson.of(CRS.decode("EPSG:7405", true), 7405)); // BNG + ODN height
    assertNull(Projjson.of(CRS.decode("EPSG:4979", true), 4979)); // WGS 84 3D
    assertNull(Projjson.of(org.geotools.referencing.crs.DefaultEngineeringCRS.CARTESIAN_2D, null));
    String geographic =
        "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]],"
            + "PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]";
    // A projection with no EPSG method: PROJ would not know it by GeoTools' name.
    assertNull(
        Projjson.of(
            CRS.parseWKT(
                "PROJCS[\"Robinson\","
                    + geographic
                    + ",PROJECTION[\"Robinson\"],PARAMETER[\"central_meridian\",0],"
                    + "UNIT[\"metre\",1]]"),
            null));
    // A scale factor the EPSG Lambert 2SP method has no place for: dropping it would move points.
    assertNull(
        Projjson.of(
            CRS.parseWKT(
                "PROJCS[\"Scaled LCC\","
                    + geographic
                    + ",PROJECTION[\"Lambert_Conformal_Conic_2SP\"],"
                    + "PARAMETER[\"standard_parallel_1\",49],PARAMETER[\"standard_parallel_2\",44],"
                    + "PARAMETER[\"latitude_of_origin\",46.5],PARAMETER[\"central_meridian\",3],"
                    + "PARAMETER[\"scale_factor\",0.999],UNIT[\"metre\",1]]"),
            null));
  }

  private static String proj4(String s) {
    return s.trim().replaceAll("\\s+", " ");
  }

  private JsonNode gdal(ObjectNode json, String reference) throws Exception {
    Path file = Files.createTempFile(dir, "crs", ".json");
    Files.writeString(file, json.toString());
    Process p;
    try {
      p =
          new ProcessBuilder("/usr/bin/python3", "-c", COMPARE, file.toString(), reference)
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException e) {
      throw new AssertionError("python3 with osgeo (python3-gdal) is needed: scripts/setup.sh", e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError("osr failed on " + json.toPrettyString() + ": " + output);
    }
    return new ObjectMapper().readTree(output.substring(output.lastIndexOf("\n{") + 1));
  }
}
