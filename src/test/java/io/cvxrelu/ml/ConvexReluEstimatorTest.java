package io.cvxrelu.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cvxrelu.io.ModelJson;
import io.cvxrelu.job.TrainConvexJob;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.testutil.SparkTestSession;
import io.cvxrelu.train.SolverChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark ML estimators in a Pipeline after VectorAssembler: fit, save, load, predict. */
class ConvexReluEstimatorTest {
  private static SparkSession spark;
  private static final String[] FEATURES = {"x1", "x2", "x3", "x4", "x5"};

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

  /** The label-first sample CSV with named columns: label, x1..x5. */
  private static Dataset<Row> sample(String file) {
    return spark.read().option("inferSchema", "true").csv(file)
        .toDF("label", "x1", "x2", "x3", "x4", "x5");
  }

  private static Pipeline pipeline(PipelineStage estimator) {
    return new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(FEATURES).setOutputCol("features"), estimator});
  }

  private static double[] column(Dataset<Row> df, String col) {
    return df.select(col).collectAsList().stream().mapToDouble(r -> r.getDouble(0)).toArray();
  }

  private static List<Vector> vectors(Dataset<Row> df, String col) {
    List<Vector> out = new ArrayList<>();
    for (Row r : df.select(col).collectAsList()) {
      out.add((Vector) r.get(0));
    }
    return out;
  }

  @Test
  void regressionPipelineSavesLoadsPredictsIdenticallyAndMatchesTheJob() throws IOException {
    Dataset<Row> train = sample("data-samples/planted_n300_d5.csv");
    Dataset<Row> test = sample("data-samples/planted_n300_d5_test.csv");
    ConvexReluRegressor est = new ConvexReluRegressor().setFormulation("gated").setPatterns(20)
        .setSeed(3);
    PipelineModel fitted = pipeline(est).fit(train);
    ConvexReluRegressionModel model = (ConvexReluRegressionModel) fitted.stages()[1];
    TrainingSummary s = model.summary();
    assertEquals("CONVERGED", s.stopReason());
    assertTrue(s.relativeGap() <= 1e-6, s.toString());
    assertTrue(s.certified(), s.toString());
    assertEquals("certified", s.certification());
    assertEquals(300, s.n());
    assertEquals(5, model.numFeatures());

    Dataset<Row> predicted = fitted.transform(test);
    double[] before = column(predicted, "prediction");
    assertEquals(200, before.length);

    String path = tmp.resolve("regression-pipeline").toString();
    fitted.write().save(path);
    assertTrue(Files.exists(Path.of(path, "stages")), "pipeline layout");
    PipelineModel loaded = PipelineModel.load(path);
    double[] after = column(loaded.transform(test), "prediction");
    assertArrayEquals(before, after, 0.0);
    ConvexReluRegressionModel reloaded = (ConvexReluRegressionModel) loaded.stages()[1];
    assertEquals(model.uid(), reloaded.uid());
    assertEquals(s, reloaded.summary());
    assertEquals(ModelJson.write(model.convexModel()), ModelJson.write(reloaded.convexModel()));

    // The job on the same CSV with the same settings trains the byte-identical model.json.
    Path out = tmp.resolve("job");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train",
        "data-samples/planted_n300_d5.csv", "--model", "gated", "--patterns", "20", "--seed",
        "3", "--out", out.toString()}));
    assertEquals(Files.readString(out.resolve("model.json")),
        ModelJson.write(model.convexModel()));

    // The block transform equals the model on the whole matrix and the one-row predict().
    double[][] rows = test.select(FEATURES[0], Arrays.copyOfRange(FEATURES, 1, 5))
        .collectAsList().stream().map(r -> new double[] {r.getDouble(0), r.getDouble(1),
            r.getDouble(2), r.getDouble(3), r.getDouble(4)}).toArray(double[][]::new);
    assertArrayEquals(model.convexModel().predict(DenseMatrix.fromRows(rows, 5)), before, 1e-12);
    for (int i = 0; i < rows.length; i += 37) {
      assertEquals(before[i], model.predict(Vectors.dense(rows[i])), 1e-12);
    }
  }

  @Test
  void classificationAddsRawPredictionAndProbabilityAndRoundTrips() {
    Dataset<Row> train = sample("data-samples/planted_n300_d5.csv")
        .withColumn("label", functions.when(functions.col("label").gt(0), 1.0).otherwise(0.0));
    ConvexReluClassifier est = new ConvexReluClassifier().setFormulation("gated")
        .setPatterns(20).setBias(true).setSeed(5);
    PipelineModel fitted = pipeline(est).fit(train);
    ConvexReluClassificationModel model = (ConvexReluClassificationModel) fitted.stages()[1];
    assertEquals("CONVERGED", model.summary().stopReason());
    assertTrue(model.summary().relativeGap() <= 1e-6);
    assertTrue(model.summary().certified(), model.summary().toString());
    assertEquals(2, model.numClasses());

    Dataset<Row> out = fitted.transform(train);
    assertTrue(Arrays.asList(out.columns()).containsAll(
        List.of("rawPrediction", "probability", "prediction")));
    // Thresholds move the decision: with (0.9, 0.1) class 1 needs only probability > 0.1.
    double[] lowBar = column(model.copy(new org.apache.spark.ml.param.ParamMap())
        .setThresholds(new double[] {0.9, 0.1}).transform(
            fitted.stages()[0].transform(train)), "prediction");
    double[] labels = column(out, "label");
    double[] pred = column(out, "prediction");
    List<Vector> raw = vectors(out, "rawPrediction");
    List<Vector> prob = vectors(out, "probability");
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      double f = raw.get(i).apply(1);
      assertEquals(-f, raw.get(i).apply(0), 0.0);
      assertEquals(1.0 / (1.0 + Math.exp(-f)), prob.get(i).apply(1), 1e-12);
      assertEquals(1.0, prob.get(i).apply(0) + prob.get(i).apply(1), 1e-12);
      assertEquals(f > 0 ? 1.0 : 0.0, pred[i]);
      assertEquals(prob.get(i).apply(1) / 0.1 > prob.get(i).apply(0) / 0.9 ? 1.0 : 0.0,
          lowBar[i]);
      correct += pred[i] == labels[i] ? 1 : 0;
    }
    assertTrue(correct > 0.8 * labels.length, "training accuracy " + correct);

    String path = tmp.resolve("classifier-pipeline").toString();
    try {
      fitted.write().save(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Dataset<Row> again = PipelineModel.load(path).transform(train);
    assertArrayEquals(pred, column(again, "prediction"), 0.0);
    List<Vector> prob2 = vectors(again, "probability");
    for (int i = 0; i < prob.size(); i++) {
      assertArrayEquals(prob.get(i).toArray(), prob2.get(i).toArray(), 0.0);
    }
  }

  @Test
  void reluFitOnAFixtureMatchesTheSingleNodeSolverAndTheReferenceOptimum() {
    Path dir = Fixtures.root() == null ? null : Fixtures.root().resolve("toy_n12");
    assumeTrue(dir != null && Files.isDirectory(dir), "fixtures absent");
    Fixtures.Instance f = Fixtures.load(dir);
    DenseMatrix x = f.x();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.rows(); i++) {
      double[] r = new double[x.cols()];
      for (int j = 0; j < x.cols(); j++) {
        r[j] = x.get(i, j);
      }
      rows.add(RowFactory.create(Vectors.dense(r), f.y()[i]));
    }
    StructType schema = new StructType()
        .add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())
        .add("label", DataTypes.DoubleType);
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    int p = 400;
    long seed = 1;
    ConvexReluRegressionModel model = new ConvexReluRegressor().setFormulation("relu")
        .setBeta(f.beta()).setPatterns(p).setSeed(seed).fit(df);
    TrainingSummary s = model.summary();

    SignPatterns patterns = SignPatterns.sample(x, p, seed, 50 * p + 1000);
    ConvexReluProblem problem = new ConvexReluProblem(x, f.y(), patterns, new SquaredLoss(),
        f.beta(), Formulation.RELU);
    SolverResult direct = SolverChoice.local(problem).solve(problem, null,
        SolverOptions.DEFAULTS, IterationListener.NONE);
    assertEquals(direct.certificate().objective(), s.objective(), 0.0);
    assertEquals(direct.certificate().lowerBound(), s.lowerBound(), 0.0);
    assertEquals(direct.certificate().relativeGap(), s.relativeGap(), 0.0);
    assertEquals(direct.stopReason().name(), s.stopReason());
    assertEquals(Certification.of(direct, SolverOptions.DEFAULTS,
        Certification.labelScale(f.y())).label(), s.certification());
    assertTrue(s.certified(), s.certification());
    // All 23 cells of the arrangement were sampled, so this is the global optimum.
    assertEquals(23, s.patterns());
    assertEquals(f.reluOptimum(), s.objective(), 1e-6 * f.reluOptimum());
    assertTrue(s.relativeGap() <= 1e-6);
  }

  /**
   * The estimator solving over row blocks on the executors (what {@code auto} does for large
   * data) reaches the driver fit's certified optimum on the same rows, with the same gates.
   */
  @Test
  void distributedFitReachesTheDriverFitsCertifiedOptimum() {
    Path dir = Fixtures.root() == null ? null : Fixtures.root().resolve("toy_n12");
    assumeTrue(dir != null && Files.isDirectory(dir), "fixtures absent");
    Fixtures.Instance f = Fixtures.load(dir);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < f.x().rows(); i++) {
      rows.add(RowFactory.create(Vectors.dense(f.x().row(i)), f.y()[i]));
    }
    StructType schema = new StructType()
        .add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())
        .add("label", DataTypes.DoubleType);
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
    ConvexReluRegressor est = new ConvexReluRegressor().setFormulation("relu")
        .setBeta(f.beta()).setPatterns(400).setSeed(1);
    ConvexReluRegressionModel local = est.copy(new org.apache.spark.ml.param.ParamMap())
        .setSolver("local").fit(df);
    ConvexReluRegressionModel dist = est.setSolver("distributed").fit(df);
    TrainingSummary a = local.summary();
    TrainingSummary b = dist.summary();
    assertTrue(b.certified(), b.certification());
    assertTrue(b.solver().startsWith("Distributed"), b.solver());
    assertEquals(a.patterns(), b.patterns());
    assertEquals(a.n(), b.n());
    assertEquals(a.beta(), b.beta(), 1e-12 * a.beta());
    assertEquals(f.reluOptimum(), b.objective(), 1e-6 * f.reluOptimum());
    assertEquals(a.objective(), b.objective(), 1e-6 * a.objective());
    List<Row> pa = local.transform(df).select("prediction").collectAsList();
    List<Row> pb = dist.transform(df).select("prediction").collectAsList();
    for (int i = 0; i < pa.size(); i++) {
      assertEquals(pa.get(i).getDouble(0), pb.get(i).getDouble(0), 1e-3);
    }
  }

  @Test
  void aFitStoppedByItsIterationBudgetSaysNotCertifiedAndKeepsSayingItAfterSaving() {
    Dataset<Row> train = new VectorAssembler().setInputCols(FEATURES).setOutputCol("features")
        .transform(sample("data-samples/planted_n300_d5.csv"));
    ConvexReluRegressionModel model = new ConvexReluRegressor().setFormulation("gated")
        .setPatterns(20).setSeed(3).setMaxIter(1).fit(train);
    TrainingSummary s = model.summary();
    assertEquals("MAX_ITERATIONS", s.stopReason());
    assertFalse(s.certified(), s.toString());
    assertTrue(s.certification().startsWith("not certified (MAX_ITERATIONS, violation "),
        s.certification());
    String path = tmp.resolve("budget-model").toString();
    try {
      model.write().save(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertEquals(s, ConvexReluRegressionModel.load(path).summary());
  }

  /**
   * Models and an estimator saved by the code before the shared params trait and before
   * training.json recorded certification (src/test/resources): they load with their uids and
   * params, predict as their model.json says, and make no certification claim.
   */
  @Test
  void modelsSavedByAnEarlierVersionKeepLoading() throws Exception {
    Path saved = Path.of(getClass().getResource("saved-before-certification").toURI());
    Dataset<Row> data = new VectorAssembler().setInputCols(FEATURES).setOutputCol("features")
        .transform(sample("data-samples/planted_n300_d5_test.csv"));
    double[][] rows = data.select(FEATURES[0], Arrays.copyOfRange(FEATURES, 1, 5))
        .collectAsList().stream().map(r -> new double[] {r.getDouble(0), r.getDouble(1),
            r.getDouble(2), r.getDouble(3), r.getDouble(4)}).toArray(double[][]::new);
    DenseMatrix x = DenseMatrix.fromRows(rows, 5);

    ConvexReluRegressionModel reg =
        ConvexReluRegressionModel.load(saved.resolve("regression-model").toString());
    assertEquals("convexReluRegressor_frozen0001", reg.uid());
    assertEquals("CONVERGED", reg.summary().stopReason());
    assertEquals(198.55389136983052, reg.summary().objective(), 0.0);
    assertFalse(reg.summary().certified());
    assertEquals(TrainingSummary.NOT_RECORDED, reg.summary().certification());
    assertArrayEquals(reg.convexModel().predict(x), column(reg.transform(data), "prediction"),
        1e-12);

    ConvexReluClassificationModel cls =
        ConvexReluClassificationModel.load(saved.resolve("classification-model").toString());
    assertEquals("convexReluClassifier_frozen0001", cls.uid());
    assertEquals("MAX_ITERATIONS", cls.summary().stopReason());
    assertFalse(cls.summary().certified());
    assertEquals(5, cls.numFeatures());
    // A ReLU model predicts with the network recovered from its blocks (Theorem 1).
    double[] f = cls.convexModel().network().predict(cls.convexModel().design(x));
    List<Vector> raw = vectors(cls.transform(data), "rawPrediction");
    for (int i = 0; i < f.length; i++) {
      assertEquals(f[i], raw.get(i).apply(1), 1e-12);
    }

    ConvexReluClassifier est =
        ConvexReluClassifier.load(saved.resolve("classifier-estimator").toString());
    assertEquals("convexReluClassifier_frozen0001", est.uid());
    assertEquals("relu", est.getOrDefault(est.formulation()));
    assertEquals(0.05, (Double) est.getOrDefault(est.betaFraction()), 0.0);
    assertEquals(5, (Integer) est.getOrDefault(est.patterns()));
    assertEquals(5L, (Long) est.getOrDefault(est.seed()));
    assertEquals(true, est.getOrDefault(est.bias()));
    assertEquals(1e-5, (Double) est.getOrDefault(est.tol()), 0.0);
    assertEquals(999, (Integer) est.getOrDefault(est.maxIter()));
    assertEquals(12.5, (Double) est.getOrDefault(est.maxSeconds()), 0.0);
    assertFalse(est.isDefined(est.beta()));
  }

  @Test
  void estimatorParamsRoundTripAndBadInputsAreRefused() throws IOException {
    ConvexReluClassifier est = new ConvexReluClassifier().setFormulation("gated")
        .setBetaFraction(0.05).setPatterns(7).setSeed(11).setBias(true).setTol(1e-5)
        .setMaxIter(999).setMaxSeconds(12.5);
    String path = tmp.resolve("estimator").toString();
    est.write().save(path);
    ConvexReluClassifier back = ConvexReluClassifier.load(path);
    assertEquals(est.uid(), back.uid());
    assertEquals(est.extractParamMap().toString(), back.extractParamMap().toString());
    assertTrue(est.explainParams().contains("betaFraction"));
    assertTrue(!back.isDefined(back.beta()), "beta stays unset");
    assertThrows(IllegalArgumentException.class, () -> est.setFormulation("sigmoid"));
    assertThrows(IllegalArgumentException.class, () -> est.setPatterns(0));

    Dataset<Row> threeClasses = sample("data-samples/planted_n300_d5.csv")
        .withColumn("label", functions.when(functions.col("label").gt(0.5), 2.0)
            .otherwise(0.0));
    Exception e = assertThrows(Exception.class, () -> pipeline(est).fit(threeClasses));
    assertTrue(String.valueOf(e.getMessage()).contains("label"), e.getMessage());
  }

  private static Dataset<Row> vectorFrame(Object[]... rows) {
    List<Row> list = new ArrayList<>();
    for (Object[] r : rows) {
      list.add(RowFactory.create(r));
    }
    StructType schema = new StructType()
        .add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())
        .add("label", DataTypes.DoubleType);
    return spark.createDataFrame(list, schema).coalesce(1);
  }

  @Test
  void collectsDenseAndSparseVectorsAndRefusesBadRows() {
    Dataset<Row> mixed = vectorFrame(
        new Object[] {Vectors.dense(1.0, 0.0, 2.0), 1.0},
        new Object[] {Vectors.sparse(3, new int[] {2}, new double[] {-4.0}), 0.0},
        new Object[] {Vectors.sparse(3, new int[0], new double[0]), 1.0});
    io.cvxrelu.io.LabeledData d = CollectedData.collect(mixed, "features", "label", "t");
    assertEquals(3, d.n());
    assertEquals(3, d.d());
    assertArrayEquals(new double[] {1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, -4.0, 0.0},
        d.x().data(), 0.0);
    assertArrayEquals(new double[] {1.0, 0.0, 1.0}, d.y(), 0.0);

    Class<io.cvxrelu.io.DataFormatException> bad = io.cvxrelu.io.DataFormatException.class;
    assertThrows(bad, () -> CollectedData.collect(vectorFrame(
        new Object[] {Vectors.dense(1.0, 2.0), 1.0},
        new Object[] {Vectors.dense(1.0), 0.0}), "features", "label", "t"));
    assertThrows(bad, () -> CollectedData.collect(vectorFrame(
        new Object[] {Vectors.dense(1.0, Double.NaN), 1.0}), "features", "label", "t"));
    assertThrows(bad, () -> CollectedData.collect(vectorFrame(
        new Object[] {Vectors.dense(1.0, 2.0), null}), "features", "label", "t"));
    assertThrows(bad, () -> CollectedData.collect(mixed, "vec", "label", "t"));
    assertThrows(bad, () -> CollectedData.collect(mixed.withColumn("label",
        functions.lit("a")), "features", "label", "t"));
    assertThrows(bad, () -> CollectedData.collect(mixed.limit(0), "features", "label", "t"));
  }
}
