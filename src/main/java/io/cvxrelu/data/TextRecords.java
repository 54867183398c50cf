package io.cvxrelu.data;

/**
 * The text formats' rules for one line, as {@code io.TextDataReader} applies them to a whole
 * file: CSV fields split at commas with surrounding blanks, the label first; LIBSVM {@code
 * label index:value ...} with 1-based increasing indices and {@code #} comments; every number
 * finite. A bad line raises {@link BadRecord} with the reason alone, and the reader that knows
 * the file and the line's position adds them.
 */
final class TextRecords {
  private TextRecords() {}

  /** The reason a line is not a valid record, without its location. */
  static final class BadRecord extends Exception {
    private static final long serialVersionUID = 1L;

    BadRecord(String reason) {
      // A stack trace per bad line would cost more than the parse; the location is added
      // by the caller.
      super(reason, null, false, false);
    }
  }

  /**
   * The CSV fields of a line, none for a blank line: the stripped line split at commas, each
   * field without the blanks (regex {@code \s}: space, tab, line feed, vertical tab, form feed,
   * carriage return) around its commas, as {@code split("\\s*,\\s*", -1)} gives them. Scanned by
   * hand: the regex split compiled its pattern on every line and cost about half of the read's
   * executor CPU at six numbers a row (docs/pipelines.md, "Reading CSV").
   */
  static String[] csvFields(String line) {
    String t = line.strip();
    if (t.isEmpty()) {
      return new String[0];
    }
    int count = 1;
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) == ',') {
        count++;
      }
    }
    String[] out = new String[count];
    int from = 0;
    for (int f = 0; f < count; f++) {
      int comma = t.indexOf(',', from);
      int end = comma < 0 ? t.length() : comma;
      int a = from;
      int b = end;
      while (a < b && blank(t.charAt(a))) {
        a++;
      }
      while (b > a && blank(t.charAt(b - 1))) {
        b--;
      }
      out[f] = t.substring(a, b);
      from = end + 1;
    }
    return out;
  }

  /** A character of the regex class {@code \s}. */
  private static boolean blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** True when no field parses as a number: the shape of a header line. */
  static boolean noneNumeric(String[] fields) {
    for (String f : fields) {
      try {
        Double.parseDouble(f);
        return false;
      } catch (NumberFormatException e) {
        // a name, as in a header
      }
    }
    return true;
  }

  /** Reads a CSV record (label, then features) of exactly {@code width} fields into a row. */
  static void csvRow(String[] fields, int width, Blocking.Row row) throws BadRecord {
    if (fields.length != width) {
      throw new BadRecord("ragged row with " + fields.length + " fields, expected " + width);
    }
    row.y = number(fields[0], 1);
    for (int c = 1; c < width; c++) {
      row.x[c - 1] = number(fields[c], c + 1);
    }
  }

  /** A finite number from a field in the 1-based {@code column}. */
  static double number(String field, int column) throws BadRecord {
    double v;
    try {
      v = Double.parseDouble(field);
    } catch (NumberFormatException e) {
      String shown = field.length() > 40 ? field.substring(0, 40) + "..." : field;
      throw new BadRecord("non-numeric field '" + shown + "' in column " + column);
    }
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      throw new BadRecord(field + " in column " + column
          + " (NaN and infinite values are not allowed)");
    }
    return v;
  }

  /** Receives the entries of a LIBSVM line. */
  interface SparseSink {
    void entry(int index, double value) throws BadRecord;
  }

  /**
   * Parses a LIBSVM line, passing each 1-based index and value to {@code sink}.
   *
   * @return the label, or NaN for a blank or comment-only line
   */
  static double libsvm(String line, SparseSink sink) throws BadRecord {
    int hash = line.indexOf('#');
    String t = (hash < 0 ? line : line.substring(0, hash)).strip();
    if (t.isEmpty()) {
      return Double.NaN;
    }
    String[] tokens = t.split("\\s+");
    double label = number(tokens[0], 1);
    int last = 0;
    for (int k = 1; k < tokens.length; k++) {
      String token = tokens[k];
      int colon = token.indexOf(':');
      String shown = token.length() > 40 ? token.substring(0, 40) + "..." : token;
      if (colon <= 0) {
        throw new BadRecord("expected index:value, got '" + shown + "'");
      }
      int index;
      try {
        index = Integer.parseInt(token.substring(0, colon));
      } catch (NumberFormatException e) {
        throw new BadRecord("non-numeric index in '" + shown + "'");
      }
      if (index <= last) {
        throw new BadRecord("indices must be 1-based and increasing, got " + index + " after "
            + last);
      }
      last = index;
      sink.entry(index, number(token.substring(colon + 1), k + 1));
    }
    return label;
  }

  /** The line without a leading UTF-8 byte-order mark (U+FEFF), as spreadsheets write it. */
  static String withoutByteOrderMark(String line) {
    return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
  }
}
