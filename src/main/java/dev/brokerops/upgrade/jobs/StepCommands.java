package dev.brokerops.upgrade.jobs;

import java.util.ArrayList;
import java.util.List;

/**
 * The container commands of the Job steps, including the shell wrappers that hand output to the
 * operator.
 */
public final class StepCommands {

  public static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

  /*
   * A termination message holds stdout only on failure (FallbackToLogsOnError), so a command whose output the
   * operator needs writes it to the termination-message file itself. Only on success: on failure the file stays
   * empty and the kubelet falls back to the log tail, which then carries stderr too. The exit code is kept.
   */
  static final String CAPTURE_OUTPUT =
      "out=\"$(\"$@\")\"; rc=$?; printf '%s\\n' \"$out\"; "
          + "if [ \"$rc\" -eq 0 ]; then printf '%s' \"$out\" > "
          + TERMINATION_MESSAGE_PATH
          + "; fi; exit \"$rc\"";

  /*
   * The seed's `ls | grep \d | sort | tail -n 1 | cut -d '_' -f1` keeps names containing the letter d (an unquoted
   * \d reaches grep as d) and sorts numbers as text. This keeps names that start with digits and an underscore and
   * compares the numbers numerically.
   */
  static final String NEWEST_MIGRATION =
      "n=\"$(ls -1 -- \"$1\" | grep -E '^[0-9]+_' | cut -d _ -f 1 | sort -n | tail -n 1)\"; "
          + "if [ -z \"$n\" ]; then echo \"no migration files named NUMBER_name in $1\" >&2; exit 1; fi; "
          + "printf '%s\\n' \"$n\"; printf '%s' \"$n\" > "
          + TERMINATION_MESSAGE_PATH;

  private StepCommands() {}

  /** Runs the command and also leaves its stdout in the termination message. */
  public static List<String> capturingOutput(List<String> command) {
    List<String> wrapped =
        new ArrayList<>(List.of("/bin/sh", "-c", CAPTURE_OUTPUT, "capture-output"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Prints the newest migration number found in the directory. */
  public static List<String> newestMigrationNumber(String migrationsDir) {
    return List.of("/bin/sh", "-c", NEWEST_MIGRATION, "newest-migration", migrationsDir);
  }
}
