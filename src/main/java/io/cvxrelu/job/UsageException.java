package io.cvxrelu.job;

/** A command-line or configuration mistake; the job prints the message and exits with 2. */
public class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
