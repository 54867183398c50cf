package io.cvxrelu.ml;

import org.apache.spark.ml.util.Identifiable;

/**
 * Hands a uid to a Spark ML stage written in Java before its superclass constructor runs.
 *
 * <p>Spark's shared params ({@code featuresCol}, ...) are created inside the Scala superclass
 * constructor and record {@code uid()} as their parent, before any Java field of the subclass
 * is assigned. A Java stage therefore computes its uid lazily in {@code uid()} ({@link #claim}):
 * the public constructor parks the wanted uid here and a private constructor chains to
 * {@code super()}.
 */
final class Uids {
  /** Marker type of the private constructors that receive a parked uid. */
  static final class Parked {
    private Parked() {}
  }

  private static final ThreadLocal<String> PARKED = new ThreadLocal<>();
  private static final Parked TOKEN = new Parked();

  private Uids() {}

  /** Parks {@code uid} for the next {@link #claim} on this thread. */
  static Parked park(String uid) {
    PARKED.set(uid);
    return TOKEN;
  }

  /**
   * A stage's uid: {@code current} once it is set, else the parked uid (consumed), else a fresh
   * random one with {@code prefix}.
   */
  static String claim(String current, String prefix) {
    if (current != null) {
      return current;
    }
    String uid = PARKED.get();
    PARKED.remove();
    return uid != null ? uid : Identifiable.randomUID(prefix);
  }
}
