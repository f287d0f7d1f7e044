package dev.brokerops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

  /** Kills the processes recorded by bench instances whose JVM is gone, and removes their state. */
  static void reapAbandoned(Path stateRoot) {
    if (!Files.isDirectory(stateRoot)) {
      return;
    }
    try (var instances = Files.list(stateRoot)) {
      for (Path instance : instances.toList()) {
        long ownerPid = parsePid(instance.getFileName().toString()).orElse(-1L);
        if (ownerPid < 0 || ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        Path pids = instance.resolve("owned.pids");
        if (Files.exists(pids)) {
          for (String line : Files.readAllLines(pids)) {
            parsePid(line.trim()).flatMap(ProcessHandle::of).ifPresent(OwnedProcesses::killTree);
          }
        }
        deleteTree(instance);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot clean up abandoned bench state in " + stateRoot, e);
    }
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
