package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.io.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object-store commit on a file system whose rename copies ({@link CopyOnRenameFileSystem}):
 * a completed write leaves a marker and a manifest that match the files (sizes and SHA-256
 * recomputed here from the bytes on disk), and a write killed at any point leaves no folder
 * that {@link ManifestCommit#verify} accepts.
 */
class ManifestCommitTest {
  @TempDir
  java.nio.file.Path tmp;

  private static Configuration conf() {
    Configuration c = new Configuration(false);
    c.set("fs." + CopyOnRenameFileSystem.SCHEME + ".impl", CopyOnRenameFileSystem.class.getName());
    c.setBoolean("fs." + CopyOnRenameFileSystem.SCHEME + ".impl.disable.cache", true);
    return c;
  }

  private String location(String name) {
    return CopyOnRenameFileSystem.SCHEME + "://" + tmp.resolve(name).toAbsolutePath();
  }

  private static FileSystem fs(Configuration c, String location) throws IOException {
    return new Path(location).getFileSystem(c);
  }

  @Test
  void objectStoresAreCommittedByManifestUnlessToldOtherwise() throws IOException {
    Configuration c = conf();
    FileSystem fs = fs(c, location("x"));
    assertFalse(ManifestCommit.applies(fs, c), "an unknown scheme keeps rename");
    c.set(ManifestCommit.MODE, "manifest");
    assertTrue(ManifestCommit.applies(fs, c));
    assertTrue(ManifestCommit.OBJECT_STORES.containsAll(java.util.List.of("s3a", "gs", "abfs")));
    c.set(ManifestCommit.MODE, "sometimes");
    assertThrows(UsageException.class, () -> ManifestCommit.applies(fs, c));
  }

  @Test
  void completedWriteLeavesAMarkerAndAManifestThatMatchTheFiles() throws Exception {
    Configuration c = conf();
    c.set(ManifestCommit.MODE, "manifest");
    String out = location("out");
    try (StagedOutput staged = StagedOutput.open(c, out, false)) {
      staged.write("metrics.json", "{\"rows\": 3}\n");
      staged.write("predictions/part-00000.csv", "row,label\n0,1\n1,-1\n");
      staged.commit();
    }
    java.nio.file.Path dir = tmp.resolve("out");
    assertTrue(Files.exists(dir.resolve(ManifestCommit.SUCCESS)));
    assertFalse(Files.exists(dir.resolve(ManifestCommit.PENDING)));
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve(ManifestCommit.MANIFEST)
        .toFile());
    TreeMap<String, String> listed = new TreeMap<>();
    for (JsonNode f : manifest.get("files")) {
      java.nio.file.Path file = dir.resolve(f.get("path").asText());
      byte[] bytes = Files.readAllBytes(file);
      assertEquals(bytes.length, f.get("bytes").asLong(), f.toString());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(bytes)), f.get("sha256").asText(), f.toString());
      listed.put(f.get("path").asText(), "");
    }
    assertEquals(java.util.List.of("metrics.json", "predictions/part-00000.csv"),
        new java.util.ArrayList<>(listed.keySet()));
    ManifestCommit.verify(fs(c, out), new Path(out));

    Files.writeString(dir.resolve("metrics.json"), "{\"rows\": 4}\n");
    assertThrows(DataFormatException.class, () -> ManifestCommit.verify(fs(c, out),
        new Path(out)), "a file changed after the commit");
  }

  @Test
  void aWriteKilledAtAnyPointLeavesNoFolderThatReadersAccept() throws Exception {
    Configuration c = conf();
    c.set(ManifestCommit.MODE, "manifest");
    String out = location("killed");
    // Killed while writing: never committed, never closed.
    StagedOutput staged = StagedOutput.open(c, out, false);
    staged.write("metrics.json", "{}\n");
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> ManifestCommit.verify(fs(c, out), new Path(out)));
    assertTrue(e.getMessage().contains("incomplete"), e.getMessage());

    // Killed after the manifest, before the marker.
    staged.commit();
    java.nio.file.Path dir = tmp.resolve("killed");
    Files.delete(dir.resolve(ManifestCommit.SUCCESS));
    assertThrows(DataFormatException.class, () -> ManifestCommit.verify(fs(c, out),
        new Path(out)));

    // A failed run that could clean up leaves nothing.
    String failed = location("failed");
    try (StagedOutput s = StagedOutput.open(c, failed, false)) {
      s.write("metrics.json", "{}\n");
    }
    assertFalse(Files.exists(tmp.resolve("failed")));

    // A folder written by rename (local, HDFS) has none of the protocol's files and passes.
    Files.createDirectories(tmp.resolve("renamed"));
    Files.writeString(tmp.resolve("renamed/model.json"), "{}\n");
    ManifestCommit.verify(fs(c, out), new Path(location("renamed")));
  }

  /**
   * Every job's files go through {@link HadoopIo#writeAtomically}: on an object store they are
   * committed by manifest as well, and an overwrite keeps the previous output's checkpoint.
   */
  @Test
  void jobOutputsOnObjectStoresAreCommittedByManifest() throws Exception {
    Configuration c = conf();
    c.set(ManifestCommit.MODE, "manifest");
    String out = location("job");
    HadoopIo io = new HadoopIo(c);
    io.writeAtomically(out, java.util.Map.of("summary.json", "{}\n"),
        java.util.Map.of("plot.png", new byte[] {1, 2, 3}), false, null);
    ManifestCommit.verify(fs(c, out), new Path(out));
    java.nio.file.Path dir = tmp.resolve("job");
    assertTrue(Files.exists(dir.resolve(ManifestCommit.SUCCESS)));
    assertEquals(3, Files.size(dir.resolve("plot.png")));

    Files.createDirectories(dir.resolve("checkpoint"));
    Files.writeString(dir.resolve("checkpoint/state.json"), "{\"step\": 7}\n");
    io.writeAtomically(out, java.util.Map.of("summary.json", "{\"v\": 2}\n"),
        java.util.Map.of(), true, "checkpoint");
    assertEquals("{\"step\": 7}\n", Files.readString(dir.resolve("checkpoint/state.json")));
    assertEquals("{\"v\": 2}\n", Files.readString(dir.resolve("summary.json")));
    assertFalse(Files.exists(dir.resolve("plot.png")), "the previous output's files are gone");
    ManifestCommit.verify(fs(c, out), new Path(out));
  }
}
