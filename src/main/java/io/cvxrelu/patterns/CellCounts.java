package io.cvxrelu.patterns;

import java.math.BigInteger;

/**
 * Cover's (1965) count of the cells of a central hyperplane arrangement and the budget of the
 * exact enumeration: n hyperplanes in general position in rank r cut 2 sum_{k&lt;r} C(n-1, k)
 * cells, and the enumeration visits the (r-1)-subsets of the rows. Counts saturate at
 * Long.MAX_VALUE instead of overflowing.
 */
final class CellCounts {
  /** Cells allowed per unit of the subset budget (see checkBudget). */
  private static final long CELLS_PER_SUBSET = 4;

  private CellCounts() {}

  /**
   * Throws when the enumeration would exceed its budget: more than maxSubsets (r-1)-subsets of
   * the m rows, or more than {@value #CELLS_PER_SUBSET} x maxSubsets possible cells. For m well
   * above r the cells number about 2 C(m, r-1), so the second rule only bites when the rows
   * barely outnumber the rank, where the subsets stay few while the cells grow like 2^m.
   *
   * <p>Called while the rank is still growing, to fail before the full factorisation of a wide
   * X: the cell bound grows with r, and C(m, k) is unimodal in k, so the final subset count is at
   * least the smaller of the counts at the current rank and at the largest rank still possible.
   */
  static void checkBudget(int m, int rankSoFar, int maxRank, long maxSubsets) {
    String rank = rankSoFar == maxRank ? "rank " + rankSoFar : "rank >= " + rankSoFar;
    long cells = cellBound(m, rankSoFar);
    long cellBudget = maxSubsets > Long.MAX_VALUE / CELLS_PER_SUBSET
        ? Long.MAX_VALUE : CELLS_PER_SUBSET * maxSubsets;
    if (cells > cellBudget) {
      throw new IllegalArgumentException("exact enumeration infeasible: " + m + " rows of "
          + rank + " can have " + count(cells) + " cells, above " + CELLS_PER_SUBSET
          + " x maxSubsets = " + cellBudget + "; use sampled gates");
    }
    long subsets = Math.min(binomial(m, rankSoFar - 1), binomial(m, maxRank - 1));
    if (subsets > maxSubsets) {
      throw new IllegalArgumentException("exact enumeration infeasible: " + m + " rows of "
          + rank + " need " + (rankSoFar == maxRank ? "" : "at least ") + count(subsets)
          + " (r-1)-subsets, above maxSubsets = " + maxSubsets + "; use sampled gates");
    }
  }

  static String count(long saturated) {
    return saturated == Long.MAX_VALUE ? "more than 2^63" : Long.toString(saturated);
  }

  /** Cell bound 2 sum_{k&lt;r} C(n-1, k), saturating at Long.MAX_VALUE. */
  static long cellBound(int n, int r) {
    if (n == 0 || r == 0) {
      return 1L;
    }
    long sum = 0L;
    for (int k = 0; k < Math.min(r, n); k++) {
      long b = binomial(n - 1, k);
      if (b == Long.MAX_VALUE || sum > Long.MAX_VALUE - b) {
        return Long.MAX_VALUE;
      }
      sum += b;
    }
    return sum > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2L * sum;
  }

  /** C(n, k), saturating at Long.MAX_VALUE; 0 when k is outside [0, n]. */
  static long binomial(int n, int k) {
    if (k < 0 || k > n) {
      return 0L;
    }
    int kk = Math.min(k, n - k);
    BigInteger limit = BigInteger.valueOf(Long.MAX_VALUE);
    BigInteger b = BigInteger.ONE;
    for (int i = 1; i <= kk; i++) {
      // b = C(n - kk + i, i), which grows with i: once past the limit the result is too.
      b = b.multiply(BigInteger.valueOf(n - kk + i)).divide(BigInteger.valueOf(i));
      if (b.compareTo(limit) >= 0) {
        return Long.MAX_VALUE;
      }
    }
    return b.longValue();
  }
}
