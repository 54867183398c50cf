package io.cvxrelu.job;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.io.NetworkCsv;
import io.cvxrelu.io.TextDataReader;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.train.ProblemSetup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;

/**
 * The files a pattern spec names (a gate file, a seed network), read through Hadoop so that
 * they may live on any file system the data can.
 */
final class PatternInputs implements ProblemSetup.PatternFiles {
  private final HadoopIo io;

  PatternInputs(HadoopIo io) {
    this.io = io;
  }

  @Override
  public DenseMatrix gates(String path) {
    try (BufferedReader r = io.open(path, "gates")) {
      return TextDataReader.readMatrixCsv(r, path);
    } catch (IOException e) {
      throw new DataFormatException("cannot read gates: " + e.getMessage());
    }
  }

  /**
   * Reads a network: a model.json of either job, or train-sgd's network.csv
   * ({@link NetworkCsv}).
   */
  @Override
  public ReluNetwork network(String path, int dimension) {
    String text;
    try (BufferedReader r = io.open(path, "network")) {
      StringBuilder sb = new StringBuilder();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        sb.append(line).append('\n');
      }
      text = sb.toString();
    } catch (IOException e) {
      throw new DataFormatException("cannot read network " + path + ": " + e.getMessage());
    }
    ReluNetwork net;
    if (text.stripLeading().startsWith("{")) {
      net = ModelJson.read(text, path).network();
    } else {
      try {
        net = NetworkCsv.read(new BufferedReader(new StringReader(text)), path, dimension);
      } catch (IOException e) {
        throw new DataFormatException("cannot read network " + path + ": " + e.getMessage());
      }
    }
    if (net.hidden().rows() != dimension) {
      throw new DataFormatException("network in " + path + " has input dimension "
          + net.hidden().rows() + " but the design has " + dimension + " columns");
    }
    if (!net.hidden().isFinite()) {
      throw new DataFormatException("network in " + path + " has NaN or infinite weights");
    }
    return net;
  }
}
