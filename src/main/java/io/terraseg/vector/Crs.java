package io.terraseg.vector;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A scene's coordinate reference system in the forms the vector formats want; any part may be null
 * when unknown.
 *
 * @param epsg the EPSG code
 * @param wkt the CRS as WKT
 * @param projjson the CRS as PROJJSON
 */
public record Crs(Integer epsg, String wkt, ObjectNode projjson) {}
