package io.cvxrelu.solver.distributed;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.solver.StopReason;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * Solver state saved every k steps through the Hadoop FileSystem (any scheme), so that
 * {@code --resume} continues the same iteration to the same optimum: the iterate and the
 * previous iterate (d x q, {@code weights.bin}), the scalars of the method
 * ({@code state.properties}: steps, momentum, step size, augmented-Lagrangian round, rho and
 * inner tolerance) and, for the ReLU program, the cone multipliers as one file per row block
 * ({@code multipliers/block-ID.bin}), written and read by the executors that hold the blocks.
 *
 * <p>Writes are atomic: a complete state goes to a temporary sibling folder which then replaces
 * the previous checkpoint by renames; a reader also accepts the previous checkpoint parked by
 * an interrupted swap.
 */
public final class SolverCheckpoint {
  private final Map<String, String> hadoopConf;
  private final String location;
  private final int every;

  /**
   * @param location checkpoint folder (e.g. the output's {@code checkpoint} folder)
   * @param every steps between checkpoints (0: only the final state when a budget runs out)
   */
  public SolverCheckpoint(Configuration conf, String location, int every) {
    this.hadoopConf = new HashMap<>();
    for (Map.Entry<String, String> e : conf) {
      hadoopConf.put(e.getKey(), e.getValue());
    }
    this.location = location;
    this.every = Math.max(0, every);
  }

  /** Saved solver state (scalars unused by a method are NaN or 0). */
  public record State(String fingerprint, long steps, DenseMatrix iterate,
      DenseMatrix previousIterate, double momentum, double stepSize, double gradientMapping,
      int round, double rho, double innerTolerance, double previousViolation,
      boolean hasMultipliers) {}

  /**
   * Saves through {@code save} when a solve stopped short of convergence (a budget, a listener),
   * so that {@code --resume} continues it; nothing without a checkpoint.
   */
  static void saveOnStop(SolverCheckpoint checkpoint, StopReason reason, Runnable save) {
    if (checkpoint != null && reason != StopReason.CONVERGED) {
      save.run();
    }
  }

  /** True when a step count is due for a checkpoint. */
  boolean due(long steps) {
    return every > 0 && steps % every == 0;
  }

  public String location() {
    return location;
  }

  private static Configuration configuration(Map<String, String> entries) {
    Configuration c = new Configuration(false);
    entries.forEach(c::set);
    return c;
  }

  /** Writes the state (and the multipliers aligned with the blocks, if given) atomically. */
  void save(State state, DistributedData data, JavaRDD<DenseMatrix> multipliers) {
    Path target = new Path(location);
    Path tmp = new Path(target.getParent(), target.getName() + ".tmp-" + UUID.randomUUID());
    Path old = new Path(target.getParent(), target.getName() + ".old");
    try {
      FileSystem fs = target.getFileSystem(configuration(hadoopConf));
      fs.mkdirs(tmp);
      try (OutputStream os = fs.create(new Path(tmp, "weights.bin"), false);
          DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
        writeMatrix(out, state.iterate());
        writeMatrix(out, state.previousIterate());
      }
      if (multipliers != null) {
        Map<String, String> conf = hadoopConf;
        String dir = new Path(tmp, "multipliers").toString();
        describe(data, "cvxrelu: checkpoint multipliers");
        data.blocks().zip(multipliers).foreach(t -> {
          Path p = new Path(dir, "block-" + t._1().id() + ".bin");
          FileSystem efs = p.getFileSystem(configuration(conf));
          try (OutputStream os = efs.create(p, false);
              DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
            writeMatrix(out, t._2());
          }
        });
      }
      try (OutputStream os = fs.create(new Path(tmp, "state.properties"), false)) {
        os.write(properties(state).getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(old)) {
        fs.delete(old, true);
      }
      if (fs.exists(target) && !fs.rename(target, old)) {
        throw new IOException("cannot move the previous checkpoint aside");
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
      fs.delete(old, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + location + ": "
          + e.getMessage(), e);
    }
  }

  private static String properties(State s) {
    StringBuilder sb = new StringBuilder("# cvxrelu solver checkpoint\n");
    sb.append("fingerprint=").append(s.fingerprint()).append('\n');
    sb.append("steps=").append(s.steps()).append('\n');
    sb.append("momentum=").append(hex(s.momentum())).append('\n');
    sb.append("stepSize=").append(hex(s.stepSize())).append('\n');
    sb.append("gradientMapping=").append(hex(s.gradientMapping())).append('\n');
    sb.append("round=").append(s.round()).append('\n');
    sb.append("rho=").append(hex(s.rho())).append('\n');
    sb.append("innerTolerance=").append(hex(s.innerTolerance())).append('\n');
    sb.append("previousViolation=").append(hex(s.previousViolation())).append('\n');
    sb.append("multipliers=").append(s.hasMultipliers()).append('\n');
    return sb.toString();
  }

  /** Exact (hexadecimal) text of a double, so a resumed run continues bit for bit. */
  private static String hex(double v) {
    return Double.toHexString(v);
  }

  /** The saved folder to read: the checkpoint, or the one an interrupted swap parked. */
  private Path readable(FileSystem fs) throws IOException {
    Path target = new Path(location);
    if (fs.exists(new Path(target, "state.properties"))) {
      return target;
    }
    Path old = new Path(target.getParent(), target.getName() + ".old");
    return fs.exists(new Path(old, "state.properties")) ? old : null;
  }

  /** True when a complete checkpoint exists. */
  public boolean exists() {
    try {
      Path target = new Path(location);
      return readable(target.getFileSystem(configuration(hadoopConf))) != null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads the state saved for {@code problem}.
   *
   * @throws IncompatibleCheckpointException when it is missing or was made for another problem
   * @throws DataFormatException when its files are truncated or corrupted
   */
  State load(DistributedProblem problem) {
    String expectedFingerprint = fingerprint(problem);
    try {
      Path target = new Path(location);
      FileSystem fs = target.getFileSystem(configuration(hadoopConf));
      Path dir = readable(fs);
      if (dir == null) {
        throw new IncompatibleCheckpointException("no checkpoint to resume from in " + location);
      }
      Properties p = new Properties();
      try (InputStream in = fs.open(new Path(dir, "state.properties"))) {
        p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
      }
      String fp = p.getProperty("fingerprint");
      if (!expectedFingerprint.equals(fp)) {
        throw new IncompatibleCheckpointException("checkpoint " + location + " was made for "
            + fp + ", not for " + expectedFingerprint);
      }
      DenseMatrix x;
      DenseMatrix xPrev;
      Path weights = new Path(dir, "weights.bin");
      long bytes = fs.getFileStatus(weights).getLen();
      try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
          fs.open(weights)))) {
        x = readMatrix(in, bytes);
        xPrev = readMatrix(in, bytes);
      }
      return new State(fp, Long.parseLong(p.getProperty("steps")), x, xPrev,
          Double.parseDouble(p.getProperty("momentum")),
          Double.parseDouble(p.getProperty("stepSize")),
          Double.parseDouble(p.getProperty("gradientMapping")),
          Integer.parseInt(p.getProperty("round")), Double.parseDouble(p.getProperty("rho")),
          Double.parseDouble(p.getProperty("innerTolerance")),
          Double.parseDouble(p.getProperty("previousViolation")),
          Boolean.parseBoolean(p.getProperty("multipliers")));
    } catch (IOException | RuntimeException e) {
      if (e instanceof IncompatibleCheckpointException ice) {
        throw ice;
      }
      // Truncated, garbled or checksum-failing files: the data, not the command, is wrong.
      throw new DataFormatException("cannot read checkpoint " + location + " (truncated or"
          + " corrupted): " + e.getMessage());
    }
  }

  /** The saved multipliers, read by the executors holding each block; persisted. */
  JavaRDD<DenseMatrix> loadMultipliers(DistributedData data) {
    Map<String, String> conf = hadoopConf;
    String dir;
    try {
      Path target = new Path(location);
      dir = new Path(readable(target.getFileSystem(configuration(conf))), "multipliers")
          .toString();
    } catch (IOException e) {
      throw new IncompatibleCheckpointException("cannot read checkpoint " + location + ": "
          + e.getMessage());
    }
    JavaRDD<DenseMatrix> mu = data.blocks().map((RowBlock b) -> {
      Path p = new Path(dir, "block-" + b.id() + ".bin");
      try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
          p.getFileSystem(configuration(conf)).open(p)))) {
        DenseMatrix m = readMatrix(in, Long.MAX_VALUE);
        if (m.rows() != b.rows()) {
          throw new IllegalStateException("multipliers of block " + b.id() + " have " + m.rows()
              + " rows, the block " + b.rows());
        }
        return m;
      }
    });
    mu.persist(StorageLevel.MEMORY_AND_DISK());
    mu.rdd().localCheckpoint();
    describe(data, "cvxrelu: read checkpointed multipliers");
    mu.count();
    return mu;
  }

  private static void writeMatrix(DataOutputStream out, DenseMatrix m) throws IOException {
    out.writeInt(m.rows());
    out.writeInt(m.cols());
    for (double v : m.data()) {
      out.writeDouble(v);
    }
  }

  /**
   * Reads a matrix written by {@link #writeMatrix}; a header announcing more entries than the
   * file's {@code bytes} can hold (a corrupted header) is refused before any allocation.
   */
  private static DenseMatrix readMatrix(DataInputStream in, long bytes) throws IOException {
    int rows = in.readInt();
    int cols = in.readInt();
    if (rows < 0 || cols < 0 || (long) rows * cols > bytes / Double.BYTES) {
      throw new IOException("matrix header " + rows + " x " + cols + " does not fit a file of "
          + bytes + " bytes");
    }
    DenseMatrix m = new DenseMatrix(rows, cols);
    double[] d = m.data();
    for (int k = 0; k < d.length; k++) {
      d[k] = in.readDouble();
    }
    return m;
  }

  /** Identifies the problem a checkpoint belongs to (shape, formulation, loss, beta). */
  static String fingerprint(DistributedProblem p) {
    return String.format(Locale.ROOT, "n=%d,d=%d,P=%d,model=%s,loss=%s,beta=%s", p.n(), p.d(),
        p.patternCount(), p.formulation().id(), p.loss().name(), Double.toHexString(p.beta()));
  }

  /** The checkpoint is missing, unreadable or belongs to another problem. */
  public static final class IncompatibleCheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    IncompatibleCheckpointException(String m) {
      super(m);
    }
  }

  private static void describe(DistributedData data, String description) {
    org.apache.spark.api.java.JavaSparkContext.fromSparkContext(data.blocks().context())
        .setJobDescription(description);
  }
}
