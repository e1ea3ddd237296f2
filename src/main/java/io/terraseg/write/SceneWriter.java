package io.terraseg.write;

import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.plan.Scene;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.plan.TileRange;
import io.terraseg.raster.HadoopFiles;
import io.terraseg.tiling.TileGrid;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The executor side of writing: turns finished tile ranges into committed scenes, straight on the
 * output filesystem. A scene that one task predicted whole is written from memory. A scene cut into
 * several ranges has each range stored as a part file; the task that stores the last one (it sees
 * every part once its own is in place) assembles the mask, reading the parts' tiles in the mask's
 * row-major order (parts hold them in the grid's reading order). Two tasks finishing together may
 * both assemble: they write the same bytes under their own temporary names and the rename makes
 * that harmless.
 *
 * <p>Committing a scene: mask, preview (probabilities, polygons) to temporary names, the old record
 * removed, each renamed into place, then the record written (see {@link SceneRecords}). A killed
 * task leaves temporary files under .terraseg/ only.
 */
public final class SceneWriter {
  private static final int PART_MAGIC = 0x54535032; // "TSP2": 2 with probability tiles
  private final SegmentPlan plan;
  private final Path root;
  private final FileSystem fs;
  private final Configuration conf;

  public SceneWriter(SegmentPlan plan, Configuration conf) throws IOException {
    this.plan = plan;
    this.conf = conf;
    this.root = new Path(plan.output());
    this.fs = HadoopFiles.fileSystem(root, conf);
  }

  /**
   * Stores a finished range; returns the scene's result when this call completed the scene, else
   * null.
   */
  public SceneResult accept(MaskPart part) {
    Scene scene = part.range().scene();
    if (part.range().wholeScene()) {
      return commit(scene, List.of(part), null);
    }
    Path parts = OutputLayout.parts(root, scene.name());
    Path file = new Path(parts, String.format("%010d.part", part.range().from()));
    try {
      Path temporary = OutputLayout.temporary(root, scene.name() + "." + file.getName());
      try (DataOutputStream out = new DataOutputStream(fs.create(temporary, true))) {
        writePart(out, part);
      }
      fs.mkdirs(parts);
      HadoopFiles.replace(fs, temporary, file);
      List<Path> stored = new ArrayList<>();
      for (FileStatus status : fs.listStatus(parts, p -> p.getName().endsWith(".part"))) {
        stored.add(status.getPath());
      }
      if (stored.size() < part.range().ranges()) {
        return null;
      }
      stored.sort(null); // zero-padded start positions: name order is reading order
      List<MaskPart> headers = new ArrayList<>();
      for (Path p : stored) {
        try (DataInputStream in = new DataInputStream(fs.open(p))) {
          headers.add(readPart(in, part.range()));
        }
      }
      return commit(scene, headers, stored);
    } catch (IOException e) {
      throw SceneRecords.cannotWrite(file, e);
    }
  }

  /**
   * Writes the scene's outputs from its parts (data from memory, or read from {@code files}): the
   * mask's COG with its overviews, the preview, the probabilities and polygons when the run asks
   * for them; then commits them and the record.
   */
  private SceneResult commit(Scene scene, List<MaskPart> parts, List<Path> files) {
    long[] byteCounts = new long[scene.grid().size()];
    long[] probabilityCounts = plan.products().probabilities() ? new long[byteCounts.length] : null;
    ConfusionMatrix confusion =
        scene.label() == null ? null : new ConfusionMatrix(plan.numClasses());
    long predicted = 0;
    long[] classPixels = new long[plan.numClasses()];
    double[] classAreas = parts.get(0).classAreas() == null ? null : new double[plan.numClasses()];
    TileGrid grid = scene.grid();
    for (MaskPart part : parts) {
      for (int i = 0; i < part.tileBytes().length; i++) {
        int index = grid.indexAt(part.range().from() + i);
        byteCounts[index] = part.tileBytes()[i];
        if (probabilityCounts != null) {
          probabilityCounts[index] = part.probabilityBytes()[i];
        }
      }
      predicted += part.tilesPredicted();
      for (int c = 0; c < classPixels.length; c++) {
        classPixels[c] += part.classPixels()[c];
        if (classAreas != null) {
          classAreas[c] += part.classAreas()[c];
        }
      }
      if (confusion != null) {
        confusion.merge(part.confusion());
      }
    }
    Path mask = OutputLayout.mask(root, scene.name());
    int width = scene.image().width();
    int height = scene.image().height();
    int tileSize = scene.grid().stride();
    try (FullResolution tiles = new FullResolution(grid, parts, files, false);
        Overviews overviews =
            Overviews.build(
                fs,
                tiles,
                width,
                height,
                tileSize,
                level -> OutputLayout.temporary(root, scene.name() + ".overview" + level))) {
      List<MaskTiffWriter.Level> levels = new ArrayList<>();
      levels.add(new MaskTiffWriter.Level(width, height, byteCounts));
      for (Overviews.Level level : overviews.levels()) {
        levels.add(new MaskTiffWriter.Level(level.width(), level.height(), level.byteCounts()));
      }
      Path temporary = OutputLayout.temporary(root, mask.getName());
      try (MaskTiffWriter writer =
          new MaskTiffWriter(
              fs.create(temporary, true),
              levels,
              tileSize,
              plan.palette(),
              scene.image().geoTags())) {
        // COG order: the smallest overview first, the full resolution last.
        for (int l = overviews.levels().size() - 1; l >= 0; l--) {
          Overviews.Level level = overviews.levels().get(l);
          try (DataInputStream in = new DataInputStream(fs.open(level.file()))) {
            copyTiles(in, level.byteCounts(), writer);
          }
        }
        for (int index = 0; index < byteCounts.length; index++) {
          writer.writeTile(tiles.read(index));
        }
      }
      Path preview = OutputLayout.preview(root, scene.name());
      Path previewTemporary = OutputLayout.temporary(root, preview.getName());
      try {
        Preview.write(fs, previewTemporary, scene, tiles, overviews, plan, classPixels);
      } catch (IOException e) {
        throw SceneRecords.cannotWrite(preview, e);
      }
      Path probabilities = OutputLayout.probabilities(root, scene.name());
      Path probabilitiesTemporary =
          probabilityCounts == null
              ? null
              : writeProbabilities(scene, parts, files, probabilityCounts, probabilities);
      Path polygons = OutputLayout.polygons(root, scene.name());
      Path polygonTable = OutputLayout.polygonTable(root, scene.name());
      Path polygonsTemporary = null;
      Path polygonTableTemporary = null;
      long polygonCount = 0;
      if (plan.products().vectors()) {
        polygonsTemporary = OutputLayout.temporary(root, polygons.getName());
        polygonTableTemporary = OutputLayout.temporary(root, polygonTable.getName());
        try {
          polygonCount =
              ScenePolygons.write(
                  fs, conf, tiles, scene, plan, polygonsTemporary, polygonTableTemporary);
        } catch (IOException e) {
          throw SceneRecords.cannotWrite(polygons, e);
        }
      }
      long maskBytes = fs.getFileStatus(temporary).getLen();
      SceneRecords.remove(fs, root, scene.name());
      HadoopFiles.replace(fs, temporary, mask);
      HadoopFiles.replace(fs, previewTemporary, preview);
      if (probabilitiesTemporary != null) {
        HadoopFiles.replace(fs, probabilitiesTemporary, probabilities);
      } else {
        // An earlier run's probabilities would not belong to this mask.
        fs.delete(probabilities, false);
      }
      if (polygonsTemporary != null) {
        HadoopFiles.replace(fs, polygonsTemporary, polygons);
        fs.mkdirs(polygonTable.getParent());
        HadoopFiles.replace(fs, polygonTableTemporary, polygonTable);
      } else {
        fs.delete(polygons, false);
        fs.delete(polygonTable, false);
      }
      SceneResult result =
          new SceneResult(
              scene.name(),
              SceneResult.Status.DONE,
              scene.fingerprint(),
              scene.image().uri(),
              scene.label() == null ? null : scene.label().uri(),
              mask.getName(),
              preview.getName(),
              probabilitiesTemporary == null ? null : probabilities.getName(),
              polygonsTemporary == null ? null : polygons.getName(),
              polygonsTemporary == null ? null : OutputLayout.polygonTableName(scene.name()),
              polygonCount,
              maskBytes,
              scene.image().width(),
              scene.image().height(),
              byteCounts.length,
              predicted,
              confusion == null ? null : confusion.toArray(),
              confusion == null ? 0 : confusion.ignoredPixels(),
              classPixels,
              classAreas,
              null);
      SceneRecords.write(fs, root, result);
      return result;
    } catch (IOException e) {
      throw SceneRecords.cannotWrite(mask, e);
    }
  }

  /**
   * Writes the scene's probabilities (one level, tiled like the mask) to a temporary file from the
   * parts' probability tiles, in row-major order through the same random access as the mask.
   */
  private Path writeProbabilities(
      Scene scene, List<MaskPart> parts, List<Path> files, long[] byteCounts, Path probabilities) {
    Path temporary = OutputLayout.temporary(root, probabilities.getName());
    try (FullResolution tiles = new FullResolution(scene.grid(), parts, files, true);
        MaskTiffWriter writer =
            new MaskTiffWriter(
                fs.create(temporary, true),
                List.of(
                    new MaskTiffWriter.Level(
                        scene.image().width(), scene.image().height(), byteCounts)),
                scene.grid().stride(),
                MaskTiffWriter.Samples.probabilities(plan.classNames()),
                scene.image().geoTags())) {
      for (int index = 0; index < byteCounts.length; index++) {
        writer.writeTile(tiles.read(index));
      }
    } catch (IOException e) {
      throw SceneRecords.cannotWrite(probabilities, e);
    }
    return temporary;
  }

  /**
   * The scene's full-resolution tiles by row-major index, for the overviews and the mask: from the
   * parts in memory, or read from the part files at their offsets. Parts hold tiles in the grid's
   * reading order (strips), so a row of the mask visits several parts: up to {@link #OPEN_PARTS}
   * stay open. The mask's tiles, or with {@code probabilities} the probability tiles, which follow
   * the mask's in each part.
   */
  private final class FullResolution implements Overviews.Tiles, AutoCloseable {
    private static final int OPEN_PARTS = 64;
    private final List<MaskPart> parts;
    private final List<Path> files;
    private final int[] partOf;
    private final long[] offsets;
    private final int[] sizes;
    private final Map<Integer, FSDataInputStream> open = new LinkedHashMap<>(8, 0.75f, true);

    private final boolean probabilities;

    FullResolution(TileGrid grid, List<MaskPart> parts, List<Path> files, boolean probabilities) {
      this.parts = parts;
      this.probabilities = probabilities;
      this.files = files;
      partOf = new int[grid.size()];
      offsets = new long[grid.size()];
      sizes = new int[grid.size()];
      for (int p = 0; p < parts.size(); p++) {
        MaskPart part = parts.get(p);
        long offset = files == null ? 0 : partHeaderBytes(part);
        if (probabilities && files != null) {
          offset += sum(part.tileBytes());
        }
        long[] tileBytes = probabilities ? part.probabilityBytes() : part.tileBytes();
        for (int i = 0; i < tileBytes.length; i++) {
          int index = grid.indexAt(part.range().from() + i);
          partOf[index] = p;
          offsets[index] = offset;
          sizes[index] = (int) tileBytes[i];
          offset += sizes[index];
        }
      }
    }

    @Override
    public byte[] read(int index) throws IOException {
      byte[] tile = new byte[sizes[index]];
      if (files == null) {
        MaskPart part = parts.get(partOf[index]);
        byte[] data = probabilities ? part.probabilityData() : part.data();
        System.arraycopy(data, (int) offsets[index], tile, 0, tile.length);
      } else {
        stream(partOf[index]).readFully(offsets[index], tile);
      }
      return tile;
    }

    private FSDataInputStream stream(int part) throws IOException {
      FSDataInputStream in = open.get(part);
      if (in == null) {
        if (open.size() >= OPEN_PARTS) {
          var eldest = open.entrySet().iterator();
          eldest.next().getValue().close();
          eldest.remove();
        }
        in = fs.open(files.get(part));
        open.put(part, in);
      }
      return in;
    }

    @Override
    public void close() throws IOException {
      for (FSDataInputStream in : open.values()) {
        in.close();
      }
    }
  }

  private static void copyTiles(DataInputStream in, long[] sizes, MaskTiffWriter writer)
      throws IOException {
    for (long size : sizes) {
      byte[] tile = new byte[(int) size];
      in.readFully(tile);
      writer.writeTile(tile);
    }
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return sum;
  }

  /** Where a part file's first tile starts: after its header (see {@link #writePart}). */
  private static long partHeaderBytes(MaskPart part) {
    ConfusionMatrix cm = part.confusion();
    long matrix = cm == null ? 0 : 8L * cm.numClasses() * cm.numClasses() + 8;
    long classes = 4 + 1 + 16L * part.classPixels().length;
    long probabilities = 1 + (part.probabilityBytes() == null ? 0 : 8L * part.tileBytes().length);
    return 4 + 4 + 4 + 8 + 4 + matrix + classes + 8L * part.tileBytes().length + probabilities;
  }

  /**
   * Part file: magic, range, counts, tile sizes, probability tile sizes (when written), then the
   * compressed mask tiles and the compressed probability tiles.
   */
  private static void writePart(DataOutputStream out, MaskPart part) throws IOException {
    out.writeInt(PART_MAGIC);
    out.writeInt(part.range().from());
    out.writeInt(part.range().to());
    out.writeLong(part.tilesPredicted());
    ConfusionMatrix cm = part.confusion();
    out.writeInt(cm == null ? 0 : cm.numClasses());
    if (cm != null) {
      for (long[] row : cm.toArray()) {
        for (long v : row) {
          out.writeLong(v);
        }
      }
      out.writeLong(cm.ignoredPixels());
    }
    out.writeInt(part.classPixels().length);
    out.writeBoolean(part.classAreas() != null);
    for (int c = 0; c < part.classPixels().length; c++) {
      out.writeLong(part.classPixels()[c]);
      out.writeDouble(part.classAreas() == null ? 0 : part.classAreas()[c]);
    }
    for (long size : part.tileBytes()) {
      out.writeLong(size);
    }
    out.writeBoolean(part.probabilityBytes() != null);
    if (part.probabilityBytes() != null) {
      for (long size : part.probabilityBytes()) {
        out.writeLong(size);
      }
    }
    out.write(part.data());
    if (part.probabilityData() != null) {
      out.write(part.probabilityData());
    }
  }

  /**
   * Reads a part file's header (leaving the stream at its first tile) as a MaskPart without data.
   * {@code like} is any range of the same scene, whose range count the part shares.
   */
  private static MaskPart readPart(DataInputStream in, TileRange like) throws IOException {
    if (in.readInt() != PART_MAGIC) {
      throw new IOException("not a TerraSeg part file");
    }
    int from = in.readInt();
    int to = in.readInt();
    long predicted = in.readLong();
    int k = in.readInt();
    ConfusionMatrix cm = null;
    if (k > 0) {
      long[][] rows = new long[k][k];
      for (long[] row : rows) {
        for (int j = 0; j < k; j++) {
          row[j] = in.readLong();
        }
      }
      cm = ConfusionMatrix.of(rows, in.readLong());
    }
    long[] pixels = new long[in.readInt()];
    double[] areas = in.readBoolean() ? new double[pixels.length] : null;
    for (int c = 0; c < pixels.length; c++) {
      pixels[c] = in.readLong();
      double area = in.readDouble();
      if (areas != null) {
        areas[c] = area;
      }
    }
    long[] sizes = readSizes(in, to - from);
    long[] probabilities = in.readBoolean() ? readSizes(in, to - from) : null;
    return new MaskPart(
        new TileRange(like.scene(), from, to, like.ranges()),
        sizes,
        null,
        predicted,
        cm,
        pixels,
        areas,
        probabilities,
        null);
  }

  private static long[] readSizes(DataInputStream in, int n) throws IOException {
    long[] sizes = new long[n];
    for (int i = 0; i < n; i++) {
      sizes[i] = in.readLong();
    }
    return sizes;
  }
}
