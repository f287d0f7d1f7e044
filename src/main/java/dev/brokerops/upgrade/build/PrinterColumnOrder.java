package dev.brokerops.upgrade.build;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step after Fabric8's CRD generator: puts the printer columns in the order the
 * {@code @AdditionalPrinterColumn} annotations declare them (API.md's DEPLOYMENT, CURRENT, TARGET,
 * PHASE, STEP, AGE). The generator 7.5.2 always sorts them by JSON path.
 */
public final class PrinterColumnOrder {

  private PrinterColumnOrder() {}

  public static void main(String[] args) throws IOException {
    Path crd = Path.of(args[0]);
    List<String> declared =
        Arrays.stream(BrokerUpgrade.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    CustomResourceDefinition definition =
        Serialization.unmarshal(Files.readString(crd), CustomResourceDefinition.class);
    definition
        .getSpec()
        .getVersions()
        .forEach(
            version ->
                version
                    .getAdditionalPrinterColumns()
                    .sort(
                        Comparator.comparingInt(
                            (CustomResourceColumnDefinition column) ->
                                declared.indexOf(column.getName()))));
    Files.writeString(
        crd,
        "# Generated from dev.brokerops.upgrade.api.BrokerUpgrade by `make crds`: do not edit.\n"
            + Serialization.asYaml(definition));
  }
}
