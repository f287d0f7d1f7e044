package dev.brokerops.upgrade.logging;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.RunStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.MDC;

/**
 * Which BrokerUpgrade this thread's log lines are about: {@code namespace}, {@code name}, {@code
 * run} (status.run.id) and {@code step} (status.step) in the MDC, for {@link LogLineLayout}. Opened
 * around one pass; {@link #close()} puts back exactly what was there before (nothing, normally),
 * and leaves every other MDC key (JOSDK's) alone.
 *
 * <pre>{@code
 * try (UpgradeLogContext log = UpgradeLogContext.open(upgrade)) { ... log.update(newStatus); ... }
 * }</pre>
 */
public final class UpgradeLogContext implements AutoCloseable {

  public static final String NAMESPACE = "namespace";
  public static final String NAME = "name";
  public static final String RUN = "run";
  public static final String STEP = "step";
  private static final List<String> KEYS = List.of(NAMESPACE, NAME, RUN, STEP);

  private final Map<String, String> before = new HashMap<>();

  private UpgradeLogContext() {
    KEYS.forEach(key -> before.put(key, MDC.get(key)));
  }

  /** The BrokerUpgrade's namespace and name, and the run and step its status names. */
  public static UpgradeLogContext open(BrokerUpgrade upgrade) {
    UpgradeLogContext context = new UpgradeLogContext();
    if (upgrade.getMetadata() != null) {
      put(NAMESPACE, upgrade.getMetadata().getNamespace());
      put(NAME, upgrade.getMetadata().getName());
    }
    context.update(upgrade.getStatus());
    return context;
  }

  /**
   * The run and step of a status just decided, so the lines that tell of it carry them; a status
   * without a run or step removes them.
   */
  public void update(BrokerUpgradeStatus status) {
    Optional<BrokerUpgradeStatus> known = Optional.ofNullable(status);
    put(RUN, known.map(BrokerUpgradeStatus::getRun).map(RunStatus::getId).orElse(null));
    put(STEP, known.map(BrokerUpgradeStatus::getStep).orElse(null));
  }

  @Override
  public void close() {
    before.forEach(UpgradeLogContext::put);
  }

  private static void put(String key, String value) {
    if (value == null || value.isBlank()) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
