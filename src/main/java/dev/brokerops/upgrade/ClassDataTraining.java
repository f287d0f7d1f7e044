package dev.brokerops.upgrade;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.plan.ImagePolicy;
import dev.brokerops.upgrade.reconcile.BrokerUpgradeReconciler;
import dev.brokerops.upgrade.reconcile.UpgradeMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.LoggerFactory;

/**
 * The classes the operator loads at start, loaded once without a cluster, for a class-data sharing
 * archive ({@code -XX:ArchiveClassesAtExit}) that the image's JVM maps instead of loading them.
 * There is no API server at image build, so a local HTTPS server (its key made here by the JDK's
 * {@code keytool}, thrown away after) answers what the start asks first: {@code /version} and a
 * list of BrokerUpgrades. The client reaches it as it reaches the API server, TLS and HTTP/1.1, so
 * those classes come from the archive too.
 */
public final class ClassDataTraining {

  private static final String PASSWORD = "training";

  private ClassDataTraining() {}

  public static void main(String[] args) throws Exception {
    LoggerFactory.getLogger(ClassDataTraining.class).debug("training class data");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMain.bindJvmMetrics(registry);
    Path keyStore = Files.createTempDirectory("class-data-training").resolve("server.p12");
    HttpsServer server = localApiServer(keyStore);
    try (KubernetesClient client =
        OperatorMain.client(
            // empty, not read from the machine: a kubeconfig there would be parsed by the
            // client's static serialization, which knows every model's kinds (700 classes)
            new ConfigBuilder(Config.empty())
                .withMasterUrl("https://127.0.0.1:" + server.getAddress().getPort())
                // trusted as the API server is in a cluster: its CA alone (the image's JVM
                // trusts no other, operator/jvm.options), so that path is trained too
                .withCaCertData(certificateAuthority(keyStore))
                .withOauthToken("training"))) {
      // what the warm-up does at every start: the client, the connection, the informers' kinds
      StartUpWarmUp.warmUp(client);
      client.resources(BrokerUpgrade.class).inAnyNamespace().list();
      Operator operator =
          new Operator(
              overrider ->
                  overrider
                      .withKubernetesClient(client)
                      .withMetrics(
                          new AggregatedMetrics(
                              List.of(MicrometerMetrics.withoutPerResourceMetrics(registry)))));
      operator.register(
          new BrokerUpgradeReconciler(
              Clock.systemUTC(),
              ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY,
              new UpgradeMetrics(registry)));
      registry.scrape();
    } finally {
      server.stop(0);
      Files.deleteIfExists(keyStore);
      Files.deleteIfExists(keyStore.getParent());
    }
  }

  /** The local server's certificate, as a kubeconfig's {@code certificate-authority-data}. */
  private static String certificateAuthority(Path keyStore)
      throws IOException, GeneralSecurityException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    String pem =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getCertificate("server").getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }

  private static HttpsServer localApiServer(Path keyStore)
      throws IOException, GeneralSecurityException, InterruptedException {
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool could not make the training key: " + output);
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, null);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext(
        "/version",
        exchange ->
            answer(exchange, "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\"}"));
    server.createContext(
        "/apis/upgrades.brokerops.dev/v1alpha1/brokerupgrades",
        exchange -> answer(exchange, StartUpWarmUp.sample(StartUpWarmUp.UPGRADES_SAMPLE)));
    server.start();
    return server;
  }

  private static void answer(HttpExchange exchange, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
