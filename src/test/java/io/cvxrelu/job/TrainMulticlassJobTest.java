package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-multiclass.sh} on small MNIST and CIFAR-10 subsets from the shared data (skipped,
 * with a message, when absent), and its bad-input exits.
 */
class TrainMulticlassJobTest {
  @TempDir
  Path tmp;

  private static Path shared(String... parts) {
    Path root = Path.of(System.getProperty("cvxrelu.shared", "../shared"));
    if (!Files.isDirectory(root)) {
      root = Path.of("/work/shared");
    }
    return root.resolve(Path.of("data", parts));
  }

  private static final Path MNIST = shared("mnist-10k", "mnist-10k-images-idx3-ubyte.gz");
  private static final Path CIFAR = shared("cifar-10-batches-bin");

  @Test
  void mnistTenClassesCertified() throws IOException {
    assumeTrue(Files.isRegularFile(MNIST), "MNIST not found at " + MNIST + ": test skipped");
    Path out = tmp.resolve("mnist");
    assertEquals(0, TrainMulticlassJob.run(new String[] {"--train", MNIST.toString(),
        "--classes", "all", "--train-size", "300", "--test-size", "300", "--reduce", "15",
        "--patterns", "10", "--beta-frac", "0.01", "--tol", "1e-4", "--out", out.toString()}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("CONVERGED", s.get("stopReason").asText());
    assertTrue(s.get("certified").asBoolean());
    assertTrue(s.get("relativeGap").asDouble() <= 1e-4);
    assertTrue(s.get("objective").asDouble() >= s.get("lowerBound").asDouble());
    assertEquals(10, s.get("outputs").asInt());
    assertEquals(300, s.get("nTrain").asInt());
    // Ten classes: chance is 0.1; a certified model on 300 digits does far better.
    assertTrue(s.get("testAccuracy").asDouble() > 0.5, s.toString());
    JsonNode m = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    assertEquals(s.get("activeBlocks").asInt(), m.get("patterns").size());
    assertEquals(16, m.get("patterns").get(0).get("gate").size(), "15 components + bias");
    assertTrue(Files.readAllLines(out.resolve("history.csv")).size() > 1);
  }

  @Test
  void mnistReluProgramIsCertifiedAndItsNetworkHasTheConvexObjective() throws IOException {
    assumeTrue(Files.isRegularFile(MNIST), "MNIST not found at " + MNIST + ": test skipped");
    Path out = tmp.resolve("relu");
    assertEquals(0, TrainMulticlassJob.run(new String[] {"--train", MNIST.toString(),
        "--classes", "0,1,2", "--train-size", "150", "--test-size", "150", "--reduce", "5",
        "--patterns", "4", "--model", "relu", "--loss", "squared", "--beta-frac", "0.01",
        "--tol", "1e-6", "--out", out.toString()}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("relu", s.get("formulation").asText());
    assertTrue(s.get("certified").asBoolean(), s.toString());
    assertTrue(s.get("relativeGap").asDouble() <= 1e-6);
    double objective = s.get("objective").asDouble();
    assertEquals(objective, s.get("networkObjective").asDouble(), 1e-9 * objective);
    assertTrue(s.get("testAccuracy").asDouble() > 0.6, s.toString());
    JsonNode m = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    assertEquals(s.get("neurons").asInt(), m.get("neurons").size());
    assertEquals(6, m.get("neurons").get(0).get("hidden").size(), "5 components + bias");
  }

  @Test
  void cifarThreeClassesWithSquaredLoss() throws IOException {
    assumeTrue(Files.isRegularFile(CIFAR.resolve("data_batch_1.bin")),
        "CIFAR-10 not found at " + CIFAR + ": test skipped");
    // The first 1,000 records of one training batch and of the test batch (about 100 images
    // per class) keep the reading to a few megabytes.
    Path small = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
    for (String f : new String[] {"data_batch_1.bin", "test_batch.bin"}) {
      try (InputStream in = Files.newInputStream(CIFAR.resolve(f))) {
        Files.write(small.resolve(f), in.readNBytes(1000 * 3073));
      }
    }
    Path out = tmp.resolve("cifar");
    assertEquals(0, TrainMulticlassJob.run(new String[] {"--train", small.toString(),
        "--classes", "airplane,cat,ship", "--train-size", "150", "--test-size", "150",
        "--reduce", "10", "--patterns", "10", "--loss", "squared", "--beta-frac", "0.02",
        "--tol", "1e-4",
        "--out", out.toString()}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("CONVERGED", s.get("stopReason").asText());
    assertEquals(3, s.get("classes").size());
    assertEquals(150, s.get("nTrain").asInt());
    assertEquals(150, s.get("nTest").asInt());
  }

  @Test
  void badInputExitsWithOneLineAndNoOutput() {
    Path out = tmp.resolve("bad");
    String[] unknown = {"--train", MNIST.toString(), "--classes", "0,eleven", "--out",
        out.toString()};
    if (Files.isRegularFile(MNIST)) {
      assertEquals(2, TrainMulticlassJob.run(unknown));
    }
    assertEquals(2, TrainMulticlassJob.run(new String[] {"--train", "x", "--loss", "hinge",
        "--out", out.toString()}));
    assertEquals(2, TrainMulticlassJob.run(new String[] {"--train", "x", "--model", "deep",
        "--out", out.toString()}));
    assertEquals(3, TrainMulticlassJob.run(new String[] {"--train",
        tmp.resolve("missing-images-idx3-ubyte").toString(), "--out", out.toString()}));
    assertFalse(Files.exists(out));
  }
}
