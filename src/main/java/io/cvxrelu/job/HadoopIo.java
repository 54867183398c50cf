package io.cvxrelu.job;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.AccessControlException;

/**
 * Files through the Hadoop FileSystem API, so every path may be local, {@code file://},
 * {@code hdfs://} or any scheme Hadoop knows. Output folders are written atomically: files go
 * to a hidden sibling folder that is renamed into place only when complete.
 */
final class HadoopIo {
  /** The run record's file name in an output folder. */
  static final String RUN_RECORD = "run.json";
  private final Configuration conf;

  /** The record written as run.json into every committed folder (null: none). */
  private RunRecord runRecord;

  HadoopIo(Configuration conf) {
    this.conf = conf;
  }

  /** Writes {@code record} as {@code run.json} into every folder committed from now on. */
  void recordRuns(RunRecord record) {
    this.runRecord = record;
  }

  /** Opens a text input, failing with a one-line message when it is missing or empty. */
  BufferedReader open(String location, String what) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus st = inputFile(fs, p, location, what);
      if (st.getLen() == 0) {
        throw new io.cvxrelu.io.DataFormatException(what + " file is empty: " + location);
      }
      return new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8),
          1 << 16);
    } catch (IOException e) {
      throw new io.cvxrelu.io.DataFormatException("cannot read " + what + " " + location + ": "
          + e.getMessage());
    }
  }

  /** The status of an input that must exist and be a file, else a data error. */
  private static FileStatus inputFile(FileSystem fs, Path p, String location, String what)
      throws IOException {
    if (!fs.exists(p)) {
      throw new io.cvxrelu.io.DataFormatException(what + " file not found: " + location);
    }
    FileStatus st = fs.getFileStatus(p);
    if (st.isDirectory()) {
      throw new io.cvxrelu.io.DataFormatException(what + " is a directory, expected a file: "
          + location);
    }
    return st;
  }

  /**
   * Fails early (before any work): a usage error when the output exists and may not be
   * replaced, an output error when it cannot be created (a file where a parent folder should
   * be, or a parent folder without write permission).
   */
  void checkOutput(String location, boolean overwrite) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      if (fs.exists(p) && !overwrite) {
        throw new UsageException("output " + location + " exists (use --overwrite to replace it)");
      }
      // The nearest existing ancestor must be a folder we may write into (the temporary
      // sibling folder and any missing parents are created there).
      Path ancestor = p.getParent();
      while (ancestor != null && !fs.exists(ancestor)) {
        ancestor = ancestor.getParent();
      }
      if (ancestor != null) {
        if (!fs.getFileStatus(ancestor).isDirectory()) {
          throw new OutputException("cannot write output " + location + ": " + ancestor
              + " is a file, not a folder");
        }
        try {
          fs.access(ancestor, FsAction.WRITE);
        } catch (AccessControlException e) {
          throw new OutputException("cannot write output " + location + ": no write permission"
              + " on " + ancestor);
        }
      }
    } catch (IOException e) {
      throw new OutputException("cannot use output " + location + ": " + e.getMessage());
    }
  }

  /**
   * Writes the named files into {@code location} atomically ({@link StagedOutput}): a temporary
   * sibling folder is filled and renamed, and with {@code overwrite} an existing folder is
   * replaced only after the new one is complete; on an object store, whose rename copies, the
   * folder is committed by manifest ({@link ManifestCommit}) instead.
   */
  void writeAtomically(String location, Map<String, String> files, boolean overwrite) {
    writeAtomically(location, files, Map.of(), overwrite, null);
  }

  /**
   * As {@link #writeAtomically(String, Map, boolean)} with binary files (plots) as well, moving
   * the named entry of the previous folder (when present and {@code carryOver} is not null,
   * e.g. a solver checkpoint still needed by {@code --resume}) into the new one.
   */
  void writeAtomically(String location, Map<String, String> files,
      Map<String, byte[]> binaryFiles, boolean overwrite, String carryOver) {
    try (StagedOutput out = StagedOutput.open(conf, location, overwrite, carryOver)) {
      files.forEach(out::write);
      if (runRecord != null && !files.containsKey(RUN_RECORD)) {
        out.write(RUN_RECORD, runRecord.json(files, conf));
      }
      binaryFiles.forEach(out::write);
      out.commit();
    }
  }

  /** A binary input stream with the file's length, for the fixed-record image formats. */
  record BinaryInput(java.io.InputStream stream, long length) {}

  /** Opens a binary input, failing with a one-line message when it is missing. */
  BinaryInput openBinary(String location, String what) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus st = inputFile(fs, p, location, what);
      return new BinaryInput(fs.open(p, 1 << 16), st.getLen());
    } catch (IOException e) {
      throw new io.cvxrelu.io.DataFormatException("cannot read " + what + " " + location + ": "
          + e.getMessage());
    }
  }

  /** True when the location exists and is a folder; false when it is a file or absent. */
  boolean isDirectory(String location) {
    FileStatus st = status(location);
    return st != null && st.isDirectory();
  }

  /** True when the location exists. */
  boolean exists(String location) {
    return status(location) != null;
  }

  private FileStatus status(String location) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      return fs.exists(p) ? fs.getFileStatus(p) : null;
    } catch (IOException e) {
      throw new io.cvxrelu.io.DataFormatException("cannot access " + location + ": "
          + e.getMessage());
    }
  }

  /** Full paths of the files in a folder whose names match {@code regex}, sorted by name. */
  java.util.List<String> listFiles(String folder, String regex) {
    try {
      Path p = new Path(folder);
      FileSystem fs = p.getFileSystem(conf);
      java.util.List<String> out = new java.util.ArrayList<>();
      for (FileStatus st : fs.listStatus(p)) {
        if (st.isFile() && st.getPath().getName().matches(regex)) {
          out.add(st.getPath().toString());
        }
      }
      java.util.Collections.sort(out);
      return out;
    } catch (IOException e) {
      throw new io.cvxrelu.io.DataFormatException("cannot list " + folder + ": " + e.getMessage());
    }
  }

  /** {@code folder/name} as a path string. */
  static String child(String folder, String name) {
    return new Path(new Path(folder), name).toString();
  }

  /** The output could not be written (permissions, disk); exit code 4. */
  static final class OutputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputException(String m) {
      super(m);
    }
  }
}
