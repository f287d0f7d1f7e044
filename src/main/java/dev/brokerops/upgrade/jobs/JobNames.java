package dev.brokerops.upgrade.jobs;

import dev.brokerops.upgrade.api.StepName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic, label-safe names for a run's Jobs, so a restarted operator finds the Job it
 * already made.
 */
public final class JobNames {

  /** Pods get the Job name as a label value, so it must fit in 63 characters. */
  public static final int MAX_LENGTH = 63;

  private static final Pattern STEP_JOB = Pattern.compile("(.+)-r[0-9]+-[0-9]+-[a-z]+");

  private JobNames() {}

  public static String forStep(String upgradeName, String runId, int stepIndex, StepName step) {
    String suffix = "-" + runId + "-" + stepIndex + "-" + shortName(step);
    return fit(upgradeName, MAX_LENGTH - suffix.length()) + suffix;
  }

  /**
   * The BrokerUpgrade a step's Job name was made for, read back from the name alone; empty when the
   * name is not a step's, or its upgrade name was shortened to fit.
   */
  public static Optional<String> upgradeNameOf(String jobName) {
    Matcher matcher = STEP_JOB.matcher(jobName);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** A value for a label: the name itself when it fits, else a prefix plus a hash of the whole. */
  public static String labelValue(String name) {
    return fit(name, MAX_LENGTH);
  }

  static String shortName(StepName step) {
    return switch (step) {
      case RecordDatabaseVersion -> "dbversion";
      case SchemaMigration -> "schema";
      case DataMigration -> "data";
      case FindMigrationTarget -> "target";
      case MigrateDown -> "down";
      case VerifyDatabaseVersion -> "verify";
      default -> step.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String fit(String name, int max) {
    if (name.length() <= max) {
      return name;
    }
    String hash = sha256(name).substring(0, 6);
    String prefix = name.substring(0, max - hash.length() - 1);
    // A DNS label may not end with '-' before the joining '-'.
    while (prefix.endsWith("-") || prefix.endsWith(".")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return prefix + "-" + hash;
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
