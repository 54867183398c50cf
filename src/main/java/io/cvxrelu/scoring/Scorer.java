package io.cvxrelu.scoring;

import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.problem.Formulation;
import java.io.Serializable;

/**
 * A trained convex model with the preprocessing it was fitted behind, as one serialisable
 * value: what a scoring job broadcasts to its executors. A block of raw rows is standardised
 * and projected as the training rows were ({@link FeatureTransform#apply(DenseMatrix)}), given
 * the bias column, and scored with the model's own GEMMs: the recovered ReLU network (Pilanci
 * and Ergen 2020, Theorem 1) or, for a gated model, sum_i 1[x^T g_i &gt; 0] x^T u_i with the
 * training gates g_i, which travel with the model so that gated predictions are exact.
 *
 * <p>The arithmetic is the one train-convex evaluates its test rows with, block by block, so
 * scores and metrics reproduce those of the training run.
 */
public final class Scorer implements Serializable {
  private static final long serialVersionUID = 1L;

  // ConvexReluModel and FeatureTransform are records without Serializable: their parts travel.
  private final Formulation formulation;
  private final String loss;
  private final double beta;
  private final boolean bias;
  private final DenseMatrix gates;
  private final DenseMatrix weights;
  private final double[] mean;
  private final double[] scale;
  private final DenseMatrix projection;
  private final boolean classification;
  private transient ConvexReluModel model;

  /**
   * @param classification whether the model's outputs are classes (sign of f against +-1
   *     labels): a logistic model, or a squared-loss model trained on +-1 labels
   * @throws IllegalArgumentException when the transform's output width is not the model's
   *     input dimension
   */
  public Scorer(ConvexReluModel model, FeatureTransform transform, boolean classification) {
    int width = transform.projection() != null ? transform.projection().cols()
        : transform.inputDimension();
    if (width >= 0 && width != model.inputDimension()) {
      throw new IllegalArgumentException("the preprocessing gives " + width
          + " features but the model expects " + model.inputDimension());
    }
    this.formulation = model.formulation();
    this.loss = model.loss();
    this.beta = model.beta();
    this.bias = model.bias();
    this.gates = model.gates();
    this.weights = model.weights();
    this.mean = transform.mean();
    this.scale = transform.scale();
    this.projection = transform.projection();
    this.classification = classification;
    this.model = model;
  }

  /** The model (rebuilt once per deserialised copy). */
  public ConvexReluModel model() {
    ConvexReluModel m = model;
    if (m == null) {
      m = new ConvexReluModel(formulation, loss, beta, bias, gates, weights);
      model = m;
    }
    return m;
  }

  public FeatureTransform transform() {
    return new FeatureTransform(mean, scale, projection);
  }

  /** Features per raw row: the preprocessing's input, else the model's. */
  public int rawDimension() {
    int d = transform().inputDimension();
    return d >= 0 ? d : model().inputDimension();
  }

  public boolean classification() {
    return classification;
  }

  /** Whether the model has a probability: a logistic model, P(y = +1 | x) = sigmoid(f(x)). */
  public boolean probabilistic() {
    return "logistic".equals(loss);
  }

  /** The network outputs f(x) of a block of raw rows (n x {@link #rawDimension()}). */
  public double[] outputs(DenseMatrix raw) {
    ConvexReluModel m = model();
    return m.predictDesign(m.design(transform().apply(raw)));
  }

  /** The prediction of output f: the class +1 / -1 by its sign for a classifier, else f. */
  public double prediction(double f) {
    return classification ? (f > 0.0 ? 1.0 : -1.0) : f;
  }

  /** sigmoid(f) without overflow for large |f|. */
  public static double probability(double f) {
    if (f >= 0.0) {
      return 1.0 / (1.0 + Math.exp(-f));
    }
    double e = Math.exp(f);
    return e / (1.0 + e);
  }
}
