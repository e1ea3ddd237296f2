package io.terraseg.write;

import io.terraseg.plan.Scene;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.raster.MaskFormat;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * NAME.preview.png: the mask in the class colors, nodata transparent, with a legend below it that
 * gives each class's share of the scene's classified pixels, so a run's result can be looked at
 * without a GIS.
 *
 * <p>The map is the largest level of the mask's pyramid (the full resolution or an overview) whose
 * long side is at most {@link #LONG_SIDE} px; overviews halve down to 512 px, so one always fits.
 * Its pixels are that level's classes as they are, never resampled, and the level is at most 1024²,
 * so it is decoded whole, tile by tile. The shares come from the class counts the tasks made at
 * full resolution, not from the level's pixels.
 */
final class Preview {
  static final int LONG_SIDE = 1024;
  private static final int PAD = 8;
  private static final int SWATCH = 14;
  private static final int GAP = 6;
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Color SWATCH_BORDER = new Color(96, 96, 96);

  private Preview() {}

  /** One entry of the legend: a swatch of color {@code rgb} (none when null) and its text. */
  record Entry(Integer rgb, String text) {}

  /**
   * Draws the preview of {@code scene}, whose mask has these full-resolution tiles and overviews,
   * into {@code file}.
   */
  static void write(
      FileSystem fs,
      Path file,
      Scene scene,
      Overviews.Tiles fullResolution,
      Overviews overviews,
      SegmentPlan plan,
      long[] classPixels)
      throws IOException {
    Overviews.Tiles tiles = fullResolution;
    int width = scene.image().width();
    int height = scene.image().height();
    for (Overviews.Level level : overviews.levels()) {
      if (Math.max(width, height) <= LONG_SIDE) {
        break;
      }
      tiles = overviews.reader(level);
      width = level.width();
      height = level.height();
    }
    List<Entry> legend = legend(plan.classNames(), plan.palette(), classPixels);
    Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB).createGraphics();
    FontMetrics metrics = probe.getFontMetrics(FONT);
    probe.dispose();
    int textWidth = legend.stream().mapToInt(e -> metrics.stringWidth(e.text())).max().orElse(0);
    int entryWidth = SWATCH + GAP + textWidth;
    int rowHeight = Math.max(SWATCH, metrics.getHeight()) + 4;
    int canvasWidth = Math.max(width, PAD + entryWidth + PAD);
    int perRow = Math.max(1, (canvasWidth - PAD) / (entryWidth + PAD));
    int rows = ceilDiv(legend.size(), perRow);
    int legendHeight = PAD + rows * rowHeight + PAD;

    BufferedImage image =
        new BufferedImage(canvasWidth, height + legendHeight, BufferedImage.TYPE_INT_ARGB);
    drawMap(image, tiles, width, height, scene.grid().stride(), plan.palette());
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, height, canvasWidth, legendHeight);
    g.setFont(FONT);
    for (int i = 0; i < legend.size(); i++) {
      Entry entry = legend.get(i);
      int x = PAD + (i % perRow) * (entryWidth + PAD);
      int y = height + PAD + (i / perRow) * rowHeight;
      if (entry.rgb() != null) {
        int top = y + (rowHeight - 4 - SWATCH) / 2;
        g.setColor(new Color(entry.rgb()));
        g.fillRect(x, top, SWATCH, SWATCH);
        // A frame keeps light class colors visible on the white legend.
        g.setColor(SWATCH_BORDER);
        g.drawRect(x, top, SWATCH - 1, SWATCH - 1);
      }
      g.setColor(Color.BLACK);
      g.drawString(
          entry.text(),
          x + SWATCH + GAP,
          y + (rowHeight - 4 - metrics.getHeight()) / 2 + metrics.getAscent());
    }
    g.dispose();

    // In memory: ImageIO's default file cache would write temporary files on the executor.
    try (OutputStream out = fs.create(file, true);
        ImageOutputStream png = new MemoryCacheImageOutputStream(out)) {
      ImageIO.write(image, "png", png);
    }
  }

  /** Each class with pixels, in class order: "name 41.2 %" of the classified pixels. */
  static List<Entry> legend(List<String> classNames, int[] palette, long[] classPixels) {
    long classified = 0;
    for (long pixels : classPixels) {
      classified += pixels;
    }
    List<Entry> legend = new ArrayList<>();
    for (int c = 0; c < classPixels.length; c++) {
      if (classPixels[c] > 0) {
        double percent = 100.0 * classPixels[c] / classified;
        legend.add(
            new Entry(
                palette[c], classNames.get(c) + String.format(Locale.ROOT, " %.1f %%", percent)));
      }
    }
    if (legend.isEmpty()) {
      legend.add(new Entry(null, "no classified pixels"));
    }
    return legend;
  }

  /** The level's pixels into the image's top left corner: class colors, nodata transparent. */
  private static void drawMap(
      BufferedImage image,
      Overviews.Tiles tiles,
      int width,
      int height,
      int tileSize,
      int[] palette)
      throws IOException {
    int[] argb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    int stride = image.getWidth();
    int columns = ceilDiv(width, tileSize);
    byte[] tile = new byte[tileSize * tileSize];
    try (TileCodec codec = new TileCodec()) {
      for (int row = 0; row < ceilDiv(height, tileSize); row++) {
        for (int column = 0; column < columns; column++) {
          codec.inflate(tiles.read(row * columns + column), tile);
          // Tiles on the right and bottom edges are padded past the image: that part is not drawn.
          int validX = Math.min(tileSize, width - column * tileSize);
          int validY = Math.min(tileSize, height - row * tileSize);
          for (int y = 0; y < validY; y++) {
            int at = (row * tileSize + y) * stride + column * tileSize;
            for (int x = 0; x < validX; x++) {
              int value = tile[y * tileSize + x] & 0xFF;
              argb[at + x] = value == MaskFormat.NODATA ? 0 : 0xFF000000 | palette[value];
            }
          }
        }
      }
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
