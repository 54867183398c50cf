package io.cvxrelu.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.linalg.Blas;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The machine-readable record of a run that a scheduler reads ({@code run.json}, issue 21 part
 * 5), written into every output folder a job commits ({@link HadoopIo#writeAtomically}): the
 * job, the full resolved configuration (every option with its value or default), the versions
 * (cvxrelu, Spark, Java, the BLAS backend), the master, each input path with its size and
 * modification time, the start and commit times, the exit status and the certificate when the
 * folder has a {@code summary.json} that carries one.
 *
 * <p>A committed folder belongs to a run that succeeded, so its exit status is 0. A run that
 * fails commits nothing (outputs are all or nothing) and reports its documented exit code
 * (2 usage, 3 data, 4 I/O, 1 internal) to the scheduler directly.
 */
final class RunRecord {
  /** Options that name inputs: their paths are described with size and modification time. */
  private static final List<String> INPUTS = List.of("conf", "train", "test", "data", "model",
      "patterns-from", "gates", "cifar");
  /** The certificate's fields, copied from the folder's summary.json when present. */
  private static final List<String> CERTIFICATE = List.of("certified", "certification",
      "stopReason", "objective", "lowerBound", "relativeGap", "constraintViolation");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String job;
  private final Instant started;
  private final Map<String, String> configuration;
  private final String master;
  private final String sparkVersion;

  RunRecord(String job, Instant started, Map<String, String> configuration, String master,
      String sparkVersion) {
    this.job = job;
    this.started = started;
    // Options without a default are null, which Map.copyOf refuses.
    this.configuration = java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(configuration));
    this.master = master;
    this.sparkVersion = sparkVersion;
  }

  /** run.json for a folder committed now with the given text files. */
  String json(Map<String, String> files, Configuration conf) {
    ObjectNode root = SummaryJson.object();
    root.put("job", job);
    root.put("exitStatus", 0);
    root.put("started", started.toString());
    root.put("committed", Instant.now().toString());
    ObjectNode versions = root.putObject("versions");
    versions.put("cvxrelu", cvxreluVersion());
    versions.put("spark", sparkVersion);
    versions.put("java", System.getProperty("java.version"));
    versions.put("blas", Blas.backend());
    root.put("master", master);
    ObjectNode config = root.putObject("configuration");
    new java.util.TreeMap<>(configuration).forEach((k, v) -> {
      if (v == null) {
        config.putNull(k);
      } else {
        config.put(k, v);
      }
    });
    ArrayNode inputs = root.putArray("inputs");
    for (String option : INPUTS) {
      String location = configuration.get(option);
      if (location != null && !location.isBlank()) {
        inputs.add(describe(option, location, conf));
      }
    }
    String summary = files.get("summary.json");
    if (summary != null) {
      ObjectNode cert = certificate(summary);
      if (cert != null) {
        root.set("certificate", cert);
      }
    }
    return SummaryJson.write(root);
  }

  /** An input's path, size in bytes (a folder's total) and modification time. */
  private static ObjectNode describe(String option, String location, Configuration conf) {
    ObjectNode in = MAPPER.createObjectNode();
    in.put("option", option);
    in.put("path", location);
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus st = fs.getFileStatus(p);
      in.put("bytes", st.isDirectory() ? fs.getContentSummary(p).getLength() : st.getLen());
      in.put("modified", Instant.ofEpochMilli(st.getModificationTime()).toString());
    } catch (IOException | IllegalArgumentException e) {
      // Absent or not a path: recorded as given, with no size.
      in.put("bytes", (String) null);
    }
    return in;
  }

  private static ObjectNode certificate(String summaryJson) {
    try {
      JsonNode s = MAPPER.readTree(summaryJson);
      ObjectNode cert = MAPPER.createObjectNode();
      for (String key : CERTIFICATE) {
        if (s.has(key)) {
          cert.set(key, s.get(key));
        }
      }
      return cert.isEmpty() ? null : cert;
    } catch (IOException e) {
      return null;
    }
  }

  /** The version of the cvxrelu jar this runs from (Maven's pom.properties), if any. */
  static String cvxreluVersion() {
    try (InputStream in = RunRecord.class.getResourceAsStream(
        "/META-INF/maven/io.cvxrelu/cvxrelu/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (IOException e) {
      // fall through
    }
    String v = RunRecord.class.getPackage().getImplementationVersion();
    return v != null ? v : "unknown (classes, not the jar)";
  }
}
