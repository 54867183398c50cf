package io.cvxrelu.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
  @Test
  void rangesCoverEveryIndexOnceWithTheirPartNumbers() {
    for (int parts : new int[] {1, 2, 3, 7}) {
      int n = 1000;
      AtomicIntegerArray hits = new AtomicIntegerArray(n);
      int[] owner = new int[n];
      Parallel.forRanges(n, parts, (part, from, to) -> {
        assertEquals((int) ((long) part * n / parts), from);
        assertEquals((int) ((long) (part + 1) * n / parts), to);
        for (int i = from; i < to; i++) {
          hits.incrementAndGet(i);
          owner[i] = part;
        }
      });
      for (int i = 0; i < n; i++) {
        assertEquals(1, hits.get(i), "index " + i + " with " + parts + " parts");
      }
      assertEquals(parts - 1, owner[n - 1]);
    }
  }

  @Test
  void failureInAPartIsRethrown() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Parallel.forRanges(10, 2, (part, from, to) -> {
          if (part == 1) {
            throw new IllegalArgumentException("part 1 failed");
          }
        }));
    assertEquals("part 1 failed", e.getMessage());
  }

  @Test
  void smallKernelsAreNotSplit() {
    assertEquals(1, Parallel.partsFor(1_000_000, 1e6, 256));
    assertTrue(Parallel.partsFor(1_000_000, 1e10, 256) <= Parallel.threads());
    assertEquals(1, Parallel.partsFor(100, 1e10, 256), "fewer rows than one part's minimum");
  }

  @Test
  void aSparkTaskThreadNeverSplits() throws InterruptedException {
    int[] parts = new int[1];
    boolean[] slot = new boolean[1];
    Thread task = new Thread(() -> {
      slot[0] = Parallel.inTaskSlot();
      parts[0] = Parallel.partsFor(1_000_000, 1e10, 256);
    }, "Executor task launch worker for task 0.0 in stage 1.0 (TID 7)");
    task.start();
    task.join();
    assertTrue(slot[0], "Spark's task thread is recognised by its name");
    assertEquals(1, parts[0], "a task owns one core");
  }

  @Test
  void splitSumEqualsTheWholeKernel() {
    // The same reduction split in 1 and 3 parts agrees to rounding.
    double[] v = new double[10_001];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(i);
    }
    double whole = 0.0;
    for (double t : v) {
      whole += t;
    }
    double[] partial = new double[3];
    Parallel.forRanges(v.length, 3, (part, from, to) -> {
      for (int i = from; i < to; i++) {
        partial[part] += v[i];
      }
    });
    assertArrayEquals(new double[] {whole}, new double[] {partial[0] + partial[1] + partial[2]},
        1e-9);
  }
}
