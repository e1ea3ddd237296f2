/**
 * Polygons from masks: the polygonizer that sweeps a scene's mask once, merging regions across tile
 * seams, and the files the polygons go to (FlatGeobuf per scene, a GeoParquet dataset per run).
 */
package io.terraseg.vector;
