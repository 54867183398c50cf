package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.DenseMatrix;
import java.nio.ByteBuffer;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The job's one-line error is found behind a Spark failure, with or without the exception
 * object, and blocks survive both of Spark's serializers.
 */
class UnwrapTest {
  private static final String LINE = "file:/d/data.csv: line 81234 (byte 4455667): non-numeric "
      + "field 'x' in column 3";

  @Test
  void theExceptionInTheCauseChainIsReturnedItself() {
    DataFormatException bad = new DataFormatException(LINE);
    SparkException wrapped = new SparkException("Job aborted due to stage failure: ...",
        new RuntimeException("task", bad));
    assertSame(bad, DistributedInput.unwrap(wrapped).orElseThrow());
    assertSame(bad, DistributedInput.unwrap(bad).orElseThrow());
  }

  @Test
  void aRemoteFailureWithoutTheClassGivesTheQuotedLine() {
    SparkException remote = new SparkException("Job aborted due to stage failure: Task 3 in "
        + "stage 4.0 failed 4 times, most recent failure: Lost task 3.3 in stage 4.0 (TID 17) "
        + "(10.0.0.7 executor 2): io.cvxrelu.io.DataFormatException: " + LINE + "\n\tat "
        + "io.cvxrelu.data.TextInput.at(TextInput.java:139)\n\tat ...\n\nDriver stacktrace:");
    assertEquals(LINE, DistributedInput.unwrap(remote).orElseThrow().getMessage());
  }

  @Test
  void otherFailuresAreNotDataErrors() {
    assertTrue(DistributedInput.unwrap(new SparkException("Lost executor 1",
        new OutOfMemoryError())).isEmpty());
    assertTrue(DistributedInput.unwrap(new IllegalStateException((String) null)).isEmpty());
  }

  @Test
  void optionValuesParseOrNameTheChoices() {
    assertEquals(DataSpec.Standardise.TRUE, DataSpec.Standardise.of(" True"));
    assertEquals(DataFormat.CIFAR10, DataFormat.of("cifar10"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataSpec.Standardise.of("yes"));
    assertEquals("--standardize must be auto, true or false, got 'yes'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> DataFormat.of("xls"));
    assertTrue(e.getMessage().startsWith("--format must be auto, csv, libsvm"), e.getMessage());
  }

  private static LabeledBlock roundTrip(SerializerInstance s, LabeledBlock b) {
    ClassTag<LabeledBlock> tag = ClassTag$.MODULE$.apply(LabeledBlock.class);
    ByteBuffer bytes = s.serialize(b, tag);
    return s.deserialize(bytes, tag);
  }

  @Test
  void blocksSurviveJavaAndKryoSerialisation() {
    LabeledBlock b = new LabeledBlock((3L << 32) | 2, new DenseMatrix(2, 3,
        new double[] {1, 2, 3, 4, 5, 6}), new double[] {1, -1});
    SparkConf conf = new SparkConf().set("spark.kryo.registrationRequired", "false");
    for (SerializerInstance s : new SerializerInstance[] {
        new JavaSerializer(conf).newInstance(), new KryoSerializer(conf).newInstance()}) {
      LabeledBlock c = roundTrip(s, b);
      assertEquals(b.id(), c.id());
      assertEquals(5.0, c.x().get(0, 2), 0.0);
      assertEquals(-1.0, c.y()[1], 0.0);
    }
  }
}
