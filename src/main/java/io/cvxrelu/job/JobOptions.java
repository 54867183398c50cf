package io.cvxrelu.job;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Command-line options of a job: {@code --name value} pairs and {@code --flag}s, checked against
 * a declared set. {@code --conf FILE} loads a properties file with the same names (without the
 * dashes) as defaults; the command line overrides it. Unknown names are rejected.
 */
public final class JobOptions {
  /** One declared option. */
  public record Spec(String name, boolean flag, String defaultValue, String help) {}

  private final Map<String, Spec> specs = new LinkedHashMap<>();
  private final Map<String, String> values = new LinkedHashMap<>();
  /** The words a flag may take as its value (see {@link #flag(String, String, String...)}). */
  private final Map<String, java.util.Set<String>> flagWords = new LinkedHashMap<>();
  private final String usageHeader;

  public JobOptions(String usageHeader) {
    this.usageHeader = usageHeader;
    option("conf", null, "properties file with defaults for any option (keys without --)");
    flag("help", "print this help and exit");
    flag("verbose", "print stack traces on errors and log more");
  }

  public JobOptions option(String name, String defaultValue, String help) {
    specs.put(name, new Spec(name, false, defaultValue, help));
    return this;
  }

  public JobOptions flag(String name, String help) {
    specs.put(name, new Spec(name, true, "false", help));
    return this;
  }

  /**
   * A flag that may also be given one of {@code words} as its value: {@code --bias} sets it,
   * {@code --bias free} (or {@code bias = free} in a conf file) sets it with the word, which
   * {@link #flagWord} returns.
   */
  public JobOptions flag(String name, String help, String... words) {
    flag(name, help);
    flagWords.put(name, java.util.Set.of(words));
    return this;
  }

  /** Parses arguments (and the --conf file they name). */
  public JobOptions parse(String[] args) {
    Map<String, String> cli = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() == 2) {
        throw new UsageException("unexpected argument '" + a + "' (options start with --)");
      }
      String name = a.substring(2);
      String inline = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inline = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Spec spec = specs.get(name);
      if (spec == null) {
        throw new UsageException("unknown option --" + name + " (see --help)");
      }
      if (spec.flag()) {
        boolean word = inline == null && i + 1 < args.length
            && flagWords.getOrDefault(name, java.util.Set.of()).contains(args[i + 1]);
        cli.put(name, word ? args[++i] : inline == null ? "true" : inline);
      } else if (inline != null) {
        cli.put(name, inline);
      } else {
        if (i + 1 >= args.length) {
          throw new UsageException("option --" + name + " needs a value");
        }
        cli.put(name, args[++i]);
      }
    }
    if (cli.containsKey("conf")) {
      loadConf(cli.get("conf"));
    }
    values.putAll(cli);
    return this;
  }

  private void loadConf(String file) {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (IOException e) {
      throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
    }
    for (String key : props.stringPropertyNames()) {
      if (!specs.containsKey(key) || key.equals("conf")) {
        throw new UsageException("unknown config key '" + key + "' in " + file);
      }
      values.put(key, props.getProperty(key).strip());
    }
  }

  /**
   * Every declared option with its value, or its default when not given (flags as
   * true/false), in declaration order; {@code help} left out. What a run record stores.
   */
  public Map<String, String> resolved() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Spec spec : specs.values()) {
      if (!spec.name().equals("help")) {
        out.put(spec.name(), values.getOrDefault(spec.name(), spec.defaultValue()));
      }
    }
    return out;
  }

  /** Whether {@code name} was declared (jobs that share code declare different options). */
  public boolean declares(String name) {
    return specs.containsKey(name);
  }

  public String get(String name) {
    String v = values.get(name);
    return v != null ? v : spec(name).defaultValue();
  }

  public String require(String name) {
    String v = get(name);
    if (v == null || v.isEmpty()) {
      throw new UsageException("missing required option --" + name);
    }
    return v;
  }

  public boolean flagSet(String name) {
    String v = get(name);
    if (v == null) {
      return false;
    }
    if (flagWords.getOrDefault(name, java.util.Set.of()).contains(v)) {
      return true;
    }
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new UsageException("--" + name + " is a flag (true or false"
            + flagWords.getOrDefault(name, java.util.Set.of()).stream().sorted()
                .map(w -> " or " + w).reduce("", String::concat) + "), got '" + v + "'");
    }
  }

  /** The word a flag declared with words was given ({@code free} for --bias free), or null. */
  public String flagWord(String name) {
    String v = get(name);
    return v != null && flagWords.getOrDefault(name, java.util.Set.of()).contains(v) ? v : null;
  }

  public double positiveDouble(String name) {
    String v = require(name);
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, got '" + v + "'");
    }
    if (!(d > 0.0) || !Double.isFinite(d)) {
      throw new UsageException("--" + name + " must be a positive finite number, got " + v);
    }
    return d;
  }

  public long positiveLong(String name) {
    long l = anyLong(name);
    if (l <= 0) {
      throw new UsageException("--" + name + " must be positive, got " + l);
    }
    return l;
  }

  /** A comma-separated list of positive integers, e.g. {@code --neurons 5,20}. */
  public int[] positiveIntList(String name) {
    String v = require(name);
    String[] parts = v.split(",", -1);
    int[] out = new int[parts.length];
    for (int k = 0; k < parts.length; k++) {
      try {
        out[k] = Integer.parseInt(parts[k].strip());
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " must be a positive integer or a comma-separated "
            + "list of them, got '" + v + "'");
      }
      if (out[k] <= 0) {
        throw new UsageException("--" + name + " must be positive, got " + out[k]);
      }
    }
    return out;
  }

  public long anyLong(String name) {
    String v = require(name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
    }
  }

  private Spec spec(String name) {
    Spec s = specs.get(name);
    if (s == null) {
      throw new IllegalArgumentException("option --" + name + " was never declared");
    }
    return s;
  }

  /** Usage text listing every option with its default. */
  public String usage() {
    StringBuilder sb = new StringBuilder(usageHeader).append("\n\nOptions:\n");
    for (Spec s : specs.values()) {
      String left = "  --" + s.name() + (s.flag() ? "" : " VALUE");
      sb.append(String.format(Locale.ROOT, "%-26s %s", left, s.help()));
      if (!s.flag() && s.defaultValue() != null) {
        sb.append(" (default ").append(s.defaultValue()).append(')');
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
