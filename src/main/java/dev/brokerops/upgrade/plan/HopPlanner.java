package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.MajorUpgradePolicy;
import dev.brokerops.upgrade.api.RunType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Applies PactFlow's version policy: which hops lead from the running version to the target. */
public final class HopPlanner {

  private HopPlanner() {}

  public static VersionPath plan(
      Version current,
      Version target,
      MajorUpgradePolicy policy,
      boolean allowDowngrade,
      Collection<String> availableVersions) {
    int order = target.compareTo(current);
    if (order == 0) {
      return new VersionPath.AlreadyThere();
    }
    if (order < 0) {
      if (!allowDowngrade) {
        return new VersionPath.Blocked(
            "DowngradeNotAllowed",
            "spec.version "
                + target
                + " is lower than the running "
                + current
                + "; a downgrade is a rollback: set spec.allowDowngrade: true to roll back, or set spec.version to "
                + current
                + " or higher");
      }
      return planRollback(current, target, policy, availableVersions);
    }
    if (target.major() == current.major() || policy == MajorUpgradePolicy.Allow) {
      return new VersionPath.Hops(RunType.Upgrade, List.of(target));
    }
    return planMajorHops(current, target, availableVersions);
  }

  /**
   * A rollback walks the upgrade path from the target to the running version backwards: an older
   * version is only known to run on the schema of the version it upgrades to in one hop.
   */
  private static VersionPath planRollback(
      Version current,
      Version target,
      MajorUpgradePolicy policy,
      Collection<String> availableVersions) {
    if (target.major() == current.major() || policy == MajorUpgradePolicy.Allow) {
      return new VersionPath.Hops(RunType.Rollback, List.of(target));
    }
    VersionPath upgrade = planMajorHops(target, current, availableVersions);
    if (upgrade instanceof VersionPath.Blocked blocked) {
      return new VersionPath.Blocked(
          "RollbackPathUnknown",
          "rolling "
              + current
              + " back to "
              + target
              + " walks the upgrade path "
              + target
              + " → "
              + current
              + " backwards, one hop at a time, and "
              + blocked.message().substring(blocked.message().indexOf("PactFlow requires")));
    }
    List<Version> upward = ((VersionPath.Hops) upgrade).hops();
    List<Version> hops = new ArrayList<>();
    for (int i = upward.size() - 2; i >= 0; i--) {
      hops.add(upward.get(i));
    }
    hops.add(target);
    return new VersionPath.Hops(RunType.Rollback, List.copyOf(hops));
  }

  // RequireLatestPatch: every major before the target's is left from its newest release.
  private static VersionPath planMajorHops(
      Version current, Version target, Collection<String> availableVersions) {
    List<Version> known =
        availableVersions.stream()
            .map(Version::parse)
            .flatMap(Optional::stream)
            .filter(version -> !version.isPreRelease())
            .toList();
    List<Version> hops = new ArrayList<>();
    Version position = current;
    for (int major = current.major(); major < target.major(); major++) {
      Optional<Version> newest = newestOfMajor(known, major);
      if (newest.isEmpty()) {
        return new VersionPath.Blocked(
            "UpgradePathUnknown", cannotProve(current, target, major, known.isEmpty()));
      }
      // The current major is left from its newest release; a major passed through is entered at its
      // newest.
      if (major != current.major() || newest.get().isNewerThan(position)) {
        hops.add(newest.get());
        position = newest.get();
      }
    }
    hops.add(target);
    return new VersionPath.Hops(RunType.Upgrade, List.copyOf(hops));
  }

  private static Optional<Version> newestOfMajor(List<Version> known, int major) {
    return known.stream()
        .filter(version -> version.major() == major)
        .max(Comparator.naturalOrder());
  }

  private static String cannotProve(Version current, Version target, int major, boolean noList) {
    String why =
        noList
            ? "spec.versionPolicy.availableVersions is empty, so the operator cannot prove which "
                + major
                + ".x release is the newest"
            : "spec.versionPolicy.availableVersions lists no " + major + ".x release";
    return "upgrading "
        + current
        + " to "
        + target
        + " crosses a major version and PactFlow requires the newest "
        + major
        + ".x patch first; "
        + why
        + ". Add the released versions to spec.versionPolicy.availableVersions"
        + " (e.g. the newest "
        + major
        + ".x), or set spec.versionPolicy.majorUpgrades: Allow to skip the check";
  }
}
