package io.cvxrelu.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster for the integration tests, built from the project's own dependency
 * jars because no Spark distribution can be downloaded here: a SPARK_HOME whose {@code jars/}
 * is Spark's part of the runtime classpath, one Master and one-core Workers, each in its own
 * JVM, on ports free at start. Applications go through {@code org.apache.spark.deploy.SparkSubmit}
 * in client mode, the class {@code bin/spark-submit} runs, with the shaded jar. {@link #close()}
 * kills every daemon and every executor they launched.
 */
final class StandaloneCluster implements AutoCloseable {
  /**
   * Maven repository folders of the jars that only the application brings (XChart and its
   * tree), never Spark: a Spark distribution's {@code jars/} lacks them, so the shaded jar must
   * carry them. Dropping them from SPARK_HOME is what makes a class missing from the shaded jar
   * fail a test instead of being found on Spark's classpath.
   */
  static final List<String> APPLICATION_ONLY = List.of("/org/knowm/xchart/",
      "/de/erichseifert/", "/de/rototor/", "/org/apache/pdfbox/", "/com/madgag/",
      "/commons-logging/commons-logging/", "/com/github/wendykierp/", "/pl/edu/icm/");
  /** Heap of each driver JVM; spark-submit's --driver-memory is applied by its launcher. */
  static final String DRIVER_MEMORY = "512m";
  static final String EXECUTOR_MEMORY = "512m";
  /**
   * What each worker offers: room for one executor of {@link #EXECUTOR_MEMORY}, or of the
   * larger heap a submission that holds more rows than the driver's heap asks for.
   */
  static final String WORKER_MEMORY = "2g";
  private static final String DAEMON_HEAP = "-Xmx256m";
  /**
   * For every JVM of the cluster (daemons, drivers, executors): the client compiler only and
   * the serial collector. These JVMs live for seconds on two shared cores, where C2 compiler
   * and parallel GC threads cost more than they return; measured, a local[2] train-convex
   * submission used 10-15 s of CPU with them against 18-25 s without. Results are unchanged
   * (Java 17 floating point is strict at every compilation tier).
   */
  private static final List<String> SHORT_LIVED_JVM = List.of("-XX:TieredStopAtLevel=1",
      "-XX:+UseSerialGC");
  /** What Spark's launcher (JavaModuleOptions) and jobs/lib.sh give a driver JVM on Java 17. */
  private static final List<String> MODULE_OPTIONS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED");

  private final Path home;
  private final Path logs;
  private final int workers;
  private final int masterPort;
  private final int masterWebUiPort;
  private final int[] workerWebUiPorts;
  private final List<Process> daemons = new ArrayList<>();
  private final Thread killOnExit = new Thread(this::killDaemons, "standalone-cluster-kill");

  /** The outcome of one spark-submit: exit code, wall seconds and the driver's log. */
  record Submission(String name, int exitCode, double seconds, Path log) {
    String tail() {
      return StandaloneCluster.tail(log, 40);
    }
  }

  private StandaloneCluster(Path home, Path logs, int workers, int[] ports) {
    this.home = home;
    this.logs = logs;
    this.workers = workers;
    this.masterPort = ports[0];
    this.masterWebUiPort = ports[1];
    this.workerWebUiPorts = Arrays.copyOfRange(ports, 2, 2 + workers);
  }

  /**
   * Assembles SPARK_HOME in {@code dir} from the runtime classpath file and starts a Master and
   * {@code workers} Workers (1 core, 1 GB each); returns once all registered. On any failure
   * the daemons started so far are killed.
   */
  static StandaloneCluster start(Path dir, Path runtimeClasspath, int workers,
      double timeoutSeconds) throws IOException, InterruptedException {
    Path home = assembleSparkHome(dir.resolve("spark-home"), runtimeClasspath);
    Path logs = Files.createDirectories(dir.resolve("logs"));
    StandaloneCluster c = new StandaloneCluster(home, logs, workers, freePorts(2 + workers));
    Runtime.getRuntime().addShutdownHook(c.killOnExit);
    try {
      c.startDaemons(dir);
      c.awaitWorkers(timeoutSeconds);
      return c;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /**
   * {@code home/jars/} with a symbolic link to every Spark jar of the runtime classpath, and the
   * empty {@code RELEASE} file that tells Spark's command builder (the Worker's, building each
   * executor's command) that this is a distribution with its jars in {@code jars/}, not a
   * source build with them under {@code assembly/target}.
   */
  static Path assembleSparkHome(Path home, Path runtimeClasspath) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.createFile(home.resolve("RELEASE"));
    for (String entry : Files.readString(runtimeClasspath).strip().split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (APPLICATION_ONLY.stream().noneMatch(entry.replace('\\', '/')::contains)) {
        // Fails on two jars of the same name, which a real jars/ could not hold either.
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    return home;
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  private void startDaemons(Path dir) throws IOException {
    daemons.add(launch("master", List.of("org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", String.valueOf(masterPort),
        "--webui-port", String.valueOf(masterWebUiPort))));
    for (int w = 1; w <= workers; w++) {
      Path work = Files.createDirectories(dir.resolve("work-" + w));
      daemons.add(launch("worker-" + w, List.of("org.apache.spark.deploy.worker.Worker",
          masterUrl(), "--host", "127.0.0.1", "--cores", "1", "--memory", WORKER_MEMORY,
          "--webui-port", String.valueOf(workerWebUiPorts[w - 1]),
          "--work-dir", work.toString())));
    }
  }

  private Process launch(String name, List<String> mainAndArgs) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(java(), DAEMON_HEAP));
    cmd.addAll(SHORT_LIVED_JVM);
    cmd.addAll(List.of("-cp", classpath()));
    cmd.addAll(mainAndArgs);
    return process(cmd, logs.resolve(name + ".log")).start();
  }

  /** Polls the Master's JSON status page until every Worker is ALIVE. */
  private void awaitWorkers(double timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
    int alive = -1;
    while (System.nanoTime() < deadline) {
      for (Process p : daemons) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a cluster daemon exited with " + p.exitValue()
              + "; logs:\n" + daemonLogs());
        }
      }
      alive = aliveWorkers();
      if (alive == workers) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(alive + " of " + workers + " workers alive after "
        + timeoutSeconds + " s; logs:\n" + daemonLogs());
  }

  /** The Master's {@code aliveworkers}, or -1 while its web UI does not answer. */
  private int aliveWorkers() {
    try (InputStream in = URI.create("http://127.0.0.1:" + masterWebUiPort + "/json/").toURL()
        .openStream()) {
      return new ObjectMapper().readTree(in).path("aliveworkers").asInt(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Runs {@code org.apache.spark.deploy.SparkSubmit} in client mode on {@code master} (this
   * cluster's, or e.g. {@code local[2]} for a reference run) with an event log in
   * {@code eventLogDir}, and waits for it; a run past the timeout is killed and fails.
   */
  Submission submit(String name, String master, Path eventLogDir, String jar, String mainClass,
      List<String> jobArgs, double timeoutSeconds) throws IOException, InterruptedException {
    return submit(name, master, eventLogDir, jar, mainClass, jobArgs, timeoutSeconds,
        EXECUTOR_MEMORY);
  }

  /** As the other {@code submit}, with executors of {@code executorMemory} on the cluster. */
  Submission submit(String name, String master, Path eventLogDir, String jar, String mainClass,
      List<String> jobArgs, double timeoutSeconds, String executorMemory)
      throws IOException, InterruptedException {
    Files.createDirectories(eventLogDir);
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + DRIVER_MEMORY));
    cmd.addAll(SHORT_LIVED_JVM);
    cmd.addAll(MODULE_OPTIONS);
    // What jobs/lib.sh passes as --driver-java-options: our quiet log settings.
    cmd.add("-Dlog4j2.configurationFile="
        + Path.of("src/main/resources/log4j2.properties").toAbsolutePath());
    cmd.addAll(List.of("-cp", classpath(), "org.apache.spark.deploy.SparkSubmit",
        "--master", master, "--deploy-mode", "client", "--driver-memory", DRIVER_MEMORY,
        "--conf", "spark.eventLog.enabled=true",
        "--conf", "spark.eventLog.dir=" + eventLogDir.toUri(),
        "--conf", "spark.eventLog.compress=false",
        "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1",
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", SHORT_LIVED_JVM)));
    if (master.startsWith("spark://")) {
      cmd.addAll(List.of("--executor-memory", executorMemory,
          "--total-executor-cores", String.valueOf(workers),
          // Schedule nothing before every executor registered, so that each can get tasks.
          "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
          "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s"));
    }
    cmd.addAll(List.of("--class", mainClass, jar));
    cmd.addAll(jobArgs);
    Path log = logs.resolve(name + ".log");
    long start = System.nanoTime();
    Process p = process(cmd, log).start();
    if (!p.waitFor((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS)) {
      kill(p);
      throw new AssertionError("spark-submit " + name + " timed out after " + timeoutSeconds
          + " s; driver log:\n" + tail(log, 40));
    }
    return new Submission(name, p.exitValue(), (System.nanoTime() - start) * 1e-9, log);
  }

  /**
   * Tasks finished per executor id in the event log(s) under {@code eventLogDir} (Spark 4
   * writes rolling logs in an {@code eventlog_v2_*} folder); {@code driver} in local mode.
   */
  static Map<String, Integer> tasksPerExecutor(Path eventLogDir) throws IOException {
    Map<String, Integer> tasks = new TreeMap<>();
    ObjectMapper json = new ObjectMapper();
    List<Path> files;
    try (Stream<Path> s = Files.walk(eventLogDir)) {
      files = s.filter(Files::isRegularFile).filter(f -> {
        String n = f.getFileName().toString();
        return !n.startsWith(".") && !n.endsWith(".crc") && !n.startsWith("appstatus");
      }).toList();
    }
    for (Path f : files) {
      try (Stream<String> lines = Files.lines(f)) {
        lines.forEach(line -> {
          JsonNode e = readJson(json, line);
          if ("SparkListenerTaskEnd".equals(e.path("Event").asText())) {
            tasks.merge(e.path("Task Info").path("Executor ID").asText(), 1, Integer::sum);
          }
        });
      }
    }
    return tasks;
  }

  private static JsonNode readJson(ObjectMapper json, String line) {
    try {
      return json.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills every daemon and the executors they launched; safe to call more than once. */
  @Override
  public void close() {
    killDaemons();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // The JVM is shutting down, or the hook is gone already: nothing to remove.
    }
  }

  private synchronized void killDaemons() {
    for (Process p : daemons) {
      kill(p);
    }
    daemons.clear();
  }

  /** SIGTERM to the process and its descendants (executors), then SIGKILL to what is left. */
  private static void kill(Process p) {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(0, p.toHandle());
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        h.destroyForcibly();
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        h.destroyForcibly();
      }
    }
  }

  /**
   * The children's environment: this SPARK_HOME, loopback, one BLAS thread, and the Scala
   * version, which the command builder otherwise looks up in a source build ("Cannot find any
   * build directories").
   */
  private ProcessBuilder process(List<String> cmd, Path log) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("OPENBLAS_NUM_THREADS", "1");
    // The master is spark-submit's alone; no configuration from the machine.
    env.remove("CVXRELU_MASTER");
    env.remove("SPARK_CONF_DIR");
    return pb;
  }

  private String classpath() {
    return home.resolve("jars") + File.separator + "*";
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private String daemonLogs() {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.list(logs)) {
      s.filter(f -> f.getFileName().toString().matches("(master|worker-\\d+)\\.log")).sorted()
          .forEach(f -> b.append("== ").append(f.getFileName()).append('\n')
              .append(tail(f, 15)).append('\n'));
    } catch (IOException e) {
      b.append("(cannot list ").append(logs).append(": ").append(e.getMessage()).append(')');
    }
    return b.toString();
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /**
   * {@code count} distinct ports free on the loopback now. They are released before the daemons
   * bind them, so another process could take one in between; the workers then do not register
   * and the test fails with the daemons' logs.
   */
  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
