package io.cvxrelu.job;

import io.cvxrelu.cnn.relaxation.PhaseTransitionCell;
import io.cvxrelu.report.PhaseTransitionReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/phase-transition.sh}: Bartan and Pilanci's Fig. 1. For every k, f and n/f of the
 * grid, a planted Gaussian instance is attacked by the LP (9) with T random directions and by
 * gradient descent from R random starts (one Spark task per cell); writes {@code cells.csv},
 * six heat maps and {@code report.md} to the output folder, atomically. {@code --quick} takes
 * the small grid of {@link #QUICK} (minutes on two cores, run in CI) unless an option
 * overrides it.
 */
public final class PhaseTransitionJob {
  private static final Logger LOG = LogManager.getLogger(PhaseTransitionJob.class);

  /** The quick grid: the options it sets when --quick is given and they are not. */
  static final Map<String, String> QUICK = Map.of("blocks", "1,2,5", "filters", "10",
      "ratios", "2,4,8", "draws", "30", "starts", "30", "gd-iterations", "500");

  private PhaseTransitionJob() {}

  static JobOptions options() {
    JobOptions opts = new JobOptions(
        "Usage: phase-transition.sh --out DIR [--quick] [options]\n"
        + "Reproduces Fig. 1 of Bartan and Pilanci: recovery of a planted filter by the LP (9)\n"
        + "with T random directions against gradient descent from R random starts, over a grid\n"
        + "of k, f and n/f; writes cells.csv, heat maps and report.md to DIR.")
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .flag("quick", "the small grid (k 1,2,5; f 10; n/f 2,4,8; T = R = 30)")
        .option("blocks", "1,2,5", "numbers of patches k")
        .option("filters", "10,20,40", "filter sizes f")
        .option("ratios", "1,2,4,8,16", "n / f")
        .option("draws", "100", "T directions of the LP per cell")
        .option("starts", "100", "R random starts of gradient descent per cell")
        .option("gd-iterations", "1000", "maximum gradient steps per start")
        .option("seed", "0", "seed of the instances, directions and starts");
    return JobContext.declareMaster(opts);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("phase-transition", options(), args,
        opts -> execute(opts, String.join(" ", args)));
  }

  private static void execute(JobOptions opts, String args) {
    String out = opts.require("out");
    boolean quick = opts.flagSet("quick");
    int[] blocks = opts.positiveIntList(pick(opts, quick, "blocks"));
    int[] filters = opts.positiveIntList(pick(opts, quick, "filters"));
    int[] ratios = opts.positiveIntList(pick(opts, quick, "ratios"));
    int draws = (int) Math.min(100_000, opts.positiveLong(pick(opts, quick, "draws")));
    int starts = (int) Math.min(100_000, opts.positiveLong(pick(opts, quick, "starts")));
    int iterations = (int) Math.min(1_000_000, opts.positiveLong(pick(opts, quick,
        "gd-iterations")));
    long seed = opts.anyLong("seed");
    boolean overwrite = opts.flagSet("overwrite");
    List<PhaseTransitionCell.Spec> specs = new ArrayList<>();
    for (int k : blocks) {
      for (int f : filters) {
        for (int ratio : ratios) {
          long cellSeed = seed * 1_000_003L + 10_007L * k + 101L * f + ratio;
          specs.add(new PhaseTransitionCell.Spec(k, f, ratio, draws, starts, iterations,
              cellSeed));
        }
      }
    }
    try (JobContext job = JobContext.open("phase-transition", opts)) {
      job.io().checkOutput(out, overwrite);
      LOG.info("phase transition: {} cells, T={} R={}", specs.size(), draws, starts);
      job.describe("cvxrelu: " + specs.size() + " phase-transition cells");
      long start = System.nanoTime();
      List<PhaseTransitionCell.Result> cells = CnnTasks.cells(job.spark(), specs);
      double seconds = (System.nanoTime() - start) * 1e-9;
      Map<String, String> files = new LinkedHashMap<>();
      files.put("cells.csv", PhaseTransitionReport.csv(cells));
      files.put("report.md", PhaseTransitionReport.markdown(cells,
          "jobs/phase-transition.sh " + args, seconds));
      job.io().writeAtomically(out, files, PhaseTransitionReport.plots(cells), overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  /**
   * The option's name, after putting the quick grid's value in place when --quick is set and
   * the option was not given (on the command line or in --conf).
   */
  private static String pick(JobOptions opts, boolean quick, String name) {
    if (quick && opts.get(name).equals(options().get(name))) {
      opts.parse(new String[] {"--" + name, QUICK.get(name)});
    }
    return name;
  }
}
