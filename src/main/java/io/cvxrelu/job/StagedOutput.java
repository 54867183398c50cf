package io.cvxrelu.job;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder that Spark writers and the job fill together, made visible only when
 * complete: everything goes to a hidden sibling folder, renamed into place by
 * {@link #commit()} (an existing folder, with {@code overwrite}, is moved aside first and
 * deleted after). Closing without a commit deletes the staged files, so a failed run leaves no
 * folder behind. It is the rule of {@link HadoopIo#writeAtomically} for outputs that are not
 * all strings in memory (a Spark {@code DataFrameWriter}'s part files).
 *
 * <p>On an object store, whose rename is a copy, the folder is written in place instead and
 * committed by {@link ManifestCommit}: a pending marker first, a manifest with checksums and
 * the {@code _SUCCESS} marker last, so that readers refuse a folder whose write was killed.
 */
final class StagedOutput implements AutoCloseable {
  private final FileSystem fs;
  private final Path target;
  private final Path stage;
  private final boolean overwrite;
  /** Written in place and committed by manifest (object stores), not staged and renamed. */
  private final boolean inPlace;
  /** An entry of the previous folder moved into the new one at the commit (or null). */
  private final String carryOver;
  private boolean committed;

  private StagedOutput(FileSystem fs, Path target, Path stage, boolean overwrite,
      boolean inPlace, String carryOver) {
    this.fs = fs;
    this.target = target;
    this.stage = stage;
    this.overwrite = overwrite;
    this.inPlace = inPlace;
    this.carryOver = carryOver;
  }

  /** Creates the hidden staging folder beside {@code location}. */
  static StagedOutput open(Configuration conf, String location, boolean overwrite) {
    return open(conf, location, overwrite, null);
  }

  /**
   * As {@link #open(Configuration, String, boolean)}, keeping the previous folder's entry
   * {@code carryOver} (e.g. a solver checkpoint that {@code --resume} still needs; null: none).
   */
  static StagedOutput open(Configuration conf, String location, boolean overwrite,
      String carryOver) {
    Path target = new Path(location);
    Path parent = target.getParent() == null ? new Path(".") : target.getParent();
    Path stage = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
    try {
      FileSystem fs = target.getFileSystem(conf);
      if (ManifestCommit.applies(fs, conf)) {
        if (fs.exists(target)) {
          if (!overwrite) {
            throw new UsageException("output " + location + " appeared while the job ran");
          }
          // The old folder's marker goes first: no moment shows a mix of old and new as valid.
          fs.delete(new Path(target, ManifestCommit.SUCCESS), false);
          Path kept = carryOver == null ? null : new Path(target, carryOver);
          if (kept != null && fs.exists(kept) && !fs.rename(kept, stage)) {
            throw new IOException("cannot keep " + carryOver + " of the previous output");
          }
          fs.delete(target, true);
          ManifestCommit.begin(fs, target);
          if (kept != null && fs.exists(stage) && !fs.rename(stage, kept)) {
            throw new IOException("cannot keep " + carryOver + " of the previous output");
          }
        } else {
          ManifestCommit.begin(fs, target);
        }
        return new StagedOutput(fs, target, target, overwrite, true, null);
      }
      if (!fs.mkdirs(stage)) {
        throw new IOException("cannot create " + stage);
      }
      return new StagedOutput(fs, target, stage, overwrite, false, carryOver);
    } catch (IOException e) {
      throw new HadoopIo.OutputException("cannot write output " + location + ": "
          + e.getMessage());
    }
  }

  /** Where {@code name} is staged (for a Spark writer). */
  String path(String name) {
    return new Path(stage, name).toString();
  }

  /** Writes a text file into the staged folder. */
  void write(String name, String text) {
    write(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a binary file (a plot) into the staged folder. */
  void write(String name, byte[] bytes) {
    try (OutputStream os = fs.create(new Path(stage, name), false)) {
      os.write(bytes);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /** Renames the staged folder into place. */
  void commit() {
    try {
      if (inPlace) {
        ManifestCommit.seal(fs, target);
        committed = true;
        return;
      }
      if (carryOver != null && fs.exists(new Path(target, carryOver))
          && !fs.rename(new Path(target, carryOver), new Path(stage, carryOver))) {
        throw new IOException("cannot keep " + carryOver + " of the previous output");
      }
      Path old = null;
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new UsageException("output " + target + " appeared while the job ran");
        }
        old = new Path(stage.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
        if (!fs.rename(target, old)) {
          throw new IOException("cannot move the previous output aside");
        }
      }
      if (!fs.rename(stage, target)) {
        if (old != null) {
          fs.rename(old, target);
        }
        throw new IOException("cannot rename " + stage + " to " + target);
      }
      committed = true;
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private HadoopIo.OutputException failed(IOException e) {
    return new HadoopIo.OutputException("cannot write output " + target + ": " + e.getMessage());
  }

  /**
   * Deletes the staged files unless committed (best effort: a staged folder is hidden, and a
   * folder written in place that survives is refused by readers for its pending marker).
   */
  @Override
  public void close() {
    if (!committed) {
      try {
        fs.delete(stage, true);
      } catch (IOException ignored) {
        // a hidden, uniquely named folder; nothing reads it
      }
    }
  }
}
