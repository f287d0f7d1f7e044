package dev.brokerops.bench;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** Informer event handlers the tests share. */
public final class InformerHandlers {

  private InformerHandlers() {}

  /**
   * Hands {@code seen} every state the informer sees of a resource: when it is listed or added, and
   * after each update. A deletion is ignored.
   */
  public static <T> ResourceEventHandler<T> everyState(Consumer<? super T> seen) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T resource) {
        seen.accept(resource);
      }

      @Override
      public void onUpdate(T before, T after) {
        seen.accept(after);
      }

      @Override
      public void onDelete(T resource, boolean finalStateUnknown) {}
    };
  }
}
