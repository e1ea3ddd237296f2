package io.terraseg.vector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.measure.IncommensurableException;
import javax.measure.Unit;
import org.geotools.api.parameter.GeneralParameterDescriptor;
import org.geotools.api.parameter.GeneralParameterValue;
import org.geotools.api.parameter.ParameterDescriptor;
import org.geotools.api.parameter.ParameterValue;
import org.geotools.api.parameter.ParameterValueGroup;
import org.geotools.api.referencing.FactoryException;
import org.geotools.api.referencing.IdentifiedObject;
import org.geotools.api.referencing.ReferenceIdentifier;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.crs.GeographicCRS;
import org.geotools.api.referencing.crs.ProjectedCRS;
import org.geotools.api.referencing.cs.CoordinateSystem;
import org.geotools.api.referencing.cs.CoordinateSystemAxis;
import org.geotools.api.referencing.datum.Ellipsoid;
import org.geotools.api.referencing.datum.GeodeticDatum;
import org.geotools.api.referencing.datum.PrimeMeridian;
import org.geotools.api.referencing.operation.Conversion;
import org.geotools.api.referencing.operation.OperationMethod;
import org.geotools.api.util.GenericName;
import org.geotools.measure.Units;
import org.geotools.referencing.ReferencingFactoryFinder;
import org.geotools.referencing.factory.AbstractAuthorityFactory;

/**
 * PROJJSON (https://proj.org/specifications/projjson.html, schema v0.7), the CRS encoding
 * GeoParquet requires. GeoTools has no PROJJSON writer, so this builds one from GeoTools'
 * referencing objects, for the two CRS kinds remote-sensing GeoTIFFs carry.
 */
public final class Projjson {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String SCHEMA = "https://proj.org/schemas/v0.7/projjson.schema.json";
  // GeoTools spells a polar axis direction "South along 45 deg East"; PROJJSON splits it into
  // a direction and a meridian.
  private static final Pattern ALONG =
      Pattern.compile("(North|South) along ([0-9.]+) deg (East|West)", Pattern.CASE_INSENSITIVE);

  private Projjson() {}

  /**
   * PROJJSON for a CRS, or null when it cannot be expressed: anything other than a 2D geographic or
   * a projected CRS on a geodetic datum (compound, engineering, vertical, geocentric, 3D), and
   * projected CRSs whose projection has no EPSG method in GeoTools' EPSG database (GeoTools-only
   * projections such as Robinson or Winkel Tripel), or whose parameters do not all fit that method.
   * PROJ reads a conversion by its EPSG method and parameter ids; without them it would be read
   * wrongly or not at all, so nothing is written rather than something misleading.
   *
   * @param epsg the CRS's EPSG code (as the GeoKeys name it, {@code GeoTiffTags.epsg}), written as
   *     the top-level id; null for none
   */
  public static ObjectNode of(CoordinateReferenceSystem crs, Integer epsg) {
    ObjectNode body =
        crs instanceof ProjectedCRS projected
            ? projected(projected)
            : crs instanceof GeographicCRS geographic ? geographic(geographic) : null;
    if (body == null) {
      return null;
    }
    ObjectNode out = JSON.objectNode().put("$schema", SCHEMA);
    out.setAll(body);
    if (epsg != null) {
      out.set("id", epsgId(epsg));
    }
    return out;
  }

  private static ObjectNode geographic(GeographicCRS crs) {
    if (crs.getCoordinateSystem().getDimension() != 2) {
      return null;
    }
    ObjectNode out = named("GeographicCRS", crs);
    out.set("datum", datum(crs.getDatum()));
    out.set("coordinate_system", coordinateSystem("ellipsoidal", crs.getCoordinateSystem()));
    return withId(out, crs);
  }

  private static ObjectNode projected(ProjectedCRS crs) {
    ObjectNode base = geographic(crs.getBaseCRS());
    ObjectNode conversion = conversion(crs.getConversionFromBase());
    if (base == null || conversion == null || crs.getCoordinateSystem().getDimension() != 2) {
      return null;
    }
    ObjectNode out = named("ProjectedCRS", crs);
    out.set("base_crs", base);
    out.set("conversion", conversion);
    out.set("coordinate_system", coordinateSystem("Cartesian", crs.getCoordinateSystem()));
    return out;
  }

  private static ObjectNode datum(GeodeticDatum datum) {
    // PROJ recognises a datum by name alone, and a datum parsed from WKT1 carries its WKT or
    // ESRI spelling ("WGS_1984", "D_North_American_1983"); GeoTools lists the EPSG name among its
    // aliases. (Not for the ellipsoid: GeoTools gives it the datum's aliases.)
    String epsgName = epsgAlias(datum, false);
    ObjectNode out = named("GeodeticReferenceFrame", datum);
    if (epsgName != null) {
      out.put("name", epsgName);
    }
    Ellipsoid e = datum.getEllipsoid();
    ObjectNode ellipsoid = JSON.objectNode().put("name", e.getName().getCode());
    Unit<?> axisUnit = e.getAxisUnit();
    if (e.isSphere()) {
      ellipsoid.set("radius", quantity(e.getSemiMajorAxis(), axisUnit, "metre"));
    } else {
      ellipsoid.set("semi_major_axis", quantity(e.getSemiMajorAxis(), axisUnit, "metre"));
      // Keep the defining pair: the derived figure differs in the last digits.
      if (e.isIvfDefinitive()) {
        ellipsoid.put("inverse_flattening", e.getInverseFlattening());
      } else {
        ellipsoid.set("semi_minor_axis", quantity(e.getSemiMinorAxis(), axisUnit, "metre"));
      }
    }
    out.set("ellipsoid", withId(ellipsoid, e));
    PrimeMeridian pm = datum.getPrimeMeridian();
    if (pm.getGreenwichLongitude() != 0) {
      ObjectNode meridian = JSON.objectNode().put("name", pm.getName().getCode());
      meridian.set(
          "longitude", quantity(pm.getGreenwichLongitude(), pm.getAngularUnit(), "degree"));
      out.set("prime_meridian", withId(meridian, pm));
    }
    return withId(out, datum);
  }

  private static ObjectNode coordinateSystem(String subtype, CoordinateSystem cs) {
    ObjectNode out = JSON.objectNode().put("subtype", subtype);
    ArrayNode axes = out.putArray("axis");
    for (int i = 0; i < cs.getDimension(); i++) {
      CoordinateSystemAxis axis = cs.getAxis(i);
      ObjectNode a = axes.addObject().put("name", axis.getName().getCode());
      a.put("abbreviation", axis.getAbbreviation());
      String direction = axis.getDirection().name();
      Matcher along = ALONG.matcher(direction);
      if (along.matches()) {
        a.put("direction", along.group(1).toLowerCase(Locale.ROOT));
        double longitude = Double.parseDouble(along.group(2));
        a.putObject("meridian")
            .put("longitude", along.group(3).equalsIgnoreCase("West") ? -longitude : longitude);
      } else {
        a.put("direction", camelCase(direction));
      }
      a.set("unit", unit(axis.getUnit()));
    }
    return out;
  }

  private static ObjectNode conversion(Conversion conversion) {
    OperationMethod method = epsgMethod(conversion.getMethod());
    if (method == null) {
      return null;
    }
    ObjectNode out = JSON.objectNode().put("name", conversion.getName().getCode());
    out.set("method", withId(JSON.objectNode().put("name", method.getName().getCode()), method));
    ParameterValueGroup values = conversion.getParameterValues();
    ArrayNode parameters = out.putArray("parameters");
    Set<GeneralParameterDescriptor> written = new HashSet<>();
    for (GeneralParameterDescriptor epsg : method.getParameters().descriptors()) {
      // GeoTools holds the values under its projection's OGC names ("central_meridian"), each
      // listing the EPSG names it stands for as aliases, so the descriptor lookup by EPSG name
      // finds it.
      GeneralParameterDescriptor ours;
      try {
        ours = values.getDescriptor().descriptor(epsg.getName().getCode());
      } catch (RuntimeException e) {
        return null;
      }
      // A parameter GeoTools left out of the values holds its default.
      ParameterValue<?> value = valueOf(values, ours);
      Object number =
          value != null ? value.getValue() : ((ParameterDescriptor<?>) ours).getDefaultValue();
      Unit<?> unit = value != null ? value.getUnit() : ((ParameterDescriptor<?>) ours).getUnit();
      if (!(number instanceof Number n)) {
        return null;
      }
      ObjectNode p = parameters.addObject().put("name", epsg.getName().getCode());
      p.put("value", n.doubleValue());
      if (unit != null) {
        p.set("unit", unit(unit));
      }
      withId(p, epsg);
      written.add(ours);
    }
    for (GeneralParameterValue value : values.values()) {
      String name = value.getDescriptor().getName().getCode();
      // The ellipsoid axes repeat the datum's; any other value the EPSG method has no place for
      // must be at its default, or dropping it would move the projection.
      if (!written.contains(value.getDescriptor())
          && !name.equals("semi_major")
          && !name.equals("semi_minor")
          && !(value instanceof ParameterValue<?> v
              && Objects.equals(
                  v.getValue(), ((ParameterDescriptor<?>) v.getDescriptor()).getDefaultValue()))) {
        return null;
      }
    }
    return withId(out, conversion);
  }

  private static ParameterValue<?> valueOf(
      ParameterValueGroup values, GeneralParameterDescriptor d) {
    for (GeneralParameterValue value : values.values()) {
      if (value.getDescriptor() == d && value instanceof ParameterValue<?> v) {
        return v;
      }
    }
    return null;
  }

  /**
   * The EPSG form of a projection method, whose parameter descriptors carry EPSG names and ids. A
   * CRS decoded from the EPSG database has it already; one parsed from WKT has GeoTools' own
   * method, which names its EPSG code only among its aliases.
   */
  private static OperationMethod epsgMethod(OperationMethod method) {
    String code = epsgCode(method);
    if (code == null) {
      code = epsgAlias(method, true);
    }
    if (code == null) {
      return null;
    }
    if (ReferencingFactoryFinder.getCoordinateOperationAuthorityFactory("EPSG", null)
        instanceof AbstractAuthorityFactory factory) {
      try {
        return factory.createOperationMethod(code);
      } catch (FactoryException e) {
        return null;
      }
    }
    return null;
  }

  private static String epsgCode(IdentifiedObject object) {
    for (ReferenceIdentifier id : object.getIdentifiers()) {
      if ("EPSG".equalsIgnoreCase(id.getCodeSpace()) && id.getCode().matches("[0-9]+")) {
        return id.getCode();
      }
    }
    return null;
  }

  /** The first alias GeoTools files under EPSG, numeric or not as asked; null for none. */
  private static String epsgAlias(IdentifiedObject object, boolean numeric) {
    for (GenericName alias : object.getAlias()) {
      String tip = alias.tip().toString();
      if (alias.scope().name() != null
          && alias.scope().name().toString().equalsIgnoreCase("EPSG")
          && tip.matches("[0-9]+") == numeric) {
        return tip;
      }
    }
    return null;
  }

  private static ObjectNode withId(ObjectNode node, IdentifiedObject object) {
    String code = epsgCode(object);
    if (code != null) {
      node.set("id", epsgId(Integer.parseInt(code)));
    }
    return node;
  }

  private static ObjectNode epsgId(int code) {
    return JSON.objectNode().put("authority", "EPSG").put("code", code);
  }

  private static ObjectNode named(String type, IdentifiedObject object) {
    return JSON.objectNode().put("type", type).put("name", object.getName().getCode());
  }

  /** A plain number where the value is in PROJJSON's implied unit, else value and unit. */
  private static JsonNode quantity(double value, Unit<?> unit, String implied) {
    JsonNode u = unit(unit);
    if (u.isTextual() && u.asText().equals(implied)) {
      return JSON.numberNode(value);
    }
    ObjectNode out = JSON.objectNode().put("value", value);
    out.set("unit", u);
    return out;
  }

  private static JsonNode unit(Unit<?> unit) {
    // Not isCompatible for angles: radians are dimensionless, so scale units would pass too.
    boolean linear = unit.isCompatible(Units.METRE);
    boolean angular = unit.getSystemUnit().equals(Units.RADIAN);
    Unit<?> base = linear ? Units.METRE : angular ? Units.RADIAN : Units.ONE;
    double factor;
    try {
      factor = unit.getConverterToAny(base).convert(1.0);
    } catch (IncommensurableException e) {
      return JSON.objectNode().put("type", "Unit").put("name", String.valueOf(unit));
    }
    double simple = angular ? Math.PI / 180 : 1;
    if (Math.abs(factor - simple) <= 1e-15 * simple) {
      return JSON.textNode(linear ? "metre" : angular ? "degree" : "unity");
    }
    return JSON.objectNode()
        .put("type", linear ? "LinearUnit" : angular ? "AngularUnit" : "ScaleUnit")
        .put("name", unit.getName() != null ? unit.getName() : String.valueOf(unit))
        .put("conversion_factor", factor);
  }

  /** GeoTools' direction names are the ISO code list in upper snake case; PROJJSON's in camel. */
  private static String camelCase(String upperSnake) {
    StringBuilder out = new StringBuilder();
    for (String word : upperSnake.toLowerCase(Locale.ROOT).split("_")) {
      out.append(out.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return out.toString();
  }
}
