package io.cvxrelu.job;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes synthetic data as CSV with the label first: the training and the test file from the
 * same law. Two tasks:
 * <ul>
 *   <li>{@code planted} (the default), the recipe of the {@code syn_*} reference instances and
 *       of {@code data-samples/}: Gaussian X, y the output of a random two-layer ReLU teacher
 *       plus Gaussian noise;
 *   <li>{@code oned}, the one-dimensional task of the Figure 2 and exact-vs-sampled runs
 *       ({@code jobs/figure2.sh}, {@code jobs/exact-vs-sampled.sh}): x ~ U(-2, 2), label +1
 *       when |x| > 1 and -1 otherwise, each label flipped with probability 0.1. No single
 *       hyperplane separates it, and with a bias column its arrangement has about 2n cells, so
 *       every sign pattern can be enumerated.
 * </ul>
 *
 * <p>Usage: {@code GenerateSyntheticData --train TRAIN.csv --test TEST.csv --n-train N [--task
 * planted|oned] [--n-test N] [--d D] [--teacher-width M] [--noise SD] [--seed S]} ({@code
 * --help} lists the defaults). Exit codes as for the other jobs: 2 usage, 4 output.
 */
public final class GenerateSyntheticData {
  private GenerateSyntheticData() {}

  static JobOptions options() {
    return new JobOptions(
        "Usage: GenerateSyntheticData --train TRAIN.csv --test TEST.csv --n-train N [options]\n"
        + "Writes synthetic data, CSV with the label first: a planted two-layer ReLU teacher\n"
        + "(as the syn_* fixtures and data-samples/) or the one-dimensional task of figure2.sh.")
        .option("task", "planted", "planted (Gaussian features, ReLU teacher plus noise) | oned "
            + "(x ~ U(-2, 2), label sign(|x| - 1), 10% flipped)")
        .option("train", null, "training CSV to write")
        .option("test", null, "test CSV to write (same teacher; oned: a seed of its own)")
        .option("n-train", null, "training rows")
        .option("n-test", "200", "test rows")
        .option("d", "5", "planted: features")
        .option("teacher-width", "10", "planted: the teacher's hidden neurons")
        .option("noise", "0.1", "planted: standard deviation of the label noise")
        .option("seed", "0", "random seed");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the generator and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("generate-synthetic-data", options(), args,
        GenerateSyntheticData::execute);
  }

  private static void execute(JobOptions opts) {
    Path train = Path.of(opts.require("train"));
    Path test = Path.of(opts.require("test"));
    int nTrain = count(opts, "n-train");
    int nTest = count(opts, "n-test");
    long seed = opts.anyLong("seed");
    try {
      switch (opts.get("task")) {
        case "planted" -> write(train, test, nTrain, nTest, count(opts, "d"),
            count(opts, "teacher-width"), noise(opts), seed);
        case "oned" -> {
          writeOneDimensional(train, nTrain, seed);
          // The test rows from a seed of their own, independent of the training rows.
          writeOneDimensional(test, nTest, seed ^ 0x5DEECE66DL);
        }
        default -> throw new UsageException("--task must be planted or oned, got '"
            + opts.get("task") + "'");
      }
    } catch (IOException e) {
      throw new HadoopIo.OutputException("cannot write the data: " + e);
    }
  }

  private static int count(JobOptions opts, String name) {
    long v = opts.positiveLong(name);
    if (v > Integer.MAX_VALUE) {
      throw new UsageException("--" + name + " must be at most " + Integer.MAX_VALUE + ", got "
          + v);
    }
    return (int) v;
  }

  private static double noise(JobOptions opts) {
    String v = opts.require("noise");
    double sd;
    try {
      sd = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--noise must be a number, got '" + v + "'");
    }
    if (!(sd >= 0.0) || !Double.isFinite(sd)) {
      throw new UsageException("--noise must be a finite number >= 0, got " + v);
    }
    return sd;
  }

  private static PrintWriter csv(Path file) throws IOException {
    return new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  /** The one-dimensional task (see the class comment): CSV, label first, n rows. */
  static void writeOneDimensional(Path out, int n, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    try (PrintWriter w = csv(out)) {
      for (int i = 0; i < n; i++) {
        double x = rng.nextDouble(-2.0, 2.0);
        boolean outer = Math.abs(x) > 1.0;
        boolean flip = rng.nextDouble() < 0.1;
        w.println((outer ^ flip ? "1" : "-1") + "," + String.format(Locale.ROOT, "%.10g", x));
      }
    }
  }

  static void write(Path train, Path test, int nTrain, int nTest, int d, int width,
      double noise, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] u = new double[width][d];
    double[] a = new double[width];
    for (int j = 0; j < width; j++) {
      for (int k = 0; k < d; k++) {
        u[j][k] = rng.nextGaussian() / Math.sqrt(d);
      }
      a[j] = rng.nextGaussian();
    }
    try (PrintWriter wTrain = csv(train); PrintWriter wTest = csv(test)) {
      for (int i = 0; i < nTrain + nTest; i++) {
        PrintWriter w = i < nTrain ? wTrain : wTest;
        double[] x = new double[d];
        for (int k = 0; k < d; k++) {
          x[k] = rng.nextGaussian();
        }
        double y = noise * rng.nextGaussian();
        for (int j = 0; j < width; j++) {
          double z = 0.0;
          for (int k = 0; k < d; k++) {
            z += x[k] * u[j][k];
          }
          y += Math.max(z, 0.0) * a[j];
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.10g", y));
        for (double v : x) {
          sb.append(',').append(String.format(Locale.ROOT, "%.10g", v));
        }
        w.println(sb);
      }
    }
  }
}
