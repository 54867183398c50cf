package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.theory.SpikeFreeCheck;
import io.cvxrelu.theory.SpikeFreeCheck.Verdict;
import io.cvxrelu.train.ProblemSetup;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code jobs/diagnose.sh}: diagnostics of a data set from the seeds' theory. With
 * {@code --check spike-free} it prints whether the training features X are spike-free (Ergen
 * and Pilanci, section 2.3) with its evidence ({@link SpikeFreeCheck}): an exact verdict when
 * rank X = n, otherwise the randomised falsifier's, which is "not-shown-spike-free" when it
 * finds no counterexample. {@code --exact} refuses rank-deficient data instead (a data error,
 * exit 3). {@code --out DIR} also writes {@code verdict.json} and {@code report.md} atomically.
 */
public final class DiagnoseJob {
  private DiagnoseJob() {}

  static JobOptions options() {
    JobOptions opts = DataLoader.declareOptions(new JobOptions(
        "Usage: diagnose.sh --train PATH --check spike-free [options]\n"
        + "Prints a diagnostic of the training features with its evidence: spike-free\n"
        + "(exact when rank X = n, else a randomised falsifier that never claims it)."))
        .option("check", "spike-free", "the diagnostic: spike-free")
        .flag("exact", "demand the exact test (rank X = n); rank-deficient data are an error")
        .option("directions", "10000", "directions the falsifier tries when rank X < n")
        .flag("bias", "append a column of ones to the features before the check")
        .option("seed", "0", "seeds the falsifier's directions (and any random projection)")
        .option("out", null, "also write verdict.json and report.md to this folder (atomically)")
        .flag("overwrite", "replace an existing output folder");
    return JobContext.declareMaster(opts);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("diagnose", options(), args, DiagnoseJob::execute);
  }

  private static void execute(JobOptions opts) {
    opts.require("train");
    if (!opts.get("check").equals("spike-free")) {
      throw new UsageException("--check must be spike-free, got '" + opts.get("check") + "'");
    }
    int directions = (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("directions"));
    long seed = opts.anyLong("seed");
    boolean exact = opts.flagSet("exact");
    String out = opts.get("out");
    boolean overwrite = opts.flagSet("overwrite");
    try (JobContext job = JobContext.open("diagnose", opts)) {
      if (out != null) {
        job.io().checkOutput(out, overwrite);
      }
      job.describe("cvxrelu: read data");
      DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
      DenseMatrix x = ProblemSetup.design(data.train().x(), opts.flagSet("bias"));
      Verdict v;
      try {
        v = exact ? SpikeFreeCheck.exact(x) : SpikeFreeCheck.check(x, directions, seed);
      } catch (IllegalArgumentException e) {
        throw new DataFormatException(e.getMessage());
      }
      String line = "spike-free check: " + v.outcome().words() + " ("
          + (v.exact() ? "exact" : "randomised falsifier") + ")";
      System.out.println(line);
      System.out.println("evidence: " + v.evidence());
      if (out != null) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("verdict.json", json(v, data.description()));
        files.put("report.md", "# Spike-free check\n\nData: " + data.description() + " (n = "
            + v.n() + ", d = " + v.d() + ", rank " + v.rank() + ")\n\n" + line + "\n\n"
            + "Evidence: " + v.evidence() + "\n");
        job.io().writeAtomically(out, files, overwrite);
      }
    }
  }

  private static String json(Verdict v, String data) {
    ObjectNode s = SummaryJson.object();
    s.put("check", "spike-free");
    s.put("outcome", v.outcome().words());
    s.put("exact", v.exact());
    s.put("n", v.n());
    s.put("d", v.d());
    s.put("rank", v.rank());
    s.put("statistic", v.statistic());
    s.put("directions", v.directions());
    if (v.witness() != null) {
      var w = s.putArray("witness");
      for (double c : v.witness()) {
        w.add(c);
      }
    }
    s.put("evidence", v.evidence());
    s.put("data", data);
    return SummaryJson.write(s);
  }
}
