package io.cvxrelu.train;

/**
 * A training request that cannot be met as asked (contradictory settings, a value out of range,
 * an arrangement too large to enumerate): the caller's mistake, not the data's. The jobs report
 * it as a usage error (exit 2); for the Spark ML estimators it is an
 * {@link IllegalArgumentException} like any other bad parameter.
 */
public final class InvalidSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidSpecException(String message) {
    super(message);
  }
}
