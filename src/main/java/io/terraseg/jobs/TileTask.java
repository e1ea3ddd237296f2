package io.terraseg.jobs;

import io.terraseg.tiling.Tile;
import java.io.Serializable;

/** A tile of scene number {@code scene} of the run: the element of the Spark dataset of work. */
record TileTask(int scene, Tile tile) implements Serializable {}
