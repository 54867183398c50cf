package io.cvxrelu.job;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk behind scheme {@code copyrename:}, whose rename copies and then deletes, as an
 * object store's does: not atomic, and a kill in between leaves both halves.
 */
public class CopyOnRenameFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "copyrename";
  private static final URI NAME = URI.create(SCHEME + ":///");

  @Override
  public URI getUri() {
    return NAME;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public java.io.File pathToFile(Path path) {
    checkPath(path);
    Path absolute = path.isAbsolute() ? path : new Path(getWorkingDirectory(), path);
    return new java.io.File(absolute.toUri().getPath());
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (!exists(src) || exists(dst)) {
      return false;
    }
    return FileUtil.copy(this, src, this, dst, true, getConf());
  }
}
