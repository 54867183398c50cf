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

/** {@code relaxed-neuron.sh} end to end on a small setting (no Spark session needed). */
class RelaxedNeuronJobTest {
  @TempDir
  Path tmp;

  @Test
  void smallRunWritesCurvesPlotsAndAPassingReport() throws IOException {
    Path out = tmp.resolve("rn");
    assertEquals(0, RelaxedNeuronJob.run(new String[] {"--out", out.toString(), "--n", "60",
        "--d", "5", "--n-test", "50", "--sigmas", "0,0.1", "--starts", "3", "--iterations",
        "1500", "--every", "500"}));
    List<String> csv = Files.readAllLines(out.resolve("curves.csv"));
    // 2 noise levels x 2 losses x 4 records (0, 500, 1000, 1500) x 3 starts, plus the header.
    assertEquals(1 + 2 * 2 * 4 * 3, csv.size());
    for (String f : new String[] {"train-sigma0.0.png", "test-sigma0.1.png",
        "distance-sigma0.0.png"}) {
      assertTrue(Files.size(out.resolve(f)) > 1000, f);
    }
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("PASS without noise, GD on L_r recovers w*"), report);
  }

  @Test
  void fileDataAreFittedAndNegativeLabelsAreADataErrorWithNoOutput() throws IOException {
    Path good = tmp.resolve("good.csv");
    Files.writeString(good, "1.0,1.0,0.0\n0.0,-1.0,0.5\n2.0,2.0,0.1\n0.5,0.5,-0.3\n");
    Path out = tmp.resolve("file");
    assertEquals(0, RelaxedNeuronJob.run(new String[] {"--out", out.toString(), "--train",
        good.toString(), "--starts", "2", "--iterations", "200", "--every", "100"}));
    assertTrue(Files.exists(out.resolve("train-data.png")));
    assertTrue(Files.readString(out.resolve("report.md")).contains("| L_r |"));
    Path bad = tmp.resolve("bad.csv");
    Files.writeString(bad, "1.0,1.0,0.0\n-0.5,-1.0,0.5\n");
    Path refused = tmp.resolve("refused");
    assertEquals(3, RelaxedNeuronJob.run(new String[] {"--out", refused.toString(), "--train",
        bad.toString()}));
    assertFalse(Files.exists(refused));
  }

  @Test
  void negativeNoiseIsAUsageErrorWithNoOutput() {
    Path out = tmp.resolve("bad");
    assertEquals(2, RelaxedNeuronJob.run(new String[] {"--out", out.toString(), "--sigmas",
        "0,-1"}));
    assertFalse(Files.exists(out));
  }
}
