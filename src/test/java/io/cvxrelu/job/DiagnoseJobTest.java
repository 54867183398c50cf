package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.testutil.RandomMatrices;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diagnose.sh --check spike-free} end to end on generated CSV files. */
class DiagnoseJobTest {
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stopSpark() {
    SparkTestSession.stop(spark);
  }

  /** Writes X (label 0 first) as CSV. */
  private Path csv(String name, DenseMatrix x) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < x.rows(); i++) {
      sb.append('0');
      for (int k = 0; k < x.cols(); k++) {
        sb.append(',').append(String.format(Locale.ROOT, "%.17g", x.get(i, k)));
      }
      sb.append('\n');
    }
    Path p = tmp.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  /** Runs the job with stdout captured. */
  private static String[] run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = DiagnoseJob.run(args);
    } finally {
      System.setOut(old);
    }
    return new String[] {Integer.toString(code), buf.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void whitenedDataAreReportedSpikeFreeWithTheirEvidence() throws IOException {
    ThinSvd svd = ThinSvd.of(RandomMatrices.gaussian(6, 9, new SplittableRandom(4)));
    DenseMatrix x = new DenseMatrix(6, 9);
    Blas.gemm(false, false, 1.0, svd.u(), svd.vt(), 0.0, x);
    Path out = tmp.resolve("out");
    String[] r = run("--train", csv("w.csv", x).toString(), "--check", "spike-free", "--out",
        out.toString());
    assertEquals("0", r[0]);
    assertTrue(r[1].contains("spike-free check: spike-free (exact)"), r[1]);
    JsonNode v = new ObjectMapper().readTree(out.resolve("verdict.json").toFile());
    assertEquals("spike-free", v.get("outcome").asText());
    assertEquals(6, v.get("rank").asInt());
    assertTrue(Files.exists(out.resolve("report.md")));
  }

  @Test
  void moreRowsThanColumnsGetTheFalsifierAndTheExactTestRefusesThem() throws IOException {
    Path data = csv("g.csv", RandomMatrices.gaussian(30, 4, new SplittableRandom(5)));
    String[] r = run("--train", data.toString(), "--check", "spike-free");
    assertEquals("0", r[0]);
    assertTrue(r[1].contains("not-spike-free (randomised falsifier)"), r[1]);
    Path out = tmp.resolve("refused");
    String[] refused = run("--train", data.toString(), "--check", "spike-free", "--exact",
        "--out", out.toString());
    assertEquals("3", refused[0]);
    assertFalse(Files.exists(out), "no output after a refused run");
    assertEquals("2", run("--train", data.toString(), "--check", "spike")[0]);
  }
}
