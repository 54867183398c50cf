package io.cvxrelu.job;

/** Comma-separated numbers in an option ({@code --deltas 0.5,1,2}); the caller checks ranges. */
final class NumberLists {
  private NumberLists() {}

  static double[] doubles(JobOptions opts, String name) {
    String v = opts.require(name);
    String[] parts = v.split(",", -1);
    double[] out = new double[parts.length];
    for (int k = 0; k < parts.length; k++) {
      try {
        out[k] = Double.parseDouble(parts[k].strip());
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " must be comma-separated numbers, got '" + v
            + "'");
      }
      if (!Double.isFinite(out[k])) {
        throw new UsageException("--" + name + " must be finite, got " + parts[k].strip());
      }
    }
    return out;
  }
}
