package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-scanned CSV split against the regex split it replaced. */
class TextRecordsTest {
  /** What csvFields computed before: the stripped line split by the regex. */
  private static String[] regexSplit(String line) {
    String t = line.strip();
    return t.isEmpty() ? new String[0] : t.split("\\s*,\\s*", -1);
  }

  @Test
  void csvFieldsSplitsAsTheRegexDid() {
    String[] cases = {"", "   ", "1", "1,2,3", " 1 , 2 ,3 ", "a,,b", ",", ",,", " , ",
        "1,2,", ",1", "1 ,\t2", "\t1\t,\u000B2\f,\r3", "\u00A01 , 2\u00A0", "\uFEFF1,2",
        "1e-5, -0.0 ,+2.5,.5", "x y, z w", "\u20031,2\u2003", "1,\u001F2"};
    for (String c : cases) {
      assertArrayEquals(regexSplit(c), TextRecords.csvFields(c), "'" + c + "'");
    }
    // Random lines over the characters that matter: digits, commas, every \s blank, blanks
    // that are not \s (no-break space, em space) and a Unicode separator strip() removes.
    char[] alphabet = {'1', '2', '.', '-', 'e', ',', ',', ' ', '\t', '\n', '\u000B', '\f', '\r',
        '\u00A0', '\u2003', '\u001F', 'x'};
    SplittableRandom rng = new SplittableRandom(11);
    for (int k = 0; k < 20_000; k++) {
      int len = rng.nextInt(12);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) {
        sb.append(alphabet[rng.nextInt(alphabet.length)]);
      }
      String line = sb.toString();
      assertArrayEquals(regexSplit(line), TextRecords.csvFields(line), "'" + line + "'");
    }
  }
}
