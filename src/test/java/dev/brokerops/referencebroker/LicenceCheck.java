package dev.brokerops.referencebroker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Refuses to run without a licence file, as PactFlow does; the file's content is not checked. */
final class LicenceCheck {

  static final String FILE_NAME = "pactflow-onprem.lic";
  static final Path DEFAULT_LOCATION = Path.of("/home", FILE_NAME);
  static final String DIRECTORY_ENV = "RG_LIC_PATH";

  private LicenceCheck() {}

  static void requireLicence(Map<String, String> environment) {
    if (Files.isRegularFile(DEFAULT_LOCATION)) {
      return;
    }
    String directory = environment.get(DIRECTORY_ENV);
    if (directory != null
        && !directory.isBlank()
        && Files.isRegularFile(Path.of(directory, FILE_NAME))) {
      return;
    }
    throw new BrokerFailure(
        "no licence file: mount "
            + FILE_NAME
            + " at "
            + DEFAULT_LOCATION
            + " or in the directory named by "
            + DIRECTORY_ENV
            + (directory == null ? "" : " (" + DIRECTORY_ENV + "=" + directory + " has none)"));
  }
}
