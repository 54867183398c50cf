package io.cvxrelu.problem;

/** Which convex program is solved over the sign patterns. */
public enum Formulation {
  /**
   * The cone-constrained group lasso equivalent to the ReLU network (Pilanci and Ergen 2020,
   * eq. (8)): blocks v_i and w_i with (2 D_i - I) X v_i &gt;= 0 and (2 D_i - I) X w_i &gt;= 0.
   */
  RELU,
  /** The unconstrained gated-ReLU group lasso (the cone constraints dropped): blocks u_i. */
  GATED;

  /** Number of weight blocks q over P patterns: 2P (v_i and w_i) for ReLU, P for gated. */
  public int blockCount(int patterns) {
    return this == RELU ? 2 * patterns : patterns;
  }

  /** Refuses a program of the other formulation: {@code solver} solves this one only. */
  public void require(ConvexProgram program, String solver) {
    if (program.formulation() != this) {
      throw new IllegalArgumentException(solver + " solves the "
          + (this == RELU ? "ReLU" : "gated") + " formulation only");
    }
  }

  /** Lower-case name used in options and files. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses {@code relu} or {@code gated}. */
  public static Formulation parse(String s) {
    switch (s) {
      case "relu":
        return RELU;
      case "gated":
        return GATED;
      default:
        throw new IllegalArgumentException("unknown model '" + s + "' (expected relu or gated)");
    }
  }
}
