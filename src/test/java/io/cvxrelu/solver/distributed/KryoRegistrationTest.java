package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.generation.ColumnGeneration;
import java.nio.ByteBuffer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scala.reflect.ClassTag$;

/**
 * The row blocks and the per-task sums go through Kryo with {@link CvxreluKryoRegistrator} and
 * {@code spark.kryo.registrationRequired}: a class that reaches Kryo unregistered fails the
 * solve, and the distributed solvers under Kryo still follow the single-node iteration.
 */
class KryoRegistrationTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  static SparkConf kryo(SparkConf conf) {
    return conf.set("spark.serializer", KryoSerializer.class.getName())
        .set("spark.kryo.registrator", CvxreluKryoRegistrator.class.getName())
        .set("spark.kryo.registrationRequired", "true");
  }

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[2]").appName("KryoRegistrationTest")
        .config(kryo(new SparkConf().set("spark.ui.enabled", "false"))).getOrCreate();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    assertEquals(KryoSerializer.class.getName(), sc.getConf().get("spark.serializer"),
        "another SparkSession was still active");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void rowBlockRoundTripsWithItsByteMask() {
    ConvexReluProblem p = DistributedSolverTest.synthetic(50, 3, 5, Formulation.RELU,
        new SquaredLoss(), 0.05);
    RowBlock block = RowBlock.withGates(9, p.x(), p.y(), p.patterns().gates());
    SerializerInstance ser = new KryoSerializer(kryo(new SparkConf())).newInstance();
    ByteBuffer bytes = ser.serialize(block, ClassTag$.MODULE$.apply(RowBlock.class));
    RowBlock back = ser.deserialize(bytes, ClassTag$.MODULE$.apply(RowBlock.class));
    assertEquals(9, back.id());
    assertEquals(block.patternCount(), back.patternCount());
    assertArrayEquals(block.x().data(), back.x().data(), 0.0);
    assertArrayEquals(block.y(), back.y(), 0.0);
    assertArrayEquals(block.mask(), back.mask());
    assertArrayEquals(p.patterns().mask(), back.mask());
  }

  /** ReLU and gated, one and three pattern blocks, squared and logistic loss, under Kryo. */
  @ParameterizedTest
  @CsvSource({"RELU, 1, squared", "RELU, 3, squared", "GATED, 3, logistic", "GATED, 1, squared"})
  void solversFollowTheSingleNodeIterationUnderKryo(Formulation form, int patternBlocks,
      String loss) {
    ConvexReluProblem p = DistributedSolverTest.synthetic(400, 3, 8, form,
        "squared".equals(loss) ? new SquaredLoss() : new LogisticLoss(), 0.05);
    SolverOptions o = SolverOptions.DEFAULTS.withMaxIterations(12);
    SolverResult local = DistributedSolverTest.solveLocal(p, o);
    try (DistributedData data = DistributedData.fromMatrix(sc, p.x(), p.y(),
        p.patterns().gates(), 3, DistributedSolverTest.blockRows(p.n(), 3))) {
      DistributedProblem dp = new DistributedProblem(data, p.loss(), p.beta(), form,
          patternBlocks);
      SolverResult dist = DistributedSolverTest.solveDistributed(dp, o);
      assertEquals(local.iterations(), dist.iterations());
      DistributedSolverTest.assertSameAnswer(local, dist, 1e-8);
    }
  }

  /** The dual pattern search's per-task passes (a record) cross Kryo as well. */
  @Test
  void distributedGenerationRunsUnderKryo() {
    ConvexReluProblem p = DistributedSolverTest.synthetic(200, 3, 3, Formulation.GATED,
        new SquaredLoss(), 0.05);
    ColumnGeneration.Options options = new ColumnGeneration.Options(1, 8, 10, 4, 1L, 0L);
    try (DistributedGeneration backend = new DistributedGeneration(spark, 2)) {
      ColumnGeneration.Result r = ColumnGeneration.run(p, options,
          new SolverOptions(1e-4, 1e-9, 2_000, 60.0), IterationListener.NONE, backend);
      assertEquals(1, r.rounds().size());
    }
  }
}
