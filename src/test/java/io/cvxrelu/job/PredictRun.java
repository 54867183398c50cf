package io.cvxrelu.job;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process predict run with its exit code and what it printed on stderr. */
record PredictRun(int code, String stderr) {

  static PredictRun of(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = PredictJob.run(args);
    } finally {
      System.setErr(saved);
    }
    return new PredictRun(code, buf.toString(StandardCharsets.UTF_8));
  }
}
