package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.MajorUpgradePolicy;
import dev.brokerops.upgrade.api.RunType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HopPlannerTest {

  private static final List<String> RELEASED =
      List.of(
          "1.14.0", "1.17.2", "1.17.3", "1.9.9", "2.0.0", "2.1.0", "2.2.0-rc.1", "3.0.0", "3.1.4");

  private static VersionPath plan(
      String from,
      String to,
      MajorUpgradePolicy policy,
      boolean allowDowngrade,
      List<String> available) {
    return HopPlanner.plan(Version.of(from), Version.of(to), policy, allowDowngrade, available);
  }

  @ParameterizedTest(name = "{0} → {1} plans {2}")
  @CsvSource(
      delimiter = ';',
      value = {
        "2.3.0; 2.4.1; 2.4.1", // minor: one hop
        "2.4.0; 2.4.1; 2.4.1", // patch: one hop
        "1.14.0; 2.1.0; 1.17.3 2.1.0", // through the newest 1.x
        "1.17.3; 2.1.0; 2.1.0", // already on the newest 1.x
        "1.14.0; 3.1.4; 1.17.3 2.1.0 3.1.4", // through every major's newest; the 2.2.0-rc.1
        // pre-release is no patch
        "1.18.0; 2.0.0; 2.0.0", // newer than the list knows: nothing newer to reach first
      })
  void plansHops(String from, String to, String hops) {
    VersionPath path = plan(from, to, MajorUpgradePolicy.RequireLatestPatch, false, RELEASED);

    assertThat(path)
        .isInstanceOfSatisfying(
            VersionPath.Hops.class,
            h -> {
              assertThat(h.type()).isEqualTo(RunType.Upgrade);
              assertThat(h.asStrings()).containsExactlyElementsOf(Arrays.asList(hops.split(" ")));
            });
  }

  @Test
  void blocksAMajorUpgradeItCannotProveAndSaysWhatToSet() {
    VersionPath path =
        plan("1.14.0", "2.1.0", MajorUpgradePolicy.RequireLatestPatch, false, List.of());

    assertThat(path)
        .isInstanceOfSatisfying(
            VersionPath.Blocked.class,
            blocked -> {
              assertThat(blocked.reason()).isEqualTo("UpgradePathUnknown");
              assertThat(blocked.message())
                  .contains(
                      "1.x",
                      "spec.versionPolicy.availableVersions",
                      "spec.versionPolicy.majorUpgrades: Allow");
            });
  }

  @Test
  void blocksWhenAnIntermediateMajorIsNotListed() {
    VersionPath path =
        plan(
            "1.17.3",
            "3.0.0",
            MajorUpgradePolicy.RequireLatestPatch,
            false,
            List.of("1.17.3", "3.0.0"));

    assertThat(path)
        .isInstanceOfSatisfying(
            VersionPath.Blocked.class,
            blocked -> assertThat(blocked.message()).contains("lists no 2.x release"));
  }

  @Test
  void allowSkipsTheCheck() {
    assertThat(plan("1.14.0", "3.0.0", MajorUpgradePolicy.Allow, false, List.of()))
        .isEqualTo(new VersionPath.Hops(RunType.Upgrade, List.of(Version.of("3.0.0"))));
  }

  @Test
  void refusesADowngradeUnlessAllowed() {
    assertThat(plan("2.4.1", "2.3.0", MajorUpgradePolicy.RequireLatestPatch, false, List.of()))
        .isInstanceOfSatisfying(
            VersionPath.Blocked.class,
            blocked -> assertThat(blocked.message()).contains("spec.allowDowngrade: true"));
    assertThat(plan("2.4.1", "2.3.0", MajorUpgradePolicy.RequireLatestPatch, true, List.of()))
        .isEqualTo(new VersionPath.Hops(RunType.Rollback, List.of(Version.of("2.3.0"))));
  }

  @Test
  void theSameVersionNeedsNoRun() {
    assertThat(plan("2.4.1", "2.4.1", MajorUpgradePolicy.RequireLatestPatch, false, List.of()))
        .isInstanceOf(VersionPath.AlreadyThere.class);
  }
}
