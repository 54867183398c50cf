package io.cvxrelu.io;

/** Input data that cannot be used, with a one-line message naming the file and line. */
public class DataFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataFormatException(String message) {
    super(message);
  }
}
