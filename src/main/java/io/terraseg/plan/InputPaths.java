package io.terraseg.plan;

import io.terraseg.TerraSegException;
import io.terraseg.raster.HadoopFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Input arguments to GeoTIFF files: a file, a directory (its *.tif and *.tiff, not recursive) or a
 * glob, on any Hadoop FileSystem. Scenes are keyed by name: the file name without .tif/.tiff and
 * without a trailing .mask or .label, so images/a.tif, labels/a.tif, labels/a.label.tif and
 * out/a.mask.tif all name scene "a".
 */
public final class InputPaths {
  private InputPaths() {}

  /**
   * Input scenes: like {@link #resolve}, but masks (NAME.mask.tif, what segment writes) are never
   * inputs, so a scheduled run over a folder that also receives its masks takes only the scenes.
   */
  public static Map<String, String> resolveScenes(List<String> args, Configuration conf) {
    return resolve(args, conf, "input", true);
  }

  /** Scene name → URI, sorted by name; duplicate names are an error. */
  public static Map<String, String> resolve(List<String> args, Configuration conf, String what) {
    return resolve(args, conf, what, false);
  }

  private static Map<String, String> resolve(
      List<String> args, Configuration conf, String what, boolean skipMasks) {
    List<String> files = new ArrayList<>();
    for (String arg : args) {
      List<String> matched = expand(arg, conf);
      if (skipMasks) {
        matched.removeIf(InputPaths::isMask);
      }
      if (matched.isEmpty()) {
        throw new TerraSegException(arg + ": no " + what + " GeoTIFF (.tif/.tiff) found");
      }
      files.addAll(matched);
    }
    Map<String, String> byName = new TreeMap<>();
    for (String file : files) {
      String name = sceneName(file);
      String previous = byName.put(name, file);
      if (previous != null && !previous.equals(file)) {
        throw new TerraSegException(file + ": same scene name \"" + name + "\" as " + previous);
      }
    }
    return new LinkedHashMap<>(byName);
  }

  /**
   * Whether {@code args} is one path naming an existing file (not a directory, not a glob's
   * matches).
   */
  public static boolean isSingleFile(List<String> args, Configuration conf) {
    if (args.size() != 1) {
      return false;
    }
    try {
      Path path = new Path(args.get(0));
      FileSystem fs = HadoopFiles.fileSystem(path, conf);
      return fs.exists(path) && fs.getFileStatus(path).isFile();
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  public static String sceneName(String uri) {
    String name = new Path(uri).getName();
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".tiff")) {
      name = name.substring(0, name.length() - 5);
    } else if (lower.endsWith(".tif")) {
      name = name.substring(0, name.length() - 4);
    }
    for (String suffix : new String[] {".mask", ".label"}) {
      if (name.toLowerCase(Locale.ROOT).endsWith(suffix) && name.length() > suffix.length()) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }

  private static List<String> expand(String arg, Configuration conf) {
    try {
      Path path = new Path(arg);
      FileSystem fs = HadoopFiles.fileSystem(path, conf);
      FileStatus[] statuses = fs.globStatus(path);
      List<String> out = new ArrayList<>();
      if (statuses == null) {
        return out;
      }
      for (FileStatus status : statuses) {
        if (status.isDirectory()) {
          for (FileStatus child : fs.listStatus(status.getPath())) {
            if (child.isFile() && isTiff(child.getPath().getName())) {
              out.add(display(arg, child.getPath()));
            }
          }
        } else if (statuses.length == 1 || isTiff(status.getPath().getName())) {
          out.add(display(arg, status.getPath()));
        }
      }
      out.sort(null);
      return out;
    } catch (IOException e) {
      throw new TerraSegException(arg + ": cannot list (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Local inputs keep the spelling the user gave (a path, not a file: URI) so errors read
   * naturally.
   */
  private static String display(String arg, Path resolved) {
    boolean local =
        resolved.toUri().getScheme() == null || resolved.toUri().getScheme().equals("file");
    if (local && !arg.startsWith("file:")) {
      return resolved.toUri().getPath();
    }
    return resolved.toString();
  }

  private static boolean isMask(String uri) {
    String name = new Path(uri).getName().toLowerCase(Locale.ROOT);
    return name.endsWith(".mask.tif") || name.endsWith(".mask.tiff");
  }

  /**
   * Also leaves out hidden files ('.' or '_' first, as Hadoop does): temporary files of running
   * jobs.
   */
  private static boolean isTiff(String name) {
    if (name.startsWith(".") || name.startsWith("_")) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".tif") || lower.endsWith(".tiff");
  }
}
