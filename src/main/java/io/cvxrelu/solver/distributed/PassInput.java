package io.cvxrelu.solver.distributed;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A driver-side value the tasks of one pass read (the weights of a step): shipped inside the
 * task closure when it is small, else broadcast, as Spark MLlib's {@code RDDLossFunction}
 * broadcasts its coefficients.
 *
 * <p>Spark already broadcasts every stage's closure (the task binary), so a small value in
 * the closure costs no extra round trip, whereas a broadcast of its own costs each executor one
 * more fetch from the driver per pass: with two executor cores in {@code local-cluster} mode a
 * stage whose tasks read a 100 KB broadcast took 56-64 ms against 46-53 ms with the same array
 * in the closure and 44-48 ms for an empty stage (a probe, 60 stages each). Above
 * {@link #CLOSURE_BYTES} the broadcast is kept: every task deserialises its own copy of the
 * closure, while the tasks of an executor share one broadcast value.
 *
 * @param <T> the value's type (serializable)
 */
abstract class PassInput<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Largest value shipped in the closure (1 MB). */
  static final long CLOSURE_BYTES = 1L << 20;

  /** {@code value} for the tasks of one pass; {@code bytes} is its size. */
  static <T> PassInput<T> of(JavaSparkContext sc, T value, long bytes) {
    return bytes <= CLOSURE_BYTES ? new InClosure<>(value) : new Broadcasted<>(sc.broadcast(value));
  }

  /** The value, on the driver or in a task. */
  abstract T value();

  /** Releases the broadcast, if any, once the pass's results are on the driver. */
  abstract void destroy();

  private static final class InClosure<T> extends PassInput<T> {
    private static final long serialVersionUID = 1L;
    private final T value;

    InClosure(T value) {
      this.value = value;
    }

    @Override
    T value() {
      return value;
    }

    @Override
    void destroy() {}
  }

  private static final class Broadcasted<T> extends PassInput<T> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<T> broadcast;

    Broadcasted(Broadcast<T> broadcast) {
      this.broadcast = broadcast;
    }

    @Override
    T value() {
      return broadcast.value();
    }

    @Override
    void destroy() {
      broadcast.destroy();
    }
  }
}
