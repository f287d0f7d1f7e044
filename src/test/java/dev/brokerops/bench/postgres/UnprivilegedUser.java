package dev.brokerops.bench.postgres;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The system user PostgreSQL runs as when this JVM is root (initdb and postgres refuse to run as
 * root): created on first use with {@code useradd --system}, switched to with {@code setpriv}. When
 * the JVM is not root, it runs PostgreSQL as itself.
 */
final class UnprivilegedUser {

  static final String NAME = "brokerops-pg";

  private final String name;
  private final boolean switchNeeded;

  private UnprivilegedUser(String name, boolean switchNeeded) {
    this.name = name;
    this.switchNeeded = switchNeeded;
  }

  /** The user to run PostgreSQL as, created if this JVM is root and it is missing. */
  static UnprivilegedUser forPostgres() {
    if (new UnixSystem().getUid() != 0) {
      return new UnprivilegedUser(System.getProperty("user.name"), false);
    }
    if (!exists(NAME)) {
      // Two JVMs may race here; useradd then fails for one of them, which is fine if the user
      // exists after.
      run(
          List.of(
              "useradd",
              "--system",
              "--user-group",
              "--no-create-home",
              "--home-dir",
              "/nonexistent",
              "--shell",
              "/usr/sbin/nologin",
              "--comment",
              "PostgreSQL for the brokerops test bench",
              NAME));
      if (!exists(NAME)) {
        throw new IllegalStateException(
            "Could not create system user "
                + NAME
                + " to run PostgreSQL as (useradd from Debian's 'passwd' package is needed when running as root)");
      }
    }
    return new UnprivilegedUser(NAME, true);
  }

  /**
   * The command prefix that runs a program as this user. {@code parentDeathSignal}, when not null,
   * is delivered to the program when the thread that started it dies (so a killed JVM leaves no
   * server behind); setpriv sets it after switching user, so it survives the switch.
   */
  List<String> commandPrefix(String parentDeathSignal) {
    List<String> prefix = new ArrayList<>();
    if (switchNeeded || parentDeathSignal != null) {
      prefix.add("setpriv");
      if (switchNeeded) {
        prefix.addAll(List.of("--reuid=" + name, "--regid=" + name, "--clear-groups"));
      }
      if (parentDeathSignal != null) {
        prefix.add("--pdeathsig=" + parentDeathSignal);
      }
      prefix.add("--");
    }
    return prefix;
  }

  /** Gives a file or folder to this user, so PostgreSQL may write it. */
  void own(Path path) throws IOException {
    if (!switchNeeded) {
      return;
    }
    UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(path, lookup.lookupPrincipalByName(name));
    Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class)
        .setGroup(lookup.lookupPrincipalByGroupName(name));
  }

  String name() {
    return name;
  }

  private static boolean exists(String user) {
    return run(List.of("id", "-u", user)) == 0;
  }

  private static int run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command.get(0) + " did not finish within 60 s");
      }
      if (process.exitValue() != 0 && !command.get(0).equals("id")) {
        System.err.println(command.get(0) + ": " + output.strip());
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new IllegalStateException("Could not run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + command.get(0), e);
    }
  }
}
