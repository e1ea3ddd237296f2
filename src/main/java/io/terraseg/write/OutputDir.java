package io.terraseg.write;

import io.terraseg.TerraSegException;
import io.terraseg.raster.HadoopFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The run-level files of an output directory (run.json, metrics), which appear all at once or not
 * at all: they are written into a hidden staging directory inside it and {@link #commit} moves them
 * into place, _SUCCESS last; {@link #close} without a commit (any failure) deletes the staging
 * directory and leaves earlier outputs untouched. Scenes commit on their own (see {@link
 * SceneWriter}).
 */
public final class OutputDir implements AutoCloseable {
  public static final String SUCCESS = "_SUCCESS";
  private static final String STAGING_PREFIX = ".terraseg-staging-";
  private final String dir;
  private final FileSystem fs;
  private final Path root;
  private final Path staging;
  private final List<String> staged = new ArrayList<>();
  private boolean committed;

  private OutputDir(String dir, FileSystem fs, Path root, Path staging) {
    this.dir = dir;
    this.fs = fs;
    this.root = root;
    this.staging = staging;
  }

  /**
   * Creates the directory and its staging area, failing early (before any work) if it cannot be
   * written.
   */
  public static OutputDir open(String dir, Configuration conf) {
    try {
      Path root = new Path(dir);
      FileSystem fs = HadoopFiles.fileSystem(root, conf);
      if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
        throw new TerraSegException(dir + ": output exists and is not a directory");
      }
      Path staging = new Path(root, STAGING_PREFIX + Long.toHexString(System.nanoTime()));
      if (!fs.mkdirs(staging)) {
        throw new TerraSegException(dir + ": cannot create output directory");
      }
      try (OutputStream probe = fs.create(new Path(staging, ".probe"), true)) {
        probe.write(0);
      }
      fs.delete(new Path(staging, ".probe"), false);
      return new OutputDir(dir, fs, root, staging);
    } catch (TerraSegException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new TerraSegException(
          dir + ": output directory is not writable (" + TerraSegException.describe(e) + ")", e);
    }
  }

  /** A new file in the staging area, moved to {@code dir/name} on commit. */
  public OutputStream create(String name) {
    try {
      staged.add(name);
      return fs.create(new Path(staging, name), true);
    } catch (IOException e) {
      throw new TerraSegException(
          dir + "/" + name + ": cannot write (" + TerraSegException.describe(e) + ")", e);
    }
  }

  public void write(String name, byte[] content) {
    try (OutputStream out = create(name)) {
      out.write(content);
    } catch (IOException e) {
      throw new TerraSegException(
          dir + "/" + name + ": cannot write (" + TerraSegException.describe(e) + ")", e);
    }
  }

  public String path(String name) {
    return new Path(root, name).toString();
  }

  /**
   * Says the directory is being changed: removes _SUCCESS until a run completes again, and the work
   * in progress a killed run may have left.
   */
  public void beginChanges() {
    try {
      fs.delete(new Path(root, SUCCESS), false);
      fs.delete(OutputLayout.work(root), true);
      for (FileStatus stale : fs.listStatus(root, p -> p.getName().startsWith(STAGING_PREFIX))) {
        if (!stale.getPath().getName().equals(staging.getName())) {
          fs.delete(stale.getPath(), true); // a killed run's run-level files
        }
      }
    } catch (IOException e) {
      throw new TerraSegException(
          dir + ": cannot write (" + TerraSegException.describe(e) + ")", e);
    }
  }

  /** Removes the work in progress (parts, temporary files) of this run. */
  public void removeWork() {
    try {
      fs.delete(OutputLayout.work(root), true);
    } catch (IOException e) {
      throw new TerraSegException(
          dir + ": cannot write (" + TerraSegException.describe(e) + ")", e);
    }
  }

  /**
   * Moves every staged file into place, replacing earlier ones; {@code complete} (every scene done
   * or skipped) marks the directory with _SUCCESS.
   */
  public void commit(boolean complete) {
    try {
      fs.delete(new Path(root, SUCCESS), false);
      for (String name : staged) {
        Path target = new Path(root, name);
        fs.delete(target, false);
        if (!fs.rename(new Path(staging, name), target)) {
          throw new IOException("rename to " + target + " failed");
        }
      }
      fs.delete(staging, true);
      if (complete) {
        fs.create(new Path(root, SUCCESS), true).close();
      }
      committed = true;
    } catch (IOException e) {
      throw new TerraSegException(
          dir + ": cannot move outputs into place (" + TerraSegException.describe(e) + ")", e);
    }
  }

  /** Discards whatever was staged unless the directory was committed. */
  @Override
  public void close() {
    if (!committed) {
      try {
        fs.delete(staging, true);
      } catch (IOException ignored) {
        // Best effort: a leftover hidden staging directory is harmless and named as such.
      }
    }
  }
}
