package dev.brokerops.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/troubleshooting.md explains every reason the operator can write on a condition, a step or an
 * event.
 *
 * <p>Reasons are passed in many ways (Notice.warning, Verdict.blocked, StepBook.fail, condition
 * builders, constants, the set of pod waiting reasons a Job step fails on), so this does not look
 * for the ways: it takes every string literal in src/main/java that is one UpperCamelCase word, the
 * shape of a Kubernetes reason. Each must be a heading of the page, or one of the words below that
 * the code uses for something else. A new reason, however it is passed, fails this test until the
 * page explains it.
 */
class TroubleshootingReasonsTest {

  static final Path SOURCES = Path.of("src", "main", "java");
  static final Path PAGE = Path.of("docs", "troubleshooting.md");

  /** One-word literals of the code that are not reasons it writes, and what they are instead. */
  static final Map<String, String> NOT_REASONS =
      Map.ofEntries(
          Map.entry("Ready", "condition type"),
          Map.entry("Progressing", "condition type (ours and the Deployment's)"),
          Map.entry("Degraded", "condition type"),
          Map.entry("Stalled", "condition type (kstatus)"),
          Map.entry("True", "condition status"),
          Map.entry("False", "condition status"),
          Map.entry("Normal", "event type"),
          Map.entry("Warning", "event type"),
          Map.entry("Failed", "Job condition type the operator reads"),
          Map.entry("Deployment", "kind"),
          Map.entry("ReplicaSet", "kind"),
          Map.entry("Job", "kind"),
          Map.entry("BrokerUpgrade", "kind"),
          Map.entry("BrokerUpgradeList", "kind (of the start-up warm-up's sample list)"),
          Map.entry("Recreate", "Deployment strategy the operator reads"),
          Map.entry("FallbackToLogsOnError", "terminationMessagePolicy of the Jobs"),
          Map.entry("Never", "restartPolicy of the Jobs"),
          Map.entry("Running", "a word of the DeletedMidRun message"),
          Map.entry("Completed", "a word of the DeletedMidRun message"),
          Map.entry("Halt", "spec.onFailure value"),
          Map.entry("RequireLatestPatch", "spec.versionPolicy.majorUpgrades value"),
          Map.entry("Age", "printer column"),
          Map.entry("Current", "printer column"),
          Map.entry("Target", "printer column"),
          Map.entry("Phase", "printer column"),
          Map.entry("Step", "printer column"));

  /**
   * Reasons the page explains before the code on this branch sets them, because a change that sets
   * them is under way elsewhere; the check that the page names no reason the code lacks skips them.
   */
  static final Set<String> ANNOUNCED = Set.of("ImageNotAllowed");

  private static final Pattern ONE_WORD_LITERAL =
      Pattern.compile("\"([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*)\"");
  private static final Pattern HEADING = Pattern.compile("^#{2,4} (.*)$");
  private static final Pattern BACKTICKED = Pattern.compile("`([A-Za-z]+)`");

  @Test
  void everyReasonTheCodeSetsIsExplainedOnThePage() {
    Set<String> explained = reasonsOnThePage();
    Map<String, String> unexplained = new TreeMap<>();
    reasonLiteralsInTheCode()
        .forEach(
            (reason, where) -> {
              if (!explained.contains(reason) && !NOT_REASONS.containsKey(reason)) {
                unexplained.put(reason, where);
              }
            });
    assertThat(unexplained)
        .as(
            "reasons in the code (reason=first file that has it) without a heading in "
                + PAGE
                + "; explain each there, or, if the word is not a reason the operator writes, add"
                + " it to NOT_REASONS with what it is")
        .isEmpty();
  }

  @Test
  void everyReasonOnThePageIsOneTheCodeSets() {
    Set<String> inCode = reasonLiteralsInTheCode().keySet();
    Set<String> stale = new TreeSet<>(reasonsOnThePage());
    stale.removeAll(inCode);
    stale.removeAll(ANNOUNCED);
    assertThat(stale)
        .as("reasons " + PAGE + " explains that no source file in " + SOURCES + " has")
        .isEmpty();
  }

  @Test
  void theWordsThatAreNotReasonsAreStillInTheCode() {
    Set<String> gone = new TreeSet<>(NOT_REASONS.keySet());
    gone.removeAll(reasonLiteralsInTheCode().keySet());
    assertThat(gone).as("NOT_REASONS entries no source file has any more: remove them").isEmpty();
  }

  @Test
  void theScanFindsTheReasonsOfEveryKind() {
    // A condition builder's, a Verdict's, a step's, an event's, a constant's and a pod state's.
    assertThat(reasonLiteralsInTheCode())
        .containsKeys(
            "AtTargetVersion",
            "DeploymentPaused",
            "JobVanished",
            "RollbackStarted",
            "DeletedMidRun",
            "ImagePullBackOff",
            "ReconcileError",
            "JobRefused");
  }

  /** Each one-word literal outside comments, with the first file that has it. */
  static Map<String, String> reasonLiteralsInTheCode() {
    Map<String, String> found = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        for (String line : Files.readAllLines(file)) {
          String code = line.strip();
          if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) {
            continue;
          }
          Matcher literal = ONE_WORD_LITERAL.matcher(code);
          while (literal.find()) {
            found.putIfAbsent(literal.group(1), SOURCES.relativize(file).toString());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  /** The reasons the page has a heading for: every backticked word of a heading. */
  static Set<String> reasonsOnThePage() {
    Set<String> reasons = new TreeSet<>();
    try {
      List<String> lines = Files.readAllLines(PAGE);
      for (String line : lines) {
        Matcher heading = HEADING.matcher(line);
        if (heading.matches()) {
          Matcher word = BACKTICKED.matcher(heading.group(1));
          while (word.find()) {
            reasons.add(word.group(1));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return reasons;
  }
}
