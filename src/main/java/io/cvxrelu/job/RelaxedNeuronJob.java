package io.cvxrelu.job;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.TextDataReader;
import io.cvxrelu.report.RelaxedNeuronReport;
import io.cvxrelu.theory.RelaxedNeuronStudy;
import io.cvxrelu.theory.RelaxedNeuronStudy.Curves;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/relaxed-neuron.sh}: the relaxed single-neuron experiment of the survey seed,
 * section 2.2 ({@link RelaxedNeuronStudy}): gradient descent on the squared loss of one ReLU
 * neuron and on its convex relaxation L_r from the same starts, on planted data. Writes
 * {@code curves.csv}, the PNG plots and {@code report.md} atomically; runs on the driver alone.
 */
public final class RelaxedNeuronJob {
  private static final Logger LOG = LogManager.getLogger(RelaxedNeuronJob.class);

  private RelaxedNeuronJob() {}

  static JobOptions options() {
    return new JobOptions(
        "Usage: relaxed-neuron.sh --out DIR [options]\n"
        + "Gradient descent on L(w) = ||(X w)_+ - y||^2 and on the convex relaxation\n"
        + "L_r(w) = ||(X w)_+||^2 - 2 y^T X w + ||y||^2 from the same starts, on planted data\n"
        + "y = (X w*)_+ (+ noise); writes curves.csv, plots and report.md to DIR.")
        .option("out", null, "output folder (written atomically)")
        .option("train", null, "fit the neuron to this CSV instead (label first, labels >= 0);"
            + " w* is then unknown and only training losses are reported")
        .flag("overwrite", "replace an existing output folder")
        .option("n", "200", "training rows")
        .option("d", "20", "features")
        .option("n-test", "1000", "test rows (noise-free labels)")
        .option("sigmas", "0,0.1", "noise levels, comma-separated (noisy labels clipped at 0)")
        .option("starts", "20", "gradient-descent starts per loss")
        .option("iterations", "3000", "gradient-descent steps")
        .option("every", "20", "record every this many steps")
        .option("seed", "0", "seeds data and starts");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("relaxed-neuron", options(), args, opts -> execute(opts, args));
  }

  private static void execute(JobOptions opts, String[] args) {
    String out = opts.require("out");
    boolean overwrite = opts.flagSet("overwrite");
    RelaxedNeuronStudy.Settings s;
    try {
      s = new RelaxedNeuronStudy.Settings(positiveInt(opts, "n"), positiveInt(opts, "d"),
          positiveInt(opts, "n-test"), NumberLists.doubles(opts, "sigmas"),
          positiveInt(opts, "starts"), positiveInt(opts, "iterations"),
          positiveInt(opts, "every"), opts.anyLong("seed"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    HadoopIo io = new HadoopIo(new Configuration());
    io.checkOutput(out, overwrite);
    String command = "jobs/relaxed-neuron.sh " + String.join(" ", args);
    String train = opts.get("train");
    long t0 = System.nanoTime();
    List<Curves> curves;
    Map<String, String> files = new LinkedHashMap<>();
    if (train != null) {
      LabeledData data;
      try (BufferedReader in = io.open(train, "training data")) {
        data = TextDataReader.readCsv(in, train);
      } catch (IOException e) {
        throw new DataFormatException("cannot read " + train + ": " + e.getMessage());
      }
      try {
        curves = RelaxedNeuronStudy.runOn(new RelaxedNeuronStudy.Data(data.x(), data.y(),
            data.x(), data.y(), null), s.starts(), s.iterations(), s.every(), s.seed());
      } catch (IllegalArgumentException e) {
        throw new DataFormatException(train + ": " + e.getMessage());
      }
      files.put("report.md", RelaxedNeuronReport.markdownForData(curves, train, data.n(),
          data.d(), s.iterations(), s.seed(), (System.nanoTime() - t0) * 1e-9, command));
    } else {
      curves = RelaxedNeuronStudy.run(s);
      files.put("report.md", RelaxedNeuronReport.markdown(curves, s,
          (System.nanoTime() - t0) * 1e-9, command));
    }
    double seconds = (System.nanoTime() - t0) * 1e-9;
    files.put("curves.csv", RelaxedNeuronReport.csv(curves));
    double[] levels = train != null ? new double[] {Double.NaN} : s.sigmas();
    io.writeAtomically(out, files, RelaxedNeuronReport.plots(curves, levels), overwrite, null);
    LOG.info("wrote {} in {} s{}", out, String.format(java.util.Locale.ROOT, "%.1f", seconds),
        train != null ? "" : "; noise-free L_r recovered w* from every start: "
            + RelaxedNeuronReport.recoveryPassed(curves));
  }

  private static int positiveInt(JobOptions opts, String name) {
    return (int) Math.min(10_000_000, opts.positiveLong(name));
  }
}
