package dev.brokerops.upgrade;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.http.HttpClient;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's JDK HTTP client with a bounded pool of worker threads. Its workers decrypt what the
 * API server sends and decode lists and watch events, all work for a CPU and none of it blocking;
 * the default pool is unbounded (a cached pool) and grew from 5 to 15 threads while 100
 * BrokerUpgrades upgraded at once, each new thread a stack of about 94 KB resident (make bench, the
 * leader's threads sampled from {@code /proc}). Here there are at most twice as many as the
 * processors, at least 4; a thread idle for a minute ends, as in the default pool.
 */
final class BoundedHttpClientFactory extends JdkHttpClientFactory {

  static final int WORKERS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  @Override
  protected HttpClient.Builder createNewHttpClientBuilder() {
    return HttpClient.newBuilder().executor(workers());
  }

  static ThreadPoolExecutor workers() {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory threads =
        task -> {
          Thread thread = new Thread(task, "http-worker-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            WORKERS, WORKERS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
