package io.cvxrelu.bench;

import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.io.Cifar10Reader;
import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.ImageSet;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.sgd.EpochRecord;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.SgdResult;
import io.cvxrelu.sgd.SgdTrainer;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.SolverChoice;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Why the gated convex model's test accuracy on CIFAR-10 airplane vs automobile sits below
 * SGD's: small experiments on a training subsample (README, "CIFAR-10 airplane vs
 * automobile"). Trains on the first n training images, validates on the next n (training rows,
 * never the test set), tests on test_batch; the convex program (gated, or gated and ReLU with
 * {@code relu}) over P gates of one law, then SGD (m = 100, momentum 0.9, lr 1e-3, batch 100)
 * from 5 initialisations at the same beta, printing objective and accuracies at epochs 30,
 * 100, 300 and the last.
 *
 * <p>Run from the repository root (it builds the bench source set when needed):
 *
 * <pre>
 * jobs/bench.sh --main CifarGatedStudy \
 *   ../shared/data/cifar-10-batches-bin N LAW P BETA_FRAC SECONDS EPOCHS [PCA_K] [relu]
 * </pre>
 *
 * <p>A second mode chooses the approximate program's hyperparameters on validation rows only:
 *
 * <pre>
 * jobs/bench.sh --main CifarGatedStudy DIR validate N N_VAL P FRACS INITS [LOSS] [LR] [CLASSES]
 * </pre>
 *
 * trains on the first N training images, validates on the next N_VAL, and for each beta
 * fraction in the comma-separated FRACS (largest first: each solve starts from the previous
 * one) prints the certified gated optimum over P Gaussian gates and its train and validation
 * accuracy, then the validation accuracy of INITS SGD runs at the same beta (squared loss and
 * lr 1e-3 unless LOSS and LR say otherwise; airplane,automobile unless CLASSES names another
 * pair). It never reads test_batch.
 *
 * LAW: {@code gaussian} (the jobs' g ~ N(0, I) over the standardised features and the bias
 * coordinate), {@code difference} (g = x_a - x_b of two random training rows, bias coordinate
 * 0: a hyperplane through the data mean orthogonal to a data direction) or {@code bisector}
 * (the perpendicular bisector of x_a and x_b, offset by the bias coordinate). PCA_K 0 keeps the
 * 3072 pixels.
 */
public final class CifarGatedStudy {
  private CifarGatedStudy() {}

  public static void main(String[] a) throws IOException {
    if (a.length > 1 && a[1].equals("validate")) {
      validate(a);
      return;
    }
    Path dir = Path.of(a[0]);
    int n = Integer.parseInt(a[1]);
    String law = a[2];
    int p = Integer.parseInt(a[3]);
    double frac = Double.parseDouble(a[4]);
    double seconds = Double.parseDouble(a[5]);
    int epochs = Integer.parseInt(a[6]);
    int pca = a.length > 7 ? Integer.parseInt(a[7]) : 0;
    boolean relu = a.length > 8 && a[8].equals("relu");

    LabeledData all = readTraining(dir, CLASSES);
    LabeledData test = read(List.of(dir.resolve("test_batch.bin")), CLASSES);
    DenseMatrix rawTrain = rows(all.x(), 0, n);
    double[] y = Arrays.copyOfRange(all.y(), 0, n);
    DenseMatrix rawValidation = rows(all.x(), n, n);
    double[] yValidation = Arrays.copyOfRange(all.y(), n, 2 * n);
    FeatureTransform t = FeatureTransform.fit(rawTrain, true, pca > 0
        ? FeatureTransform.Reduction.PCA : FeatureTransform.Reduction.NONE, pca, 0);
    DenseMatrix x = t.apply(rawTrain).withOnesColumn();
    DenseMatrix xValidation = t.apply(rawValidation).withOnesColumn();
    DenseMatrix xTest = t.apply(test.x()).withOnesColumn();

    SignPatterns patterns = law.equals("gaussian") ? ProblemSetup.sampled(x, p, 0)
        : SignPatterns.fromGates(x, dataGates(x, p, law, new SplittableRandom(0)));
    describe(law, x, patterns);
    Loss loss = new SquaredLoss();
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
    double beta = frac * betaMax;
    for (Formulation f : relu ? new Formulation[] {Formulation.GATED, Formulation.RELU}
        : new Formulation[] {Formulation.GATED}) {
      ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, beta, f);
      SolverResult r = SolverChoice.local(problem).solve(problem, null,
          new SolverOptions(1e-4, 1e-9, 1_000_000, seconds), IterationListener.NONE);
      ConvexReluModel m = new ConvexReluModel(f, "squared", beta, true, patterns.gates(),
          r.weights());
      System.out.printf(Locale.ROOT, "convex %s: n=%d d=%d P=%d beta=%.4g (%.0e beta_max) "
          + "objective %.6g gap %.2e %s %.0f s; train %.4f validation %.4f test %.4f%n", f.id(),
          n, x.cols(), patterns.count(), beta, frac, r.certificate().objective(),
          r.certificate().relativeGap(), r.stopReason(), r.seconds(),
          Metrics.accuracy(m.predictDesign(x), y),
          Metrics.accuracy(m.predictDesign(xValidation), yValidation),
          Metrics.accuracy(m.predictDesign(xTest), test.y()));
    }
    SgdTrainer sgd = SgdTrainer.forDesign(x, y, xTest, test.y(), loss, beta);
    double[] finalTest = new double[5];
    for (int k = 0; k < 5; k++) {
      SgdResult r = sgd.train(new SgdOptions(100, epochs, 100, 1e-3, Optimizer.SGD, 0.9, k),
          e -> { });
      StringBuilder sb = new StringBuilder("SGD init " + k + ":");
      for (EpochRecord e : r.history()) {
        if (e.epoch() == 30 || e.epoch() == 100 || e.epoch() == 300 || e.epoch() == epochs) {
          sb.append(String.format(Locale.ROOT, " [epoch %d objective %.1f train %.4f test %.4f]",
              e.epoch(), e.objective(), e.trainAccuracy(), e.testAccuracy()));
        }
      }
      sb.append(String.format(Locale.ROOT, " validation %.4f",
          Metrics.accuracy(r.network().predict(xValidation), yValidation)));
      finalTest[k] = r.last().testAccuracy();
      System.out.println(sb);
    }
    Arrays.sort(finalTest);
    System.out.printf(Locale.ROOT, "SGD median test accuracy %.4f%n", finalTest[2]);
  }

  /** The {@code validate} mode (class comment): beta fractions and P chosen on held-out rows. */
  private static void validate(String[] a) throws IOException {
    Path dir = Path.of(a[0]);
    int n = Integer.parseInt(a[2]);
    int nv = Integer.parseInt(a[3]);
    int p = Integer.parseInt(a[4]);
    String[] fracs = a[5].split(",");
    int inits = Integer.parseInt(a[6]);
    Loss loss = a.length > 7 ? Loss.forName(a[7]) : new SquaredLoss();
    double lr = a.length > 8 ? Double.parseDouble(a[8]) : 1e-3;
    LabeledData all = readTraining(dir, a.length > 9
        ? ClassSelection.parse(a[9], Cifar10Reader.CLASS_NAMES) : CLASSES);
    DenseMatrix rawTrain = rows(all.x(), 0, n);
    double[] y = Arrays.copyOfRange(all.y(), 0, n);
    double[] yValidation = Arrays.copyOfRange(all.y(), n, n + nv);
    FeatureTransform t = FeatureTransform.fit(rawTrain, true, FeatureTransform.Reduction.NONE,
        0, 0);
    DenseMatrix x = t.apply(rawTrain).withOnesColumn();
    DenseMatrix xValidation = t.apply(rows(all.x(), n, nv)).withOnesColumn();
    SignPatterns patterns = ProblemSetup.sampled(x, p, 0);
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
    DenseMatrix warm = null;
    for (String f : fracs) {
      double frac = Double.parseDouble(f);
      double beta = frac * betaMax;
      ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, beta,
          Formulation.GATED);
      SolverResult r = SolverChoice.local(problem).solve(problem, warm,
          new SolverOptions(1e-4, 1e-9, 1_000_000, 1800), IterationListener.NONE);
      warm = r.weights();
      ConvexReluModel m = new ConvexReluModel(Formulation.GATED, loss.name(), beta, true,
          patterns.gates(), r.weights());
      System.out.printf(Locale.ROOT, "beta %.4g beta_max, P = %d: convex objective %.6g gap "
          + "%.2e %.0f s; train %.4f validation %.4f%n", frac, patterns.count(),
          r.certificate().objective(), r.certificate().relativeGap(), r.seconds(),
          Metrics.accuracy(m.predictDesign(x), y),
          Metrics.accuracy(m.predictDesign(xValidation), yValidation));
      SgdTrainer sgd = SgdTrainer.forDesign(x, y, xValidation, yValidation, loss, beta);
      double[] v = new double[inits];
      for (int k = 0; k < inits; k++) {
        SgdResult s = sgd.train(new SgdOptions(100, 30, 100, lr, Optimizer.SGD, 0.9, k),
            e -> { });
        v[k] = s.last().testAccuracy();
        System.out.printf(Locale.ROOT, "  SGD init %d: objective %.1f train %.4f validation "
            + "%.4f%n", k, s.last().objective(), s.last().trainAccuracy(), v[k]);
      }
      Arrays.sort(v);
      System.out.printf(Locale.ROOT, "  SGD median validation %.4f%n", v[inits / 2]);
    }
  }

  private static final ClassSelection CLASSES = ClassSelection.parse("airplane,automobile",
      Cifar10Reader.CLASS_NAMES);

  /** The images of the two classes in data_batch_1..5, in file order. */
  private static LabeledData readTraining(Path dir, ClassSelection classes) throws IOException {
    List<Path> batches = new ArrayList<>();
    for (int k = 1; k <= 5; k++) {
      batches.add(dir.resolve("data_batch_" + k + ".bin"));
    }
    return read(batches, classes);
  }

  private static LabeledData read(List<Path> files, ClassSelection classes) throws IOException {
    ImageSet set = new ImageSet(classes, Cifar10Reader.IMAGE_BYTES);
    for (Path f : files) {
      try (InputStream s = new BufferedInputStream(Files.newInputStream(f))) {
        Cifar10Reader.read(s, Files.size(f), f.toString(), set);
      }
    }
    return set.toLabeledData(files.get(0).toString());
  }

  /** Rows from..from+count-1 of a column-major matrix. */
  private static DenseMatrix rows(DenseMatrix x, int from, int count) {
    DenseMatrix r = new DenseMatrix(count, x.cols());
    for (int j = 0; j < x.cols(); j++) {
      System.arraycopy(x.data(), j * x.rows() + from, r.data(), j * count, count);
    }
    return r;
  }

  /** Gates built from pairs of training rows (the last column of x is the bias). */
  private static DenseMatrix dataGates(DenseMatrix x, int p, String law, SplittableRandom rng) {
    int n = x.rows();
    int d = x.cols();
    DenseMatrix g = new DenseMatrix(d, p);
    for (int j = 0; j < p; j++) {
      int ia = rng.nextInt(n);
      int ib = rng.nextInt(n);
      double offset = 0.0;
      for (int k = 0; k < d - 1; k++) {
        double diff = x.get(ia, k) - x.get(ib, k);
        g.set(k, j, diff);
        offset += diff * 0.5 * (x.get(ia, k) + x.get(ib, k));
      }
      switch (law) {
        case "difference" -> g.set(d - 1, j, 0.0);
        case "bisector" -> g.set(d - 1, j, -offset);
        default -> throw new IllegalArgumentException("unknown gate law " + law);
      }
    }
    return g;
  }

  /** How the patterns split the rows: the fraction of rows each pattern activates. */
  private static void describe(String law, DenseMatrix x, SignPatterns patterns) {
    int n = x.rows();
    byte[] mask = SignPatterns.computeMask(x, patterns.gates());
    double[] active = new double[patterns.count()];
    for (int j = 0; j < active.length; j++) {
      int c = 0;
      for (int i = 0; i < n; i++) {
        c += mask[j * n + i];
      }
      active[j] = (double) c / n;
    }
    Arrays.sort(active);
    System.out.printf(Locale.ROOT, "gates %s, P = %d: active fraction min %.3f median %.3f "
        + "max %.3f%n", law, active.length, active[0], active[active.length / 2],
        active[active.length - 1]);
  }
}
