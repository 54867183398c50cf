package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jobs/gap-width.sh end to end on a small 1-D task (no Spark), and its refusals. */
class GapWidthJobTest {
  @TempDir
  Path tmp;

  @Test
  void writesTheTableThePlotsAndAReportWhoseChecksPass() throws IOException {
    Path out = tmp.resolve("out");
    int code = GapWidthJob.run(new String[] {"--out", out.toString(), "--n", "12", "--seed",
        "1", "--beta-frac", "0.05", "--inits", "3", "--epochs", "300", "--batch-size", "12",
        "--lr", "0.01", "--optimizer", "adam"});
    assertEquals(0, code);
    for (String f : new String[] {"report.md", "gap-width.csv", "runs.csv", "gap-width.png",
        "objective-width.png"}) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("PASS no SGD run is below the certificate's lower bound"),
        report);
    assertTrue(report.contains("PASS network recovery"), report);
    List<String> widths = Files.readAllLines(out.resolve("gap-width.csv"));
    List<String> runs = Files.readAllLines(out.resolve("runs.csv"));
    assertEquals(3 * (widths.size() - 1), runs.size() - 1);
    // Rows 1 .. 4 m*: the last width is a multiple of 4.
    String last = widths.get(widths.size() - 1);
    assertEquals(0, Integer.parseInt(last.substring(0, last.indexOf(','))) % 4);
  }

  @Test
  void badInputIsAOneLineErrorWithoutOutput() throws IOException {
    Path out = tmp.resolve("refused");
    assertEquals(2, GapWidthJob.run(new String[] {"--out", out.toString(), "--widths", "0,3"}));
    assertEquals(2, GapWidthJob.run(new String[] {"--out", out.toString(), "--beta-frac",
        "-1"}));
    // An arrangement too large to enumerate: 60 Gaussian rows in 12 dimensions.
    SplittableRandom r = new SplittableRandom(2);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sb.append(r.nextGaussian());
      for (int k = 0; k < 12; k++) {
        sb.append(',').append(r.nextGaussian());
      }
      sb.append('\n');
    }
    Path data = tmp.resolve("wide.csv");
    Files.writeString(data, sb.toString());
    assertEquals(3, GapWidthJob.run(new String[] {"--out", out.toString(), "--train",
        data.toString()}));
    assertFalse(Files.exists(out));
  }
}
