package dev.brokerops.upgrade.reconcile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Decodes a model object whose fields the operator never reads one by one, only copies or checks
 * for presence (a volume, a security context, a probe): an empty object of its class holding the
 * JSON, as is, in its additional properties, which the model writes back out as they came. So the
 * copy a Job gets is the same JSON, and the typed decoder of the class and of everything it holds,
 * with the classes behind them, is never built.
 *
 * @param <T> a Fabric8 model class
 */
final class KeptWhole<T> extends StdDeserializer<T> {

  /** How a model class takes a field it has no typed property for. */
  @FunctionalInterface
  interface AdditionalProperty<T> {
    void set(T object, String name, Object value);
  }

  private final Supplier<T> create;
  private final AdditionalProperty<T> keep;
  private final BiConsumer<T, String> name;

  private KeptWhole(
      Class<T> type, Supplier<T> create, AdditionalProperty<T> keep, BiConsumer<T, String> name) {
    super(type);
    this.create = create;
    this.keep = keep;
    this.name = name;
  }

  /** Every field kept as JSON. */
  static <T> KeptWhole<T> of(Class<T> type, Supplier<T> create, AdditionalProperty<T> keep) {
    return new KeptWhole<>(type, create, keep, null);
  }

  /** Every field kept as JSON but {@code name}, which is read (a volume's, to find its mounts). */
  static <T> KeptWhole<T> named(
      Class<T> type, Supplier<T> create, AdditionalProperty<T> keep, BiConsumer<T, String> name) {
    return new KeptWhole<>(type, create, keep, name);
  }

  @Override
  public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = context.readValue(parser, LinkedHashMap.class);
    T object = create.get();
    fields.forEach(
        (field, value) -> {
          if (name != null && field.equals("name") && value instanceof String text) {
            name.accept(object, text);
          } else {
            keep.set(object, field, value);
          }
        });
    return object;
  }
}
