package io.terraseg.cli;

import io.terraseg.TerraSegException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code terraseg segment|evaluate|info|run|sample}: the one entry point, locally and under
 * spark-submit.
 */
@Command(
    name = "terraseg",
    mixinStandardHelpOptions = true,
    version = "TerraSeg 0.1.0",
    description = "Land-cover segmentation of large GeoTIFFs on Apache Spark.",
    subcommands = {
      SegmentCommand.class,
      EvaluateCommand.class,
      InfoCommand.class,
      RunCommand.class,
      SampleCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code: 0 ok, 1 bad input or failure, 2 bad usage. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              String message = userMessage(e);
              LOG.error(
                  "terraseg {} failed: {}", String.join(" ", parsed.originalArgs()), message, e);
              cmd.getErr().println("terraseg: error: " + message);
              String log = System.getProperty("terraseg.log");
              if (log != null && findUserError(e) == null) {
                cmd.getErr().println("terraseg: details in " + log);
              }
              return 1;
            });
  }

  /**
   * The one line a user sees. Errors raised inside Spark tasks arrive wrapped (sometimes only as
   * text in a SparkException), so the chain and the text are both searched for TerraSeg's own
   * message.
   */
  static String userMessage(Throwable e) {
    TerraSegException own = findUserError(e);
    if (own != null) {
      return own.getMessage();
    }
    String marker = TerraSegException.class.getName() + ": ";
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains(marker)) {
        return m.substring(m.indexOf(marker) + marker.length())
            .lines()
            .findFirst()
            .orElse("")
            .trim();
      }
    }
    return "unexpected " + e.getClass().getSimpleName() + ": " + TerraSegException.describe(e);
  }

  private static TerraSegException findUserError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TerraSegException own) {
        return own;
      }
    }
    return null;
  }
}
