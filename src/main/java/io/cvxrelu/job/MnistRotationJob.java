package io.cvxrelu.job;

import io.cvxrelu.cnn.relaxation.Amplification;
import io.cvxrelu.cnn.relaxation.PatchDesign;
import io.cvxrelu.cnn.relaxation.RotatedDigits;
import io.cvxrelu.cnn.relaxation.RotationRegression;
import io.cvxrelu.report.RotationReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/mnist-rotation.sh}: the analogue of Bartan and Pilanci's Table 1. MNIST digits
 * are rotated by random angles (the label, shifted to be &gt;= 0), a CNN filter is learned on
 * non-overlapping patches by the randomized relaxation (draws as Spark tasks), and ridge
 * regression on the pixels is compared with ridge on the pixels plus the filter's features.
 * Writes {@code results.csv}, {@code filter.png}, {@code summary.json} and {@code report.md}.
 */
public final class MnistRotationJob {
  private static final Logger LOG = LogManager.getLogger(MnistRotationJob.class);
  private static final int SIDE = 28;

  private MnistRotationJob() {}

  static JobOptions options() {
    return JobContext.declareMaster(new JobOptions(
        "Usage: mnist-rotation.sh --data DIR --out DIR [options]\n"
        + "Rotation regression on MNIST (Bartan and Pilanci, Table 1): ridge on pixels against\n"
        + "ridge on pixels plus the features of a filter learned by the CNN relaxation.")
        .option("data", "../shared/data/mnist-10k", "folder with mnist-10k-images-idx3-ubyte.gz")
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("train-size", "5000", "training images (the first ones)")
        .option("test-size", "5000", "test images (the next ones)")
        .option("patch", "7", "patch side p (k = (28/p)^2, f = p^2)")
        .option("max-angle", "45", "angles uniform in [-A, A] degrees; label = angle + A")
        .option("beta", "0", "0 for the LP (9), else the QP (8)")
        .option("draws", "8", "T random directions")
        .option("seed", "0", "seed of the angles and the directions"));
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("mnist-rotation", options(), args,
        opts -> execute(opts, String.join(" ", args)));
  }

  private static void execute(JobOptions opts, String args) {
    String out = opts.require("out");
    int nTrain = (int) Math.min(100_000, opts.positiveLong("train-size"));
    int nTest = (int) Math.min(100_000, opts.positiveLong("test-size"));
    int patch = (int) Math.min(SIDE, opts.positiveLong("patch"));
    if (SIDE % patch != 0) {
      throw new UsageException("--patch must divide 28, got " + patch);
    }
    double maxAngle = opts.positiveDouble("max-angle");
    double beta = Double.parseDouble(opts.require("beta"));
    if (!(beta >= 0.0)) {
      throw new UsageException("--beta must be >= 0, got " + beta);
    }
    int draws = (int) Math.min(10_000, opts.positiveLong("draws"));
    long seed = opts.anyLong("seed");
    boolean overwrite = opts.flagSet("overwrite");
    Path images = Path.of(opts.require("data"), "mnist-10k-images-idx3-ubyte.gz");
    double[][] all = read(images, nTrain + nTest);
    RotatedDigits.Rotated rot = RotatedDigits.rotate(all, SIDE, maxAngle, seed);
    double[][] trainImages = Arrays.copyOfRange(rot.images(), 0, nTrain);
    double[][] testImages = Arrays.copyOfRange(rot.images(), nTrain, nTrain + nTest);
    double[] yTrain = Arrays.copyOfRange(rot.labels(), 0, nTrain);
    double[] yTest = Arrays.copyOfRange(rot.labels(), nTrain, nTrain + nTest);
    double[] centre = RotatedDigits.pixelMeans(trainImages);
    int k = (SIDE / patch) * (SIDE / patch);
    PatchDesign train = new PatchDesign(RotatedDigits.patches(trainImages, SIDE, patch, centre),
        k);
    PatchDesign test = new PatchDesign(RotatedDigits.patches(testImages, SIDE, patch, centre), k);
    try (JobContext job = JobContext.open("mnist-rotation", opts)) {
      job.io().checkOutput(out, overwrite);
      List<Integer> indices = new ArrayList<>();
      for (int t = 0; t < draws; t++) {
        indices.add(t);
      }
      job.describe("cvxrelu: " + draws + " draws of the relaxation");
      long start = System.nanoTime();
      List<Amplification.Draw> results = CnnTasks.draws(job.spark(), train, yTrain, beta, seed,
          indices);
      double solveSeconds = (System.nanoTime() - start) * 1e-9;
      Amplification.Draw best = Amplification.best(results);
      if (best == null) {
        throw new IllegalStateException("no draw gave a filter (all unbounded or unsolved)");
      }
      LOG.info("best draw {} of {}: train loss {}", best.index(), draws, best.trainLoss());
      RotationRegression.Comparison cmp = RotationRegression.compare(
          RotationRegression.matrix(trainImages), train, yTrain,
          RotationRegression.matrix(testImages), test, yTest, best.result().filter());
      RotationReport.Settings settings = new RotationReport.Settings(nTrain, nTest, patch, k,
          maxAngle, beta, draws, seed, "jobs/mnist-rotation.sh " + args, solveSeconds);
      Map<String, String> files = new LinkedHashMap<>();
      files.put("results.csv", RotationReport.csv(cmp));
      files.put("summary.json", RotationReport.json(settings, cmp, results, best));
      files.put("report.md", RotationReport.markdown(settings, cmp, results, best));
      job.io().writeAtomically(out, files, Map.of("filter.png", RotationReport.filterPng(
          best.result().filter(), patch)), overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  private static double[][] read(Path images, int count) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(images))) {
      double[][] all = RotatedDigits.readIdxImages(in, count);
      if (all.length < count) {
        throw new UsageException(images + " holds " + all.length + " images, fewer than the "
            + count + " asked for");
      }
      return all;
    } catch (IOException e) {
      throw new io.cvxrelu.io.DataFormatException("cannot read " + images + ": "
          + e.getMessage());
    }
  }
}
