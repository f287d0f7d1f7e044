package dev.brokerops.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's HTTP workers: never more than the bound, and more work waits instead of failing. */
class BoundedHttpClientFactoryTest {

  @Test
  void theHttpClientRunsOnTheBoundedPool() {
    Executor executor =
        new BoundedHttpClientFactory()
            .createNewHttpClientBuilder()
            .build()
            .executor()
            .orElseThrow();

    assertThat(executor).isInstanceOf(ThreadPoolExecutor.class);
    assertThat(((ThreadPoolExecutor) executor).getMaximumPoolSize())
        .isEqualTo(BoundedHttpClientFactory.WORKERS);
  }

  @Test
  void threeTimesAsManyTasksAsWorkersAllRunOnTheBoundedNumberOfDaemonThreads() throws Exception {
    ThreadPoolExecutor workers = BoundedHttpClientFactory.workers();
    int tasks = 3 * BoundedHttpClientFactory.WORKERS;
    Set<Thread> used = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(tasks);
    try {
      for (int i = 0; i < tasks; i++) {
        workers.execute(
            () -> {
              used.add(Thread.currentThread());
              try {
                Thread.sleep(20);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              done.countDown();
            });
      }

      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(used).hasSize(BoundedHttpClientFactory.WORKERS).allMatch(Thread::isDaemon);
    } finally {
      workers.shutdownNow();
    }
  }
}
