package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The planner's answer: one action, the status that holds once it is done, what to tell people, and
 * when to look again if no event would come (only a rollout timeout needs that).
 */
public record Decision(
    Action action,
    BrokerUpgradeStatus status,
    List<Notice> notices,
    Optional<Duration> recheckAfter) {}
