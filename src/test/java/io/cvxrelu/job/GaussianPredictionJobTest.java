package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gaussian-prediction.sh} end to end on a tiny setting (no Spark session needed). */
class GaussianPredictionJobTest {
  @TempDir
  Path tmp;

  @Test
  void tinyRunWritesCsvPlotsAndAReportWithPassingChecks() throws IOException {
    Path out = tmp.resolve("gp");
    assertEquals(0, GaussianPredictionJob.run(new String[] {"--out", out.toString(), "--n", "30",
        "--deltas", "2,3", "--lambda-count", "3", "--lambda-min", "0.05", "--lambda-max",
        "0.5", "--trials", "4", "--relu-trials", "1", "--relu-patterns", "2", "--relu-every",
        "2"}));
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(1 + 2 * 3, csv.size());
    assertTrue(csv.get(0).startsWith("delta,n,d,lambda"));
    for (String f : new String[] {"phi-delta2.png", "phi-delta3.png", "error.png"}) {
      assertTrue(Files.size(out.resolve(f)) > 1000, f);
    }
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("PASS gated solver certified on every draw"), report);
    assertTrue(report.contains("PASS ReLU program"), report);
  }

  @Test
  void badInputIsOneUsageErrorAndNoOutput() {
    Path out = tmp.resolve("bad");
    assertEquals(2, GaussianPredictionJob.run(new String[] {"--out", out.toString(), "--deltas",
        "1,-2"}));
    assertEquals(2, GaussianPredictionJob.run(new String[] {"--out", out.toString(),
        "--relu-trials", "50", "--trials", "3"}));
    assertEquals(2, GaussianPredictionJob.run(new String[] {"--out", out.toString(),
        "--lambda-min", "2", "--lambda-max", "1"}));
    assertFalse(Files.exists(out));
  }
}
