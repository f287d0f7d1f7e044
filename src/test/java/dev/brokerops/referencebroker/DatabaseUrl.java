package dev.brokerops.referencebroker;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * PactFlow's {@code PACTFLOW_DATABASE_URL} ({@code postgres://user:password@host:port/database}, or
 * {@code postgresql://}) turned into JDBC terms; its messages and {@link #toString()} never show
 * the password.
 */
record DatabaseUrl(String host, int port, String database, String user, String password) {

  static final String ENV = "PACTFLOW_DATABASE_URL";
  private static final String EXPECTED = "postgres://user:password@host:port/database";

  static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new BrokerFailure(ENV + " is not set (expected " + EXPECTED + ")");
    }
    String rest;
    if (url.startsWith("postgres://")) {
      rest = url.substring("postgres://".length());
    } else if (url.startsWith("postgresql://")) {
      rest = url.substring("postgresql://".length());
    } else {
      throw invalid("it must start with postgres:// or postgresql://");
    }
    // A password may hold '@' or '/' if it was percent-encoded; the last '@' ends the credentials.
    int at = rest.lastIndexOf('@');
    if (at <= 0) {
      throw invalid("it names no user");
    }
    String credentials = rest.substring(0, at);
    String location = rest.substring(at + 1);
    int colon = credentials.indexOf(':');
    String user = decode(colon < 0 ? credentials : credentials.substring(0, colon));
    String password = colon < 0 ? "" : decode(credentials.substring(colon + 1));

    int slash = location.indexOf('/');
    if (slash <= 0 || slash == location.length() - 1) {
      throw invalid("it names no host or no database");
    }
    String hostAndPort = location.substring(0, slash);
    String database = location.substring(slash + 1);
    int query = database.indexOf('?');
    if (query >= 0) {
      database = database.substring(0, query);
    }
    if (database.isEmpty() || database.contains("/")) {
      throw invalid("its database name is not valid");
    }
    String host = hostAndPort;
    int port = 5432;
    int portColon = hostAndPort.lastIndexOf(':');
    if (portColon >= 0) {
      host = hostAndPort.substring(0, portColon);
      String portText = hostAndPort.substring(portColon + 1);
      if (!portText.matches("[0-9]{1,5}")
          || Integer.parseInt(portText) == 0
          || Integer.parseInt(portText) > 65535) {
        throw invalid("its port is not a number from 1 to 65535");
      }
      port = Integer.parseInt(portText);
    }
    if (host.isEmpty() || !host.matches("[A-Za-z0-9.\\-\\[\\]:]+") || user.isEmpty()) {
      throw invalid("its host or user is not valid");
    }
    return new DatabaseUrl(host, port, decode(database), user, password);
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Where the database is, for messages: no credentials. */
  String location() {
    return host + ":" + port + "/" + database;
  }

  /**
   * A connection that gives up within seconds when the server is not there, so a Job fails instead
   * of hanging.
   */
  Connection connect(String applicationName) {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", applicationName);
    try {
      return DriverManager.getConnection(jdbcUrl(), properties);
    } catch (SQLException e) {
      throw new BrokerFailure(
          "cannot connect to the database at " + location() + ": " + firstLine(e.getMessage()), e);
    }
  }

  @Override
  public String toString() {
    return "DatabaseUrl[" + user + "@" + location() + "]";
  }

  static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline).strip();
  }

  private static BrokerFailure invalid(String why) {
    return new BrokerFailure(ENV + " is not a valid " + EXPECTED + " URL: " + why);
  }

  private static String decode(String part) {
    try {
      return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("it holds a malformed %-escape");
    }
  }
}
