package io.cvxrelu.multiclass;

import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The classes of a multi-class task ({@code --classes all} or a list such as {@code 0,1,2} or
 * {@code cat,dog,ship}), and the assembly of their images from the binary readers of
 * {@code io.cvxrelu.io}, which keep two classes per pass ({@link ClassSelection}): the classes
 * are read in pairs and each pair's rows are routed back to their class.
 *
 * @param labels the file label of each selected class; class k of the task is labels[k]
 * @param names their names
 */
public record ClassList(int[] labels, String[] names) {

  public ClassList {
    if (labels.length < 2 || labels.length != names.length) {
      throw new IllegalArgumentException("a multi-class task needs at least two classes");
    }
  }

  /** Number of classes c. */
  public int count() {
    return labels.length;
  }

  /**
   * Parses {@code spec} against a data set's class names (index = file label); names match
   * ignoring case and punctuation.
   *
   * @throws IllegalArgumentException with one line naming the valid classes
   */
  public static ClassList parse(String spec, List<String> classNames) {
    if (spec == null || spec.isBlank() || spec.strip().equalsIgnoreCase("all")) {
      int[] all = new int[classNames.size()];
      Arrays.setAll(all, k -> k);
      return new ClassList(all, classNames.toArray(new String[0]));
    }
    String[] parts = spec.split(",", -1);
    int[] labels = new int[parts.length];
    String[] names = new String[parts.length];
    for (int k = 0; k < parts.length; k++) {
      labels[k] = resolve(parts[k].strip(), classNames);
      names[k] = classNames.get(labels[k]);
      for (int j = 0; j < k; j++) {
        if (labels[j] == labels[k]) {
          throw new IllegalArgumentException("--classes names class '" + names[k] + "' twice");
        }
      }
    }
    if (parts.length < 2) {
      throw new IllegalArgumentException("--classes needs 'all' or at least two classes, got '"
          + spec + "'");
    }
    return new ClassList(labels, names);
  }

  private static int resolve(String token, List<String> classNames) {
    if (token.matches("\\d+")) {
      int idx = Integer.parseInt(token);
      if (idx < classNames.size()) {
        return idx;
      }
    } else {
      for (int i = 0; i < classNames.size(); i++) {
        if (key(classNames.get(i)).equals(key(token))) {
          return i;
        }
      }
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < classNames.size(); i++) {
      items.add(i + "=" + classNames.get(i));
    }
    throw new IllegalArgumentException("unknown class '" + token + "'; classes are "
        + String.join(", ", items));
  }

  private static String key(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /**
   * Features and class indices (0..c-1) of the selected classes.
   *
   * @param reader reads the rows of two classes (+1 for the first, -1 for the second), in file
   *     order, e.g. through {@code Cifar10Reader} or {@code IdxReader} into an {@code ImageSet}
   * @param fileLabels every file row's label in file order, or null: with it the rows come back
   *     in file order; without it grouped by pair, at most {@code perClassCap} rows per class
   */
  public Rows assemble(Function<ClassSelection, LabeledData> reader, byte[] fileLabels,
      int perClassCap) {
    int c = count();
    List<LabeledData> pairs = new ArrayList<>();
    // Pair t holds classes 2t and 2t + 1; an odd last class pairs with class 0, whose rows
    // there are dropped (they come from the first pair).
    for (int t = 0; 2 * t < c; t++) {
      int a = 2 * t;
      int b = a + 1 < c ? a + 1 : 0;
      pairs.add(reader.apply(new ClassSelection(new int[] {labels[a], labels[b]},
          new String[] {names[a], names[b]})));
    }
    List<double[]> rows = new ArrayList<>();
    List<Integer> cls = new ArrayList<>();
    if (fileLabels != null) {
      int[] cursor = new int[pairs.size()];
      for (byte raw : fileLabels) {
        int k = indexOf(raw & 0xff);
        if (k < 0) {
          continue;
        }
        int t = k / 2;
        rows.add(pairs.get(t).x().row(cursor[t]++));
        cls.add(k);
        if (c % 2 == 1 && k == 0) {
          cursor[pairs.size() - 1]++; // the odd pair also holds this class-0 row
        }
      }
    } else {
      int[] taken = new int[c];
      for (int t = 0; t < pairs.size(); t++) {
        LabeledData ld = pairs.get(t);
        for (int r = 0; r < ld.n(); r++) {
          int k = ld.y()[r] > 0 ? 2 * t : 2 * t + 1;
          if (k < c && taken[k] < perClassCap) {
            taken[k]++;
            rows.add(ld.x().row(r));
            cls.add(k);
          }
        }
      }
    }
    DenseMatrix x = DenseMatrix.fromRows(rows.toArray(new double[0][]),
        pairs.get(0).d());
    return new Rows(x, cls.stream().mapToInt(Integer::intValue).toArray());
  }

  private int indexOf(int fileLabel) {
    for (int k = 0; k < labels.length; k++) {
      if (labels[k] == fileLabel) {
        return k;
      }
    }
    return -1;
  }

  /**
   * Features with the class index (0..c-1) of each row.
   *
   * @param x n x d features
   * @param classes n class indices
   */
  public record Rows(DenseMatrix x, int[] classes) {}
}
