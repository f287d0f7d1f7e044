package dev.brokerops.bench.postgres;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives each test parameter of type {@link PostgresDatabase} a fresh, empty
 * database on the JVM's {@link PostgresServer#shared() shared server}; a {@link PostgresServer}
 * parameter gets the server itself.
 */
public final class PostgresExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == PostgresDatabase.class || type == PostgresServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    PostgresServer server = PostgresServer.shared();
    return parameter.getParameter().getType() == PostgresServer.class
        ? server
        : server.createDatabase();
  }
}
