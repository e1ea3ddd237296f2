package io.terraseg.metrics;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Draws {@link MetricsReport#confusionMatrixPng}: only BufferedImage and Graphics2D, so it runs
 * headless.
 */
final class ConfusionMatrixPlot {
  private static final int PAD = 10;
  private static final int BAR_WIDTH = 14;
  private static final int MAX_NAME_LENGTH = 24;

  /** The two ends of matplotlib's "Blues", the palette most confusion-matrix plots readers know. */
  private static final Color LOW = new Color(247, 251, 255);

  private static final Color HIGH = new Color(8, 48, 107);
  private static final Color NEVER_LABELLED = new Color(215, 215, 215);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  private static final Font AXIS_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);

  private ConfusionMatrixPlot() {}

  static byte[] png(SegmentationMetrics m) {
    int k = m.numClasses();
    // About 900 px of matrix for any K, yet never so small that a rounded percentage stops fitting.
    int cell = clamp(900 / k, 28, 80);
    Font nameFont = new Font(Font.SANS_SERIF, Font.PLAIN, clamp(cell / 3, 11, 14));
    Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, clamp(cell / 4, 9, 13));
    List<String> names = m.classNames().stream().map(ConfusionMatrixPlot::shorten).toList();
    String title =
        "Confusion matrix (row-normalized), mIoU "
            + (m.miou() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", m.miou()));

    // The image size follows from the text, so measure before allocating it.
    Graphics2D probe = graphics(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
    FontMetrics titleMetrics = probe.getFontMetrics(TITLE_FONT);
    FontMetrics axisMetrics = probe.getFontMetrics(AXIS_FONT);
    FontMetrics nameMetrics = probe.getFontMetrics(nameFont);
    FontMetrics cellMetrics = probe.getFontMetrics(cellFont);
    probe.dispose();

    int grid = k * cell;
    int nameWidth = names.stream().mapToInt(nameMetrics::stringWidth).max().orElse(0);
    boolean verticalColumnNames = nameWidth > cell - 4;
    int columnNamesHeight = verticalColumnNames ? nameWidth : nameMetrics.getHeight();
    int x0 = PAD + axisMetrics.getHeight() + PAD + nameWidth + PAD;
    int y0 = PAD + titleMetrics.getHeight() + PAD;
    int barX = x0 + grid + 2 * PAD;
    int width =
        Math.max(
            barX + BAR_WIDTH + 4 + nameMetrics.stringWidth("100%") + PAD,
            PAD + titleMetrics.stringWidth(title) + PAD);
    int height = y0 + grid + PAD + columnNamesHeight + PAD + axisMetrics.getHeight() + PAD;

    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = graphics(image);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(TITLE_FONT);
    g.drawString(title, PAD, PAD + titleMetrics.getAscent());

    long[][] counts = m.confusionMatrix();
    // One precision for the whole plot, so that cells read alike; the 28 px minimum cell fits
    // "100%".
    String percentFormat = cellMetrics.stringWidth("99.9%") <= cell - 4 ? "%.1f%%" : "%.0f%%";
    g.setFont(cellFont);
    for (int label = 0; label < k; label++) {
      long support = m.perClass().get(label).support();
      for (int predicted = 0; predicted < k; predicted++) {
        int x = x0 + predicted * cell;
        int y = y0 + label * cell;
        double share = support == 0 ? 0 : (double) counts[label][predicted] / support;
        g.setColor(support == 0 ? NEVER_LABELLED : shade(share));
        g.fillRect(x, y, cell - 1, cell - 1); // the 1 px left white separates cells at large K
        if (counts[label][predicted] > 0) {
          drawCellText(g, cellMetrics, x, y, cell, percentFormat, share, counts[label][predicted]);
        }
      }
    }

    g.setColor(Color.BLACK);
    g.setFont(nameFont);
    int nameBaselineOffset = (nameMetrics.getAscent() - nameMetrics.getDescent()) / 2;
    for (int c = 0; c < k; c++) {
      String name = names.get(c);
      int textWidth = nameMetrics.stringWidth(name);
      g.drawString(name, x0 - PAD - textWidth, y0 + c * cell + cell / 2 + nameBaselineOffset);
      int centre = x0 + c * cell + cell / 2;
      if (verticalColumnNames) {
        drawUpwards(g, name, centre + nameBaselineOffset, y0 + grid + PAD + textWidth);
      } else {
        g.drawString(name, centre - textWidth / 2, y0 + grid + PAD + nameMetrics.getAscent());
      }
    }

    for (int y = 0; y < grid; y++) {
      g.setColor(shade(1 - (double) y / (grid - 1)));
      g.drawLine(barX, y0 + y, barX + BAR_WIDTH, y0 + y);
    }
    g.setColor(Color.BLACK);
    g.drawString("100%", barX + BAR_WIDTH + 4, y0 + nameMetrics.getAscent());
    g.drawString("0%", barX + BAR_WIDTH + 4, y0 + grid);

    g.setFont(AXIS_FONT);
    g.drawString(
        "prediction",
        x0 + (grid - axisMetrics.stringWidth("prediction")) / 2,
        y0 + grid + PAD + columnNamesHeight + PAD + axisMetrics.getAscent());
    drawUpwards(
        g,
        "label",
        PAD + axisMetrics.getAscent(),
        y0 + (grid + axisMetrics.stringWidth("label")) / 2);
    g.dispose();
    return encode(image);
  }

  /** The percentage, and the count below it where the count fits inside the cell. */
  private static void drawCellText(
      Graphics2D g,
      FontMetrics fm,
      int x,
      int y,
      int cell,
      String percentFormat,
      double share,
      long count) {
    // Whole rows are common and "100.0%" would be the one text too wide for the cell: it needs no
    // decimal.
    String percent =
        share >= 0.9995 ? "100%" : String.format(Locale.ROOT, percentFormat, 100 * share);
    String countText = String.format(Locale.ROOT, "%,d", count);
    int room = cell - 4;
    List<String> lines =
        2 * fm.getHeight() <= room && fm.stringWidth(countText) <= room
            ? List.of(percent, countText)
            : List.of(percent);
    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
    int top = y + (cell - lines.size() * fm.getHeight()) / 2;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      g.drawString(
          line, x + (cell - fm.stringWidth(line)) / 2, top + i * fm.getHeight() + fm.getAscent());
    }
  }

  /**
   * Draws text reading bottom to top, its baseline the vertical line at {@code x}, starting at
   * {@code y}.
   */
  private static void drawUpwards(Graphics2D g, String text, int x, int y) {
    AffineTransform saved = g.getTransform();
    g.translate(x, y);
    g.rotate(-Math.PI / 2);
    g.drawString(text, 0, 0);
    g.setTransform(saved);
  }

  private static Color shade(double share) {
    return new Color(
        mix(LOW.getRed(), HIGH.getRed(), share),
        mix(LOW.getGreen(), HIGH.getGreen(), share),
        mix(LOW.getBlue(), HIGH.getBlue(), share));
  }

  private static int mix(int from, int to, double t) {
    return (int) Math.round(from + (to - from) * t);
  }

  private static String shorten(String name) {
    return name.length() <= MAX_NAME_LENGTH ? name : name.substring(0, MAX_NAME_LENGTH - 1) + "…";
  }

  private static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }

  private static Graphics2D graphics(BufferedImage image) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    return g;
  }

  private static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // In memory: ImageIO's default file cache would write temporary files on the driver.
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
