package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** `spec.versionPolicy`: which version paths are allowed and which versions exist. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionPolicySpec {

  @Default("RequireLatestPatch")
  @JsonPropertyDescription(
      "RequireLatestPatch: reach the newest patch of the previous major before the next major. Allow: go straight.")
  private MajorUpgradePolicy majorUpgrades = MajorUpgradePolicy.RequireLatestPatch;

  @ValidationRule(
      value = "self.all(v, " + BrokerUpgradeSpec.VERSION_RULE_ITEM + ")",
      message =
          "every entry of availableVersions must look like MAJOR.MINOR.PATCH with an optional -suffix, e.g. 1.17.3")
  @JsonPropertyDescription(
      "The versions that exist; lets the operator find the newest patch of a major and plan the intermediate hop.")
  @Size(max = 500)
  private List<@Size(max = BrokerUpgradeSpec.MAX_VERSION_LENGTH) String> availableVersions =
      new ArrayList<>();

  public MajorUpgradePolicy getMajorUpgrades() {
    return majorUpgrades == null ? MajorUpgradePolicy.RequireLatestPatch : majorUpgrades;
  }

  public void setMajorUpgrades(MajorUpgradePolicy majorUpgrades) {
    this.majorUpgrades = majorUpgrades;
  }

  public List<String> getAvailableVersions() {
    return availableVersions == null ? List.of() : availableVersions;
  }

  public void setAvailableVersions(List<String> availableVersions) {
    this.availableVersions = availableVersions;
  }
}
