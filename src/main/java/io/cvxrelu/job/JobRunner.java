package io.cvxrelu.job;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.solver.distributed.SolverCheckpoint;
import io.cvxrelu.train.InvalidSpecException;
import java.util.function.Consumer;

/**
 * The command-line contract shared by every job: parse the options, print {@code --help}, run,
 * and turn failures into one line on stderr ({@code NAME: kind: message}; {@code --verbose} adds
 * the stack trace) and an exit code: 0 done, 2 usage or configuration, 3 data, 4 output, 1
 * anything else. Never calls {@link System#exit}, so tests and notebooks can call jobs in-process.
 */
final class JobRunner {
  private JobRunner() {}

  static int run(String name, JobOptions opts, String[] args, Consumer<JobOptions> execute) {
    boolean verbose = false;
    try {
      opts.parse(args);
      verbose = opts.flagSet("verbose");
      if (opts.flagSet("help")) {
        System.out.print(opts.usage());
        return 0;
      }
      execute.accept(opts);
      return 0;
    } catch (UsageException | InvalidSpecException
        | SolverCheckpoint.IncompatibleCheckpointException e) {
      return fail(name, "usage error: " + e.getMessage(), e, verbose, 2);
    } catch (DataFormatException e) {
      return fail(name, "data error: " + e.getMessage(), e, verbose, 3);
    } catch (HadoopIo.OutputException e) {
      return fail(name, "output error: " + e.getMessage(), e, verbose, 4);
    } catch (RuntimeException | Error e) {
      return fail(name, "error: " + e, e, verbose, 1);
    }
  }

  private static int fail(String name, String message, Throwable e, boolean verbose, int code) {
    System.err.println(name + ": " + message.replace('\n', ' '));
    if (verbose) {
      e.printStackTrace();
    }
    return code;
  }
}
