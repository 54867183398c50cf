package io.cvxrelu.solver.distributed;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.DualPatternSearch;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.sgd.distributed.DistributedSgd;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers with Kryo the classes the distributed solvers cache, shuffle, broadcast and
 * collect: the row blocks with their byte masks, the labelled blocks read on the executors, the matrices, and the per-task sums of the
 * passes. A registered class is written as a small id instead of its name, and with
 * {@code spark.kryo.registrationRequired=true} an unregistered one fails at once rather than
 * silently costing its name per record. The jobs' sessions register it (unless the user names
 * another registrator); set {@code spark.serializer} to Spark's {@code KryoSerializer} to use
 * it, and elsewhere {@code spark.kryo.registrator} to this class's name as well.
 */
public final class CvxreluKryoRegistrator implements KryoRegistrator {

  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(RowBlock.class);
    kryo.register(LabeledBlock.class);
    kryo.register(DenseMatrix.class);
    kryo.register(DenseMatrix[].class);
    kryo.register(double[].class);
    kryo.register(double[][].class);
    kryo.register(byte[].class);
    kryo.register(long[].class);
    kryo.register(DistributedData.Chunk.class);
    kryo.register(OneBlockPasses.StepSums.class);
    kryo.register(OneBlockPasses.CertificateSums.class);
    kryo.register(PatternBlockPasses.Partial.class);
    kryo.register(PatternBlockPasses.RowState.class);
    kryo.register(PatternBlockPasses.Sums.class);
    // Records: their final fields cannot be set by reflection, so they keep Java serialization.
    kryo.register(DualPatternSearch.Pass.class, new JavaSerializer());
    kryo.register(io.cvxrelu.solver.local.ipm.RowConeTerms.State.class, new JavaSerializer());
    kryo.register(io.cvxrelu.solver.local.ipm.RowConeTerms.Trajectory.class,
        new JavaSerializer());
    // The distributed SGD's records: its data broadcast, its starts and their results.
    kryo.register(DistributedSgd.SgdData.class, new JavaSerializer());
    kryo.register(DistributedSgd.Init.class, new JavaSerializer());
    kryo.register(DistributedSgd.InitRun.class, new JavaSerializer());
  }
}
