package dev.brokerops.bench.postgres;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** One database on a {@link PostgresServer}, with the URLs a test or a broker needs to reach it. */
public record PostgresDatabase(String host, int port, String name, String user, String password) {

  /**
   * The JDBC URL, without credentials (pass {@link #user()} and {@link #password()} separately).
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + name;
  }

  /**
   * The URL PactFlow expects in {@code PACTFLOW_DATABASE_URL}: {@code
   * postgres://user:password@host:port/name}.
   */
  public String brokerUrl() {
    return brokerUrl("postgres");
  }

  /** The broker URL with another scheme, e.g. {@code postgresql}, which PactFlow accepts too. */
  public String brokerUrl(String scheme) {
    return scheme
        + "://"
        + encode(user)
        + ":"
        + encode(password)
        + "@"
        + host
        + ":"
        + port
        + "/"
        + name;
  }

  /** A new connection as the database's owner; the caller closes it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user, password);
  }

  /** Keeps the password out of logs and assertion messages. */
  @Override
  public String toString() {
    return "PostgresDatabase[" + user + "@" + host + ":" + port + "/" + name + "]";
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
