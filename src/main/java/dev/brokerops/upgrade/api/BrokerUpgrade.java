package dev.brokerops.upgrade.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** The version one PactFlow Deployment should run, and the record of getting it there. */
@Group(BrokerUpgrade.GROUP)
@Version(BrokerUpgrade.VERSION)
@Kind("BrokerUpgrade")
@Plural("brokerupgrades")
@Singular("brokerupgrade")
@ShortNames("bu")
// API.md's column order. crd-generator 7.5.2 sorts columns by jsonPath; the build's
// PrinterColumnOrder step
// puts them back in the order declared here.
@AdditionalPrinterColumn(
    name = "Deployment",
    jsonPath = ".spec.deployment",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Current",
    jsonPath = ".status.currentVersion",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Target",
    jsonPath = ".spec.version",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Step",
    jsonPath = ".status.step",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class BrokerUpgrade extends CustomResource<BrokerUpgradeSpec, BrokerUpgradeStatus>
    implements Namespaced {

  public static final String GROUP = "upgrades.brokerops.dev";
  public static final String VERSION = "v1alpha1";

  /** Setting this annotation to a new value starts a fresh run after a failure. */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";

  @Override
  protected BrokerUpgradeStatus initStatus() {
    return new BrokerUpgradeStatus();
  }
}
