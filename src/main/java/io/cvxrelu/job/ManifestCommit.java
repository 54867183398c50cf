package io.cvxrelu.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A commit protocol for output folders on object stores (S3, GCS, Azure), whose rename is a
 * copy that a killed job can leave half done. The folder is written in place:
 *
 * <ol>
 *   <li>{@value #PENDING} first (it creates the folder), then the files;
 *   <li>{@value #MANIFEST}: every file's name, size and SHA-256;
 *   <li>{@value #SUCCESS} last, then {@value #PENDING} is removed.
 * </ol>
 *
 * <p>{@link #verify} refuses a folder that has {@value #PENDING}, a manifest without the
 * marker, or files that differ from the manifest: whatever point a write was killed at, no
 * reader accepts its folder. This is the marker-and-manifest rule of Hadoop's S3A "magic"
 * committers and of Delta/Iceberg commits, for our small outputs. Local and HDFS outputs keep
 * the atomic rename of {@link HadoopIo#writeAtomically} (folders with none of these files are
 * such outputs).
 */
final class ManifestCommit {
  static final String PENDING = "_PENDING";
  static final String MANIFEST = "_MANIFEST.json";
  static final String SUCCESS = "_SUCCESS";
  /** {@code auto} (by scheme), {@code manifest} or {@code rename}. */
  static final String MODE = "cvxrelu.output.commit";
  /** File systems whose rename copies: the object stores of the Hadoop connectors. */
  static final Set<String> OBJECT_STORES = Set.of("s3", "s3a", "s3n", "gs", "abfs", "abfss",
      "wasb", "wasbs", "oss", "cos", "cosn", "obs");
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestCommit() {}

  /** Whether outputs on {@code fs} are committed by manifest rather than by rename. */
  static boolean applies(FileSystem fs, Configuration conf) {
    String mode = conf.get(MODE, "auto").strip().toLowerCase(Locale.ROOT);
    return switch (mode) {
      case "manifest" -> true;
      case "rename" -> false;
      case "auto" -> OBJECT_STORES.contains(fs.getScheme().toLowerCase(Locale.ROOT));
      default -> throw new UsageException(MODE + " must be auto, manifest or rename, got '"
          + mode + "'");
    };
  }

  /** Starts a write: creates {@code dir} with its {@value #PENDING} marker. */
  static void begin(FileSystem fs, Path dir) throws IOException {
    try (OutputStream os = fs.create(new Path(dir, PENDING), false)) {
      os.write("writing\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Ends a write: the manifest of every file written, the marker, then no pending marker. */
  static void seal(FileSystem fs, Path dir) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", "cvxrelu-manifest");
    root.put("version", 1);
    ArrayNode files = root.putArray("files");
    for (var e : digests(fs, dir).entrySet()) {
      ObjectNode f = files.addObject();
      f.put("path", e.getKey());
      f.put("bytes", e.getValue().bytes());
      f.put("sha256", e.getValue().sha256());
    }
    try (OutputStream os = fs.create(new Path(dir, MANIFEST), true)) {
      os.write((MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    try (OutputStream os = fs.create(new Path(dir, SUCCESS), true)) {
      os.write(new byte[0]);
    }
    fs.delete(new Path(dir, PENDING), false);
  }

  /**
   * Refuses, as a one-line data error, a folder written by this protocol that is not complete
   * or not what its manifest lists. A folder with none of the protocol's files (an output
   * committed by rename) passes.
   */
  static void verify(FileSystem fs, Path dir) {
    try {
      boolean pending = fs.exists(new Path(dir, PENDING));
      boolean manifest = fs.exists(new Path(dir, MANIFEST));
      boolean success = fs.exists(new Path(dir, SUCCESS));
      if (!pending && !manifest) {
        return;
      }
      if (pending || !success) {
        throw new DataFormatException(dir + " is incomplete: its write did not finish (no "
            + SUCCESS + " marker)");
      }
      JsonNode root;
      try (InputStream in = fs.open(new Path(dir, MANIFEST))) {
        root = MAPPER.readTree(in);
      }
      TreeMap<String, Digest> listed = new TreeMap<>();
      for (JsonNode f : root.path("files")) {
        listed.put(f.path("path").asText(), new Digest(f.path("bytes").asLong(-1),
            f.path("sha256").asText()));
      }
      TreeMap<String, Digest> found = digests(fs, dir);
      if (!listed.equals(found)) {
        throw new DataFormatException(dir + ": its files do not match " + MANIFEST + " ("
            + listed.size() + " listed, " + found.size() + " found, or a size or checksum"
            + " differs)");
      }
    } catch (IOException e) {
      throw new DataFormatException("cannot check " + dir + ": " + e.getMessage());
    }
  }

  /** A file's size and SHA-256 (hex). */
  record Digest(long bytes, String sha256) {}

  /** Every data file under {@code dir} (not the protocol's own), by relative path. */
  static TreeMap<String, Digest> digests(FileSystem fs, Path dir) throws IOException {
    TreeMap<String, Digest> out = new TreeMap<>();
    String root = fs.makeQualified(dir).toUri().getPath();
    List<FileStatus> files = new ArrayList<>();
    walk(fs, dir, files);
    for (FileStatus st : files) {
      String rel = st.getPath().toUri().getPath().substring(root.length() + 1);
      if (rel.equals(PENDING) || rel.equals(MANIFEST) || rel.equals(SUCCESS)
          || rel.endsWith(".crc")) {
        continue;
      }
      out.put(rel, new Digest(st.getLen(), sha256(fs, st.getPath())));
    }
    return out;
  }

  /** The files under {@code dir}, depth first (listStatus only: the object stores' call). */
  private static void walk(FileSystem fs, Path dir, List<FileStatus> into) throws IOException {
    for (FileStatus st : fs.listStatus(dir)) {
      if (st.isDirectory()) {
        walk(fs, st.getPath(), into);
      } else {
        into.add(st);
      }
    }
  }

  private static String sha256(FileSystem fs, Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = fs.open(file)) {
      for (int r = in.read(buf); r > 0; r = in.read(buf)) {
        md.update(buf, 0, r);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
