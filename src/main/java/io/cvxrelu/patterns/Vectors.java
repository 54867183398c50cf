package io.cvxrelu.patterns;

/**
 * The few dense-vector operations of the arrangement enumeration, on plain arrays: the
 * enumeration works in the small whitened coordinates of {@link ColumnReduction}, where a BLAS
 * call would cost more than the loop. {@link #norm} scales first, so it neither overflows nor
 * underflows.
 */
final class Vectors {
  private Vectors() {}

  static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double norm(double[] a) {
    double scale = 0.0;
    for (double v : a) {
      scale = Math.max(scale, Math.abs(v));
    }
    if (scale == 0.0) {
      return 0.0;
    }
    double s = 0.0;
    for (double v : a) {
      double t = v / scale;
      s += t * t;
    }
    return scale * Math.sqrt(s);
  }

  static void axpy(double alpha, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += alpha * x[i];
    }
  }

  static void scaleInPlace(double[] a, double alpha) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= alpha;
    }
  }
}
