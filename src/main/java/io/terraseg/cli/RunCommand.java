package io.terraseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.terraseg.TerraSegException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Runs a job file, so a scheduler calls one stable command. The file names a command and its
 * options with the CLI's long option names (without dashes); lists repeat an option's values.
 * Relative paths are taken from the working directory, as on the command line:
 *
 * <pre>
 * command: segment
 * model: scripts/sample-model
 * input: [data/images]
 * output: out/run1
 * batch: 8
 * </pre>
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run a job file (jobs/*.yaml): a command and its options, as on the command line.")
final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "JOB.yaml", description = "job file")
  Path job;

  @Override
  public Integer call() {
    List<String> args = arguments(job);
    CommandLine root = Main.commandLine();
    CommandLine.ParseResult parsed;
    try {
      parsed = root.parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new TerraSegException(job + ": " + e.getMessage());
    }
    CommandLine.ParseResult sub = parsed.subcommand();
    if (sub == null || sub.commandSpec().name().equals("run")) {
      // The list comes from the command line itself, so a new command cannot leave it stale.
      List<String> commands =
          root.getSubcommands().keySet().stream()
              .filter(name -> !name.equals("run") && !name.equals("help"))
              .toList();
      throw new TerraSegException(
          job + ": \"command\" must be one of " + String.join(", ", commands));
    }
    Object command = sub.commandSpec().userObject();
    try {
      return ((Callable<?>) command).call() instanceof Integer code ? code : 0;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new TerraSegException(job + ": " + TerraSegException.describe(e), e);
    }
  }

  /** The job file as command-line arguments: command first, then --key value... per entry. */
  static List<String> arguments(Path job) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(job));
    } catch (NoSuchFileException e) {
      throw new TerraSegException(job + ": no such file");
    } catch (IOException e) {
      throw new TerraSegException(
          job + ": invalid YAML (" + TerraSegException.describe(e) + ")", e);
    }
    if (root == null || !root.isObject() || !root.hasNonNull("command")) {
      throw new TerraSegException(job + ": a job file is a mapping with a \"command\" entry");
    }
    List<String> args = new ArrayList<>();
    args.add(root.get("command").asText());
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      if (key.equals("command") || value.isNull()) {
        continue;
      }
      if (key.equals("path")) { // info's positional argument
        args.add(value.asText());
        continue;
      }
      String option = "--" + key.replace('_', '-');
      if (value.isBoolean()) {
        if (value.asBoolean()) {
          args.add(option);
        }
      } else if (value.isArray()) {
        args.add(option);
        value.forEach(v -> args.add(v.asText()));
      } else if (value.isObject()) {
        throw new TerraSegException(job + ": \"" + key + "\" must be a value or a list");
      } else {
        args.add(option);
        args.add(value.asText());
      }
    }
    return args;
  }
}
