package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.testutil.RandomMatrices;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * train-convex {@code --beta 0}: the minimum-norm interpolating network end to end, against its
 * closed form on whitened data (X X^T = I, spike-free): R* = ||y_+|| + ||y_-||; and the
 * combinations it refuses as one-line usage errors with no output.
 */
class InterpolationJobTest {
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

  /** A CSV (label first) of n whitened rows in d dimensions, with Gaussian labels. */
  private static double[] writeWhitened(Path file, int n, int d, long seed) throws IOException {
    ThinSvd svd = ThinSvd.of(RandomMatrices.gaussian(n, d, new SplittableRandom(seed)));
    DenseMatrix x = new DenseMatrix(n, d);
    Blas.gemm(false, false, 1.0, svd.u(), svd.vt(), 0.0, x);
    SplittableRandom r = new SplittableRandom(seed + 100);
    double[] y = new double[n];
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      y[i] = r.nextGaussian();
      sb.append(String.format(Locale.ROOT, "%.17g", y[i]));
      for (int k = 0; k < d; k++) {
        sb.append(String.format(Locale.ROOT, ",%.17g", x.get(i, k)));
      }
      sb.append('\n');
    }
    Files.writeString(file, sb.toString());
    return y;
  }

  @Test
  void whitenedDataInterpolateAtTheNormsOfThePositiveAndNegativeParts() throws IOException {
    Path data = tmp.resolve("whitened.csv");
    double[] y = writeWhitened(data, 5, 8, 3);
    double plus = 0.0;
    double minus = 0.0;
    for (double v : y) {
      plus += v > 0 ? v * v : 0.0;
      minus += v < 0 ? v * v : 0.0;
    }
    double expected = Math.sqrt(plus) + Math.sqrt(minus);
    Path out = tmp.resolve("out");
    int code = TrainConvexJob.run(new String[] {"--train", data.toString(), "--beta", "0",
        "--patterns", "all", "--tol", "1e-5", "--out", out.toString()});
    assertEquals(0, code);
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(s.get("certified").asBoolean(), s.toString());
    assertEquals(InterpolationRun.PROGRAM, s.get("program").asText());
    assertEquals(0.0, s.get("beta").asDouble());
    assertTrue(s.get("lowerBound").asDouble() <= expected * (1 + 1e-9), s.toString());
    assertTrue(s.get("objective").asDouble() >= expected * (1 - 1e-9), s.toString());
    assertEquals(expected, s.get("objective").asDouble(), 1e-5 * expected);
    assertTrue(s.get("trainMse").asDouble() < 1e-16, s.toString());
    // The written model interpolates: read back, its network reproduces the labels.
    ConvexReluModel model = ModelJson.read(Files.readString(out.resolve("model.json")),
        "model.json");
    assertEquals(0.0, model.beta());
    double[] pred = model.predictDesign(whitenedDesign(data));
    for (int i = 0; i < y.length; i++) {
      assertEquals(y[i], pred[i], 1e-8);
    }
    assertTrue(Files.readAllLines(out.resolve("history.csv")).size() > 1);
    assertTrue(Files.exists(out.resolve(SavedModel.PREPROCESSING)));
  }

  private static DenseMatrix whitenedDesign(Path csv) throws IOException {
    var lines = Files.readAllLines(csv);
    double[][] rows = new double[lines.size()][];
    for (int i = 0; i < rows.length; i++) {
      String[] f = lines.get(i).split(",");
      rows[i] = new double[f.length - 1];
      for (int k = 1; k < f.length; k++) {
        rows[i][k - 1] = Double.parseDouble(f[k]);
      }
    }
    return DenseMatrix.fromRows(rows, rows[0].length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--loss=logistic", "--model=gated", "--beta-path=0.1,0.01",
      "--generate-patterns", "--solver=distributed"})
  void unsupportedCombinationsAreUsageErrorsWithoutOutput(String option) throws IOException {
    Path data = tmp.resolve("whitened.csv");
    writeWhitened(data, 5, 8, 3);
    Path out = tmp.resolve("refused");
    int code = TrainConvexJob.run(new String[] {"--train", data.toString(), "--beta", "0",
        option, "--out", out.toString()});
    assertEquals(2, code);
    assertFalse(Files.exists(out));
  }
}
