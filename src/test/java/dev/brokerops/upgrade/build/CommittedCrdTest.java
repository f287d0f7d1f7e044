package dev.brokerops.upgrade.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code crds/} is exactly the CRD the build generates from the Java types (into
 * {@code target/generated-crds/} in process-classes, before the unit tests): a stale one fails the
 * build instead of being overwritten silently. {@code make crds} brings it up to date.
 */
class CommittedCrdTest {

  private static final String FILE = "brokerupgrades.upgrades.brokerops.dev-v1.yml";
  private static final int MAX_DIFF_LINES = 40;

  @Test
  void committedCrdIsTheOneTheBuildGenerates() throws IOException {
    Path generated =
        Path.of(System.getProperty("crd.generated.dir", "target/generated-crds")).resolve(FILE);
    Path committed = Path.of("crds").resolve(FILE);
    assertThat(generated)
        .as("the build generates the CRD in process-classes: run mvn process-classes first")
        .exists();
    assertThat(committed).as("the committed CRD: run `make crds` and commit it").exists();

    List<String> want = Files.readAllLines(generated);
    List<String> have = Files.readAllLines(committed);
    if (!have.equals(want)) {
      fail(
          committed
              + " is stale: it differs from the CRD the build generated from the Java types in"
              + " src/main/java/dev/brokerops/upgrade/api ("
              + generated
              + "). Run `make crds` and commit crds/.\n"
              + diff(have, want));
    }
  }

  /**
   * The lines only the committed file has ({@code -}) and only the generated one has ({@code +}),
   * with their line numbers, in file order (a longest-common-subsequence diff).
   */
  static String diff(List<String> committed, List<String> generated) {
    int n = committed.size();
    int m = generated.size();
    int[][] common = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        common[i][j] =
            committed.get(i).equals(generated.get(j))
                ? common[i + 1][j + 1] + 1
                : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    List<String> lines = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && committed.get(i).equals(generated.get(j))) {
        i++;
        j++;
      } else if (i < n && (j == m || common[i + 1][j] >= common[i][j + 1])) {
        lines.add("- committed line " + (i + 1) + ": " + committed.get(i));
        i++;
      } else {
        lines.add("+ generated line " + (j + 1) + ": " + generated.get(j));
        j++;
      }
    }
    StringBuilder text = new StringBuilder();
    lines.stream().limit(MAX_DIFF_LINES).forEach(line -> text.append(line).append('\n'));
    if (lines.size() > MAX_DIFF_LINES) {
      text.append("… and ").append(lines.size() - MAX_DIFF_LINES).append(" more differing lines\n");
    }
    return text.toString();
  }
}
