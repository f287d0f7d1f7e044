package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.plan.Notice;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people: one structured log line per notice, and a Kubernetes Event on the BrokerUpgrade for
 * those that are events.
 */
final class EventRecorder {

  static final String COMPONENT = "brokerupgrade-operator";
  private static final Logger LOG = LoggerFactory.getLogger("dev.brokerops.upgrade.transitions");

  private final KubernetesClient client;

  EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  void record(BrokerUpgrade upgrade, Notice notice, Instant now) {
    String type = notice.warning() ? "Warning" : "Normal";
    // Notice messages are built from status fields that are already redacted; nothing secret
    // reaches here.
    String line =
        "brokerupgrade="
            + upgrade.getMetadata().getNamespace()
            + "/"
            + upgrade.getMetadata().getName()
            + " type="
            + type
            + " reason="
            + notice.reason()
            + " message=\""
            + notice.message().replace("\"", "'")
            + "\"";
    if (notice.warning()) {
      LOG.warn(line);
    } else {
      LOG.info(line);
    }
    if (!notice.event()) {
      return;
    }
    try {
      client
          .v1()
          .events()
          .inNamespace(upgrade.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(upgrade.getMetadata().getName() + ".")
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(upgrade.getApiVersion())
                          .withKind(upgrade.getKind())
                          .withName(upgrade.getMetadata().getName())
                          .withNamespace(upgrade.getMetadata().getNamespace())
                          .withUid(upgrade.getMetadata().getUid())
                          .withResourceVersion(upgrade.getMetadata().getResourceVersion())
                          .build())
                  .withType(type)
                  .withReason(notice.reason())
                  .withMessage(notice.message())
                  .withFirstTimestamp(now.toString())
                  .withLastTimestamp(now.toString())
                  .withCount(1)
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // An event that cannot be written must not stop the upgrade; the log line above has it.
      LOG.warn(
          "could not record event {} on {}: {}",
          notice.reason(),
          upgrade.getMetadata().getName(),
          e.getMessage());
    }
  }
}
