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
 */
public final class GenerateSyntheticData {
  private GenerateSyntheticData() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 8) {
      System.err.println(
          "usage: GenerateSyntheticData TRAIN.csv TEST.csv nTrain nTest d teacherWidth noise seed");
      System.exit(2);
    }
    write(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]),
        Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
        Double.parseDouble(args[6]), Long.parseLong(args[7]));
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
