package dev.brokerops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a bench's processes from outliving it. Processes it starts get {@code PR_SET_PDEATHSIG}
 * (they die with the thread that started them); processes started by libraries (kube-api-test's
 * etcd and API server) are recorded in a pid file, and a later bench kills what a crashed one left.
 */
public final class OwnedProcesses {

  private static final String REAPING = "reaping-";

  private final Path pidFile;

  OwnedProcesses(Path stateDir) {
    this.pidFile = stateDir.resolve("owned.pids");
  }

  /** Prefix for a command so that it is killed when the starting thread (kept alive) dies. */
  public static List<String> dieWithParent(List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Records every current child of this JVM, so that a later bench can clean up after a crash. */
  void recordChildren() {
    StringBuilder pids = new StringBuilder();
    ProcessHandle.current().children().forEach(child -> pids.append(child.pid()).append('\n'));
    try {
      Files.writeString(
          pidFile, pids, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + pidFile, e);
    }
  }

  /**
   * Kills the processes recorded by bench instances whose JVM is gone, and removes their state.
   * Benches starting at once (Failsafe's test JVMs, the benchmark's) may find the same abandoned
   * state: each claims it by renaming it first, and only the one whose rename succeeded reaps it.
   */
  static void reapAbandoned(Path stateRoot) {
    if (!Files.isDirectory(stateRoot)) {
      return;
    }
    try (var instances = Files.list(stateRoot)) {
      for (Path instance : instances.toList()) {
        String name = instance.getFileName().toString();
        if (name.startsWith(REAPING) && olderThan(instance, Duration.ofHours(1))) {
          // a reaper that died halfway
          deleteTree(instance);
          continue;
        }
        long ownerPid = parsePid(name).orElse(-1L);
        if (ownerPid < 0 || ownerAlive(ownerPid, instance)) {
          continue;
        }
        Path claimed = stateRoot.resolve(REAPING + name + "-" + ProcessHandle.current().pid());
        try {
          Files.move(instance, claimed, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException taken) {
          continue; // another bench is reaping it
        }
        Path pids = claimed.resolve("owned.pids");
        if (Files.exists(pids)) {
          Instant recorded = Files.getLastModifiedTime(pids).toInstant();
          for (String line : Files.readAllLines(pids)) {
            parsePid(line.trim())
                .flatMap(ProcessHandle::of)
                // only a process that was running when it was recorded, not a later one under
                // the same pid
                .filter(
                    process ->
                        process
                            .info()
                            .startInstant()
                            .map(started -> !started.isAfter(recorded))
                            .orElse(false))
                .ifPresent(OwnedProcesses::killTree);
          }
        }
        deleteTree(claimed);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot clean up abandoned bench state in " + stateRoot, e);
    }
  }

  /**
   * The bench's JVM still runs: a live process under its pid that started before its state folder
   * was made (pids are reused, and a stranger under an old pid is not the owner).
   */
  private static boolean ownerAlive(long pid, Path stateDir) throws IOException {
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return false;
    }
    Instant made =
        Files.readAttributes(stateDir, BasicFileAttributes.class).lastModifiedTime().toInstant();
    return process
        .get()
        .info()
        .startInstant()
        .map(started -> !started.isAfter(made.plusSeconds(1)))
        .orElse(true);
  }

  private static boolean olderThan(Path path, Duration age) throws IOException {
    return Files.getLastModifiedTime(path).toInstant().isBefore(Instant.now().minus(age));
  }

  /** SIGKILL for a process and everything below it. */
  public static void killTree(ProcessHandle process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort: the process may already be gone
    }
  }

  private static Optional<Long> parsePid(String text) {
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static void deleteTree(Path dir) {
    try {
      Folders.delete(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot remove " + dir, e);
    }
  }
}
