package io.cvxrelu.deep.study;

import io.cvxrelu.deep.WhitenedClosedForm;
import io.cvxrelu.io.Cifar10Reader;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The data sets of the study, each with its test set: whitened CIFAR-10 with one-hot labels, a
 * small whitened Gaussian set with ±1 labels (small enough for the convex program over every
 * sign pattern) and a rank-one set X = c a^T with c &gt;= 0.
 *
 * @param kind which closed form applies
 */
public record StudyData(String name, Kind kind, DenseMatrix x, DenseMatrix y, DenseMatrix testX,
    DenseMatrix testY) {

  /** The closed form a data set has. */
  public enum Kind {
    WHITENED_ONE_HOT, WHITENED_SCALAR, RANK_ONE
  }

  /**
   * {@code perClass} training images of each of {@code classes} (CIFAR-10 indices) from the
   * training batches and {@code testPerClass} from the test batch; pixels / 255, then whitened: X &lt;- (X X^T)^{-1/2} X = X T with
   * T = (X^T X)^{+1/2}, the same T applied to the test rows. No centring: subtracting the
   * training mean would leave X of rank n - 1, which cannot be whitened.
   */
  public static StudyData cifar(Path dir, int[] classes, int perClass, int testPerClass) {
    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int b = 1; b <= 5 && rows.size() < perClass * classes.length; b++) {
      read(dir.resolve("data_batch_" + b + ".bin"), classes, perClass, rows, labels);
    }
    requireCounts(labels, classes, perClass, dir + "/data_batch_*.bin");
    List<double[]> testRows = new ArrayList<>();
    List<Integer> testLabels = new ArrayList<>();
    read(dir.resolve(Cifar10Reader.TEST_FILE), classes, testPerClass, testRows, testLabels);
    requireCounts(testLabels, classes, testPerClass, dir + "/" + Cifar10Reader.TEST_FILE);
    DenseMatrix x = matrix(rows);
    DenseMatrix t = WhitenedClosedForm.whiteningMap(x);
    return new StudyData("cifar10-whitened", Kind.WHITENED_ONE_HOT, times(x, t),
        oneHot(labels, classes.length), times(matrix(testRows), t),
        oneHot(testLabels, classes.length));
  }

  /** CIFAR-10 class indices from names or indices, at least three, all different. */
  public static int[] classIndices(String spec) {
    String[] parts = spec.split(",", -1);
    int[] out = new int[parts.length];
    for (int k = 0; k < parts.length; k++) {
      String p = parts[k].strip().toLowerCase(java.util.Locale.ROOT);
      out[k] = p.matches("\\d") ? Integer.parseInt(p) : Cifar10Reader.CLASS_NAMES.indexOf(p);
      if (out[k] < 0 || out[k] > 9) {
        throw new IllegalArgumentException("unknown CIFAR-10 class '" + parts[k] + "' (one of "
            + String.join(", ", Cifar10Reader.CLASS_NAMES) + ", or 0-9)");
      }
    }
    if (out.length < 3 || java.util.Arrays.stream(out).distinct().count() != out.length) {
      throw new IllegalArgumentException("--classes needs three or more different classes for "
          + "one-hot outputs, got '" + spec + "'");
    }
    return out;
  }

  /** n &lt; d Gaussian rows whitened as above, labels sign of a planted ReLU teacher. */
  public static StudyData whitenedGaussian(int n, int d, int nTest, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] teacher = gaussianVector(d, r);
    DenseMatrix x = gaussian(n, d, r);
    DenseMatrix testX = gaussian(nTest, d, r);
    DenseMatrix t = WhitenedClosedForm.whiteningMap(x);
    return new StudyData("gaussian-whitened", Kind.WHITENED_SCALAR, times(x, t),
        teacherLabels(x, teacher), times(testX, t), teacherLabels(testX, teacher));
  }

  /** X = c a^T with c ~ U(0, 1), targets 2 c - 1 + noise (a regression: no accuracy). */
  public static StudyData rankOne(int n, int d, int nTest, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] a = gaussianVector(d, r);
    DenseMatrix[] train = rankOneRows(n, a, r);
    DenseMatrix[] test = rankOneRows(nTest, a, r);
    return new StudyData("rank-one", Kind.RANK_ONE, train[0], train[1], test[0], test[1]);
  }

  private static DenseMatrix[] rankOneRows(int n, double[] a, SplittableRandom r) {
    DenseMatrix x = new DenseMatrix(n, a.length);
    DenseMatrix y = new DenseMatrix(n, 1);
    for (int i = 0; i < n; i++) {
      double c = r.nextDouble();
      for (int j = 0; j < a.length; j++) {
        x.set(i, j, c * a[j]);
      }
      y.set(i, 0, 2.0 * c - 1.0 + 0.1 * r.nextGaussian());
    }
    return new DenseMatrix[] {x, y};
  }

  private static DenseMatrix teacherLabels(DenseMatrix x, double[] teacher) {
    DenseMatrix y = new DenseMatrix(x.rows(), 1);
    for (int i = 0; i < x.rows(); i++) {
      double s = 0.0;
      for (int j = 0; j < teacher.length; j++) {
        s += x.get(i, j) * teacher[j];
      }
      y.set(i, 0, Math.max(s, 0.0) - 0.4 * Math.max(-s, 0.0) > 0.2 ? 1.0 : -1.0);
    }
    return y;
  }

  private static double[] gaussianVector(int d, SplittableRandom r) {
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = r.nextGaussian();
    }
    return v;
  }

  private static DenseMatrix gaussian(int n, int d, SplittableRandom r) {
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    return x;
  }

  private static DenseMatrix times(DenseMatrix x, DenseMatrix t) {
    DenseMatrix out = new DenseMatrix(x.rows(), t.cols());
    Blas.gemm(false, false, 1.0, x, t, 0.0, out);
    return out;
  }

  private static DenseMatrix oneHot(List<Integer> labels, int classes) {
    DenseMatrix y = new DenseMatrix(labels.size(), classes);
    for (int i = 0; i < labels.size(); i++) {
      y.set(i, labels.get(i), 1.0);
    }
    return y;
  }

  private static DenseMatrix matrix(List<double[]> rows) {
    DenseMatrix x = new DenseMatrix(rows.size(), rows.get(0).length);
    for (int i = 0; i < rows.size(); i++) {
      for (int j = 0; j < x.cols(); j++) {
        x.set(i, j, rows.get(i)[j]);
      }
    }
    return x;
  }

  /** Appends up to {@code perClass} images of each class (pixels / 255) with class positions. */
  private static void read(Path file, int[] classes, int perClass, List<double[]> rows,
      List<Integer> labels) {
    int[] have = new int[classes.length];
    for (int l : labels) {
      have[l]++;
    }
    byte[] rec = new byte[Cifar10Reader.RECORD_BYTES];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      while (in.readNBytes(rec, 0, rec.length) == rec.length) {
        int label = rec[0] & 0xff;
        for (int k = 0; k < classes.length; k++) {
          if (classes[k] == label && have[k] < perClass) {
            double[] row = new double[Cifar10Reader.IMAGE_BYTES];
            for (int j = 0; j < row.length; j++) {
              row[j] = (rec[1 + j] & 0xff) / 255.0;
            }
            rows.add(row);
            labels.add(k);
            have[k]++;
          }
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new DataFormatException(file + ": no such file (--cifar takes the folder of the "
          + "CIFAR-10 binary batches)");
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private static void requireCounts(List<Integer> labels, int[] classes, int perClass,
      String source) {
    int[] have = new int[classes.length];
    for (int l : labels) {
      have[l]++;
    }
    for (int k = 0; k < classes.length; k++) {
      if (have[k] < perClass) {
        throw new DataFormatException(source + " hold " + have[k] + " images of class "
            + classes[k] + ", fewer than the " + perClass + " asked for");
      }
    }
  }
}
