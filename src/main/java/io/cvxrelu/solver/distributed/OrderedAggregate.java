package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDDLike;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

/**
 * A tree aggregation whose floating-point result does not depend on task timing. Spark's
 * {@code treeAggregate} merges partial results in the order tasks finish, so sums of doubles
 * may differ in their last bits from run to run; here every merge combines partials in
 * partition-index order (a fixed tree over the indices), so the same data in the same
 * partitions always gives the same bits: a retried task or a rerun reproduces the iteration
 * exactly, and {@code model.json} is byte-identical across runs.
 */
public final class OrderedAggregate {
  /** Partials merged per tree node (and at most this many reach the driver). */
  static final int FAN_IN = 16;

  private OrderedAggregate() {}

  /**
   * As {@code rdd.treeAggregate(zero, seqOp, combOp)}, merging in partition order. The zero is
   * shipped in the task closure, so each partition starts from its own copy.
   */
  public static <T, U> U aggregate(JavaRDDLike<T, ?> rdd, U zero, Function2<U, T, U> seqOp,
      Function2<U, U, U> combOp) {
    JavaPairRDD<Integer, U> level = rdd.mapPartitionsWithIndex((index, it) -> {
      U acc = zero;
      while (it.hasNext()) {
        acc = seqOp.call(acc, it.next());
      }
      List<Tuple2<Integer, U>> one = new ArrayList<>(1);
      one.add(new Tuple2<>(index, acc));
      return one.iterator();
    }, true).mapToPair(t -> t);
    int count = rdd.getNumPartitions();
    while (count > FAN_IN) {
      int parents = (count + FAN_IN - 1) / FAN_IN;
      level = level.mapToPair(t -> new Tuple2<>(t._1() / FAN_IN, t))
          .groupByKey(parents)
          .mapToPair(g -> new Tuple2<>(g._1(), inOrder(g._2(), combOp)));
      count = parents;
    }
    List<Tuple2<Integer, U>> top = level.collect();
    try {
      return inOrder(top, combOp);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The partitions' partials (index k holding partition k's) merged as {@link #aggregate}
   * merges them, by the same tree over the indices: the same bits, without Spark (the tasks of
   * a barrier stage merge gathered partials with it, {@link BarrierSteps}).
   */
  static <U> U mergeInOrder(List<U> partials, Function2<U, U, U> combOp) {
    try {
      List<U> level = partials;
      while (level.size() > FAN_IN) {
        List<U> parents = new ArrayList<>();
        for (int from = 0; from < level.size(); from += FAN_IN) {
          parents.add(sequential(level.subList(from, Math.min(level.size(), from + FAN_IN)),
              combOp));
        }
        level = parents;
      }
      return sequential(level, combOp);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static <U> U sequential(List<U> parts, Function2<U, U, U> combOp) throws Exception {
    U acc = parts.get(0);
    for (int k = 1; k < parts.size(); k++) {
      acc = combOp.call(acc, parts.get(k));
    }
    return acc;
  }

  /** a += b element by element; returns a (a merge of summed partials). */
  static double[] addInto(double[] a, double[] b) {
    for (int k = 0; k < a.length; k++) {
      a[k] += b[k];
    }
    return a;
  }

  /** A += B element by element; returns A. */
  static DenseMatrix addInto(DenseMatrix a, DenseMatrix b) {
    addInto(a.data(), b.data());
    return a;
  }

  private static <U> U inOrder(Iterable<Tuple2<Integer, U>> parts, Function2<U, U, U> combOp)
      throws Exception {
    List<Tuple2<Integer, U>> sorted = new ArrayList<>();
    parts.forEach(sorted::add);
    sorted.sort(Comparator.comparing(Tuple2::_1));
    U acc = sorted.get(0)._2();
    for (int k = 1; k < sorted.size(); k++) {
      acc = combOp.call(acc, sorted.get(k)._2());
    }
    return acc;
  }
}
