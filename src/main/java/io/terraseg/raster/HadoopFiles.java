package io.terraseg.raster;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/** Hadoop FileSystem helpers shared by every stage that reads or writes files. */
public final class HadoopFiles {
  private HadoopFiles() {}

  /**
   * The FileSystem for a path; local files skip Hadoop's checksum layer (no .crc files beside
   * outputs).
   */
  public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  /**
   * Moves a finished file over {@code target}. Atomic where the filesystem can replace by rename:
   * HDFS (rename with OVERWRITE) and local disks (POSIX rename). Elsewhere (object stores, whose
   * rename is a copy) the old target is deleted first, so a reader may briefly find no file, never
   * a partial one.
   */
  public static void replace(FileSystem fs, Path source, Path target) throws IOException {
    if (fs instanceof DistributedFileSystem hdfs) {
      hdfs.rename(source, target, Options.Rename.OVERWRITE);
      return;
    }
    if (!fs.rename(source, target)) {
      fs.delete(target, false);
      if (!fs.rename(source, target)) {
        throw new IOException("cannot rename " + source + " to " + target);
      }
    }
  }
}
