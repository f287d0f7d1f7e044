package dev.brokerops.upgrade.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the step shell snippets with the machine's /bin/sh, the termination-message file pointed
 * elsewhere.
 */
class StepCommandsTest {

  @TempDir Path dir;

  private record Result(int exitCode, String stdout, String terminationMessage) {}

  private Result run(List<String> command) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(Path.of("/bin/sh")));
    Path message = dir.resolve("termination-log");
    Files.writeString(message, "");
    List<String> local = new ArrayList<>(command);
    local.set(2, local.get(2).replace(StepCommands.TERMINATION_MESSAGE_PATH, message.toString()));
    Process process = new ProcessBuilder(local).redirectErrorStream(false).start();
    String stdout = new String(process.getInputStream().readAllBytes());
    int exit = process.waitFor();
    return new Result(exit, stdout, Files.readString(message));
  }

  @Test
  void capturedOutputLandsInTheTerminationMessageAndStdout() throws Exception {
    Result result = run(StepCommands.capturingOutput(List.of("echo", "20240101")));

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("20240101\n");
    assertThat(result.terminationMessage()).isEqualTo("20240101");
  }

  @Test
  void aFailingCommandKeepsItsExitCodeAndLeavesTheMessageToTheLogs() throws Exception {
    Result result = run(StepCommands.capturingOutput(List.of("sh", "-c", "echo partial; exit 3")));

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).contains("partial");
    assertThat(result.terminationMessage()).isEmpty();
  }

  @Test
  void findsTheNewestMigrationEvenWhenItsNameHasNoLetterD() throws Exception {
    Path migrations = Files.createDirectory(dir.resolve("migrations"));
    for (String file :
        List.of(
            "20240101_add_x.rb",
            "20260101_rename_tables.rb",
            "9_first.rb",
            "README.md",
            "helpers_dir")) {
      Files.writeString(migrations.resolve(file), "");
    }

    Result result = run(StepCommands.newestMigrationNumber(migrations.toString()));

    assertThat(result.exitCode()).isZero();
    assertThat(result.terminationMessage()).isEqualTo("20260101");
  }

  @Test
  void failsClearlyWithoutMigrations() throws Exception {
    Result result = run(StepCommands.newestMigrationNumber(dir.resolve("nowhere").toString()));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.terminationMessage()).isEmpty();
  }
}
