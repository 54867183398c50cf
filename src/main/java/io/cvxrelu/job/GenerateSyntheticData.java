package io.cvxrelu.job;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a planted-teacher regression data set like the reference instances: Gaussian X, y the
 * output of a random two-layer ReLU teacher plus Gaussian noise, as CSV with the label first.
 * Used to make {@code data-samples/}.
 *
 * <p>Usage: {@code GenerateSyntheticData TRAIN.csv TEST.csv nTrain nTest d teacherWidth noise
 * seed}: both files come from the same teacher.
 *
 * <p>{@code GenerateSyntheticData oned TRAIN.csv TEST.csv nTrain nTest seed} writes the
 * one-dimensional task of the Figure 2 and exact-vs-sampled runs ({@code jobs/figure2.sh},
 * {@code jobs/exact-vs-sampled.sh}): x ~ U(-2, 2), label +1 when |x| > 1 and -1 otherwise,
 * each label flipped with probability 0.1. No single hyperplane separates it, and with a bias
 * column its arrangement has about 2n cells, so every sign pattern can be enumerated.
 */
public final class GenerateSyntheticData {
  private GenerateSyntheticData() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 6 && args[0].equals("oned")) {
      long seed = Long.parseLong(args[5]);
      writeOneDimensional(Path.of(args[1]), Integer.parseInt(args[3]), seed);
      // The test rows from a seed of their own, independent of the training rows.
      writeOneDimensional(Path.of(args[2]), Integer.parseInt(args[4]), seed ^ 0x5DEECE66DL);
      return;
    }
    if (args.length != 8) {
      System.err.println(
          "usage: GenerateSyntheticData TRAIN.csv TEST.csv nTrain nTest d teacherWidth noise seed\n"
          + "       GenerateSyntheticData oned TRAIN.csv TEST.csv nTrain nTest seed");
      System.exit(2);
    }
    write(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]),
        Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
        Double.parseDouble(args[6]), Long.parseLong(args[7]));
  }

  /** The one-dimensional task (see the class comment): CSV, label first, n rows. */
  static void writeOneDimensional(Path out, int n, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
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
    try (PrintWriter wTrain = new PrintWriter(Files.newBufferedWriter(train, StandardCharsets.UTF_8));
        PrintWriter wTest = new PrintWriter(Files.newBufferedWriter(test, StandardCharsets.UTF_8))) {
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
