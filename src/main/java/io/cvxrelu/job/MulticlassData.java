package io.cvxrelu.job;

import io.cvxrelu.io.Cifar10Reader;
import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.IdxReader;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.multiclass.ClassList;
import io.cvxrelu.multiclass.MulticlassTargets;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The c-class image data of the multi-class jobs (train-multiclass, and compare with more
 * than two classes): CIFAR-10 or an IDX set read class pair by class pair and put back in file
 * order ({@link ClassList#assemble}), split and cut as the options say, then standardised on
 * the training rows, optionally reduced by PCA, with a bias column appended.
 *
 * <p>Options read: {@code --format}, {@code --classes}, {@code --test}, {@code --split},
 * {@code --train-size} and {@code --test-size} (the job declares them).
 */
final class MulticlassData {
  private MulticlassData() {}

  /** The two data sets with their classes, before preprocessing. */
  record Split(ClassList classes, ClassList.Rows train, ClassList.Rows test,
      String description) {}

  /**
   * The designs the programs see: n x (d + 1) training and test features (bias last), the
   * one-hot training targets, and the preprocessing fitted on the training rows.
   */
  record Design(DenseMatrix x, DenseMatrix xTest, DenseMatrix y, FeatureTransform transform) {}

  /** Standardises on the training rows, reduces by PCA to {@code reduce} (0: none), adds bias. */
  static Design design(Split data, int reduce, long seed) {
    FeatureTransform transform = parse(() -> FeatureTransform.fit(data.train().x(), true,
        reduce > 0 ? FeatureTransform.Reduction.PCA : FeatureTransform.Reduction.NONE, reduce,
        seed));
    return new Design(transform.apply(data.train().x()).withOnesColumn(),
        transform.apply(data.test().x()).withOnesColumn(),
        MulticlassTargets.oneHot(data.train().classes(), data.classes().count()), transform);
  }

  /** Reads the data the options name. */
  static Split read(HadoopIo io, JobOptions opts, String trainPath) {
    String format = opts.require("format").toLowerCase(Locale.ROOT);
    if (format.equals("auto")) {
      format = io.isDirectory(trainPath) ? "cifar10" : "idx";
    }
    int trainSize = (int) nonNegative(opts, "train-size");
    int testSize = (int) nonNegative(opts, "test-size");
    switch (format) {
      case "cifar10":
        return readCifar(io, opts, trainPath, trainSize, testSize);
      case "idx":
        return readIdx(io, opts, trainPath, trainSize, testSize);
      default:
        throw new UsageException("--format must be auto, cifar10 or idx for c classes, got '"
            + format + "'");
    }
  }

  private static Split readCifar(HadoopIo io, JobOptions opts, String trainPath, int trainSize,
      int testSize) {
    ClassList classes = parse(() -> ClassList.parse(opts.get("classes"),
        Cifar10Reader.CLASS_NAMES));
    List<String> trainFiles = io.listFiles(trainPath, Cifar10Reader.TRAIN_PATTERN);
    if (trainFiles.isEmpty()) {
      throw new DataFormatException("no data_batch_N.bin in " + trainPath);
    }
    String test = opts.get("test");
    String testFile = test == null ? HadoopIo.child(trainPath, Cifar10Reader.TEST_FILE)
        : io.isDirectory(test) ? HadoopIo.child(test, Cifar10Reader.TEST_FILE) : test;
    int c = classes.count();
    ClassList.Rows train = classes.assemble(cifar(io, trainFiles, "training data"), null,
        trainSize > 0 ? (trainSize + c - 1) / c : Integer.MAX_VALUE);
    ClassList.Rows testRows = classes.assemble(cifar(io, List.of(testFile), "test data"), null,
        testSize > 0 ? (testSize + c - 1) / c : Integer.MAX_VALUE);
    return new Split(classes, train, testRows, "CIFAR-10 " + c + " classes");
  }

  private static Function<ClassSelection, LabeledData> cifar(HadoopIo io, List<String> files,
      String what) {
    return sel -> DataLoader.readCifar(io, files, sel, what);
  }

  private static Split readIdx(HadoopIo io, JobOptions opts, String images, int trainSize,
      int testSize) {
    List<String> names = images.toLowerCase(Locale.ROOT).contains("fashion")
        ? IdxReader.FASHION_CLASS_NAMES
        : List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    ClassList classes = parse(() -> ClassList.parse(opts.get("classes"), names));
    ClassList.Rows train = idx(io, images, classes, "training data");
    ClassList.Rows test;
    String testPath = opts.get("test");
    if (testPath != null) {
      test = idx(io, testPath, classes, "test data");
    } else {
      int split = (int) nonNegative(opts, "split");
      int k = split > 0 ? split : train.classes().length / 2;
      if (k >= train.classes().length) {
        throw new UsageException("--split " + k + " leaves no test rows of the "
            + train.classes().length + " selected");
      }
      test = rows(train, k, train.classes().length);
      train = rows(train, 0, k);
    }
    if (trainSize > 0) {
      train = rows(train, 0, Math.min(trainSize, train.classes().length));
    }
    if (testSize > 0) {
      test = rows(test, 0, Math.min(testSize, test.classes().length));
    }
    return new Split(classes, train, test, "IDX " + images + ", " + classes.count()
        + " classes");
  }

  /** The rows of an IDX images file of the selected classes, in file order. */
  private static ClassList.Rows idx(HadoopIo io, String images, ClassList classes,
      String what) {
    Function<ClassSelection, LabeledData> pair = sel -> DataLoader.readIdx(io, images, sel,
        what);
    if (!images.contains("images-idx3")) {
      throw new DataFormatException(what + " " + images + ": an IDX images file name contains "
          + "'images-idx3' (its labels file has 'labels-idx1' instead)");
    }
    // The pairs come back in file order within each pair; the labels put them together again.
    String labelsFile = images.replace("images-idx3", "labels-idx1");
    byte[] labels;
    try (InputStream s = io.openBinary(labelsFile, what + " labels").stream()) {
      labels = IdxReader.readLabels(s, labelsFile);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + labelsFile + ": " + e.getMessage());
    }
    return classes.assemble(pair, labels, Integer.MAX_VALUE);
  }

  private static ClassList.Rows rows(ClassList.Rows all, int from, int to) {
    List<double[]> kept = new ArrayList<>();
    for (int r = from; r < to; r++) {
      kept.add(all.x().row(r));
    }
    return new ClassList.Rows(DenseMatrix.fromRows(kept.toArray(new double[0][]),
        all.x().cols()), Arrays.copyOfRange(all.classes(), from, to));
  }

  static long nonNegative(JobOptions opts, String name) {
    long v = opts.anyLong(name);
    if (v < 0) {
      throw new UsageException("--" + name + " must be 0 or positive, got " + v);
    }
    return v;
  }

  /** Turns the one-line IllegalArgumentException of a parser into a usage error (exit 2). */
  static <T> T parse(Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
