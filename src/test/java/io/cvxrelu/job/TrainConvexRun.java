package io.cvxrelu.job;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process train-convex run with its exit code and what it printed on stderr. */
record TrainConvexRun(int code, String stderr) {

  static TrainConvexRun of(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = TrainConvexJob.run(args);
    } finally {
      System.setErr(saved);
    }
    return new TrainConvexRun(code, buf.toString(StandardCharsets.UTF_8));
  }
}
