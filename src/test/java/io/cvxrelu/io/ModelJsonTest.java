package io.cvxrelu.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.problem.Formulation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelJsonTest {

  static ConvexReluModel model(Formulation f) {
    SplittableRandom r = new SplittableRandom(11);
    DenseMatrix g = new DenseMatrix(3, 4);
    for (int k = 0; k < g.data().length; k++) {
      g.data()[k] = r.nextGaussian();
    }
    DenseMatrix w = new DenseMatrix(3, f == Formulation.RELU ? 8 : 4);
    for (int k = 0; k < w.data().length; k++) {
      w.data()[k] = k % 5 == 0 ? 0.0 : r.nextGaussian() * 1e-3;
    }
    java.util.Arrays.fill(w.data(), 0, 3, 0.0); // one zero block: no neuron for it
    return new ConvexReluModel(f, "squared", 0.25, true, g, w);
  }

  @ParameterizedTest
  @EnumSource(Formulation.class)
  void roundTripIsExactAndPredictsTheSame(Formulation f) {
    ConvexReluModel m = model(f);
    String json = ModelJson.write(m);
    ConvexReluModel back = ModelJson.read(json, "model.json");
    assertEquals(m.formulation(), back.formulation());
    assertEquals(m.bias(), back.bias());
    assertArrayEquals(m.gates().data(), back.gates().data());
    assertArrayEquals(m.weights().data(), back.weights().data());
    assertEquals(json, ModelJson.write(back), "writing is deterministic");
    DenseMatrix x = new DenseMatrix(5, 2, new double[] {1, 2, 3, -1, 0, 0.5, -2, 1, 1, 4});
    assertArrayEquals(m.predict(x), back.predict(x));
  }

  @Test
  void truncatedOrForeignFilesAreDataErrors() {
    String json = ModelJson.write(model(Formulation.RELU));
    assertThrows(DataFormatException.class,
        () -> ModelJson.read(json.substring(0, json.length() / 2), "m"));
    assertThrows(DataFormatException.class, () -> ModelJson.read("{\"a\":1}", "m"));
    assertThrows(DataFormatException.class,
        () -> ModelJson.read(json.replaceFirst("\"version\" : 1", "\"version\" : 99"), "m"));
    assertThrows(DataFormatException.class, () -> ModelJson.read("", "m"));
  }
}
