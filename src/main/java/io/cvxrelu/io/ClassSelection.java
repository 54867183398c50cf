package io.cvxrelu.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Two classes of a labelled image set chosen for a binary task, by index or by name
 * ({@code airplane,automobile} or {@code 0,1}). The first class is the positive one (label +1),
 * the second the negative one (label -1), the coding both losses accept.
 *
 * @param labels the two label values in the files, positive class first
 * @param names their names
 */
public record ClassSelection(int[] labels, String[] names) {

  public ClassSelection {
    if (labels.length != 2 || names.length != 2 || labels[0] == labels[1]) {
      throw new IllegalArgumentException("a binary task needs two different classes");
    }
  }

  /**
   * Parses {@code spec} against the class names of a data set (index = label value). Names
   * match ignoring case and punctuation, and a name with a slash matches either part, so
   * {@code t-shirt/top}, {@code T-shirt} and {@code tshirttop} are one class.
   *
   * @throws IllegalArgumentException with a one-line message naming the valid classes
   */
  public static ClassSelection parse(String spec, List<String> classNames) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--classes is required for image data sets: two of "
          + listing(classNames));
    }
    String[] parts = spec.split(",", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("--classes needs exactly two classes separated by a "
          + "comma, got '" + spec + "'");
    }
    int[] labels = new int[2];
    String[] names = new String[2];
    for (int k = 0; k < 2; k++) {
      labels[k] = resolve(parts[k].strip(), classNames);
      names[k] = classNames.get(labels[k]);
    }
    if (labels[0] == labels[1]) {
      throw new IllegalArgumentException("--classes names the same class twice: '" + spec + "'");
    }
    return new ClassSelection(labels, names);
  }

  private static int resolve(String token, List<String> classNames) {
    if (token.matches("\\d+")) {
      int idx = Integer.parseInt(token);
      if (idx >= classNames.size()) {
        throw new IllegalArgumentException("class index " + idx + " out of range 0.."
            + (classNames.size() - 1));
      }
      return idx;
    }
    String key = normalise(token);
    for (int i = 0; i < classNames.size(); i++) {
      String name = classNames.get(i);
      if (normalise(name).equals(key)) {
        return i;
      }
      for (String alias : name.split("/")) {
        if (normalise(alias).equals(key)) {
          return i;
        }
      }
    }
    throw new IllegalArgumentException("unknown class '" + token + "'; classes are "
        + listing(classNames));
  }

  private static String normalise(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  private static String listing(List<String> classNames) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < classNames.size(); i++) {
      items.add(i + "=" + classNames.get(i));
    }
    return String.join(", ", items);
  }

  /** The ±1 target of a file label, or 0 when the label is not selected. */
  public double target(int label) {
    return label == labels[0] ? 1.0 : label == labels[1] ? -1.0 : 0.0;
  }

  /** {@code airplane (+1) vs automobile (-1)}. */
  public String describe() {
    return names[0] + " (+1) vs " + names[1] + " (-1)";
  }
}
