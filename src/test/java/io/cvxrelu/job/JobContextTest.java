package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one master rule of every job (issue 15). */
class JobContextTest {

  @Test
  void sparkSubmitsMasterWinsOverTheOption() {
    String saved = System.getProperty("spark.master");
    try {
      System.clearProperty("spark.master");
      assertEquals("local[3]", JobContext.master("local[3]"));
      String fallback = System.getenv().getOrDefault("CVXRELU_MASTER", "local[*]");
      assertEquals(fallback, JobContext.master(null));
      System.setProperty("spark.master", "yarn");
      assertEquals("yarn", JobContext.master("local[3]"));
      assertEquals("yarn", JobContext.master(null));
    } finally {
      if (saved == null) {
        System.clearProperty("spark.master");
      } else {
        System.setProperty("spark.master", saved);
      }
    }
  }
}
