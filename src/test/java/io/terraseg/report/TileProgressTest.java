package io.terraseg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.jobs.SegmentJob;
import io.terraseg.jobs.TestSpark;
import io.terraseg.tools.SampleScene;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lines a user sees on the console during segment: the plan, progress every few percent of
 * tiles up to the total, and the summary (conf/log4j2.properties sends the io.terraseg.progress
 * logger's messages, as they are, to stderr).
 */
class TileProgressTest {
  private static final Pattern PROGRESS =
      Pattern.compile(
          "segment: (\\d+)/(\\d+) tiles \\((\\d+)%\\), (\\d+\\.\\d) tiles/s, ETA (\\d+)m(\\d\\d)s");

  @TempDir Path dir;

  @Test
  void progressCountsTilesUpToTheTotal() {
    TestSpark.session();
    SampleScene.write(dir.resolve("images/a.tif"), dir.resolve("labels/a.tif"), 333, 211, 5, false);
    List<String> lines;
    try (Console console = new Console()) {
      SegmentJob.run(
          TestSpark.session(),
          new SegmentJob.Options(
              Path.of("scripts/sample-model"),
              List.of(dir.resolve("images").toString()),
              dir.resolve("out").toString(),
              64,
              8,
              4,
              List.of(),
              null));
      lines = console.lines();
    }
    // 64 px tiles with overlap 8 (stride 48) over 333 x 211: 7 x 5 = 35 tiles; on two slots,
    // tasks of 16, 16 and 3 tiles.
    assertEquals(
        "segment: 1 scene(s) to do, 35 tiles of 64 px (overlap 8), batch 4, model"
            + " sample-landcover, 3 task(s)",
        lines.get(0),
        String.join("\n", lines));
    List<String> progress = lines.subList(1, lines.size() - 1);
    // Lines come as tasks end (here at most one per task); the last one always comes.
    assertTrue(!progress.isEmpty() && progress.size() <= 3, "progress lines: " + lines);
    long previous = 0;
    int previousPercent = 0;
    for (String line : progress) {
      Matcher m = PROGRESS.matcher(line);
      assertTrue(m.matches(), "progress line: " + line);
      long done = Long.parseLong(m.group(1));
      int percent = Integer.parseInt(m.group(3));
      assertEquals(35, Long.parseLong(m.group(2)), line);
      assertTrue(List.of(3L, 16L, 19L, 32L, 35L).contains(done), "whole tasks' tiles: " + line);
      assertTrue(done > previous, "counts grow: " + lines);
      assertEquals(100 * done / 35, percent, line);
      assertTrue(percent >= previousPercent + 5 || done == 35, "every 5 % at most: " + lines);
      previous = done;
      previousPercent = percent;
    }
    assertTrue(
        progress.get(progress.size() - 1).matches("segment: 35/35 tiles \\(100%\\), .*, ETA 0m00s"),
        "the last progress line says all tiles are done: " + lines);
    assertTrue(
        lines
            .get(lines.size() - 1)
            .matches(
                "segment: 1 scene\\(s\\) done, 0 skipped \\(complete\\), 0 failed; "
                    + Pattern.quote(dir.resolve("out").toString())
                    + " in \\d+\\.\\ds \\(\\d+\\.\\d\\d tiles/s\\)"),
        lines.get(lines.size() - 1));
  }

  /** The io.terraseg.progress logger's messages, as the console appender prints them (%m). */
  private static final class Console extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Logger logger = (Logger) LogManager.getLogger("io.terraseg.progress");
    private final Level level = logger.getLevel();

    Console() {
      super("console-under-test", null, null, true, Property.EMPTY_ARRAY);
      start();
      logger.setLevel(Level.INFO); // as conf/log4j2.properties sets it
      logger.addAppender(this);
    }

    @Override
    public void append(LogEvent event) {
      lines.add(event.getMessage().getFormattedMessage());
    }

    List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }

    @Override
    public void close() {
      logger.removeAppender(this);
      logger.setLevel(level);
      stop();
    }
  }
}
