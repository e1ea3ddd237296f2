package io.terraseg.raster;

import java.io.IOException;
import javax.imageio.stream.ImageInputStreamImpl;
import org.apache.hadoop.fs.FSDataInputStream;

/**
 * Lets the TIFF decoder seek and read inside a file on any Hadoop FileSystem (local, HDFS, S3A,
 * ...), so a task fetches only the bytes of the blocks under its windows instead of copying the
 * scene.
 */
final class HadoopImageInputStream extends ImageInputStreamImpl {
  private final FSDataInputStream in;
  private final long length;

  HadoopImageInputStream(FSDataInputStream in, long length) {
    this.in = in;
    this.length = length;
  }

  @Override
  public int read() throws IOException {
    checkClosed();
    bitOffset = 0;
    int b = in.read();
    if (b >= 0) {
      streamPos++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    checkClosed();
    bitOffset = 0;
    int n = in.read(b, off, len);
    if (n > 0) {
      streamPos += n;
    }
    return n;
  }

  @Override
  public void seek(long pos) throws IOException {
    super.seek(pos);
    in.seek(pos);
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void close() throws IOException {
    super.close();
    in.close();
  }
}
