package dev.brokerops.bench.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bench's pod IPs. Processes share the host's network, so each pod gets an address of its own
 * on this host, which a server binds to ({@code status.podIP}).
 *
 * <p>EndpointSlices refuse loopback addresses. Pods get addresses from 198.18.0.0/15 (RFC 2544's
 * benchmarking range) ONLY where that range is already local, which is inside a network namespace
 * made for the bench (e.g. {@code unshare --net} with {@code ip link set lo up; ip route add local
 * 198.18.0.0/15 dev lo table local} run inside it): the bench never adds routes in the host's own
 * network namespace, where traffic may go only to loopback addresses (workplace rule). Elsewhere
 * pods get loopback addresses ({@code 127.B.x.y}) as before: everything else works, but Services
 * get no endpoints.
 *
 * <p>Each bench takes its own block from its JVM's pid, so two benches on one machine (Failsafe's
 * two test JVMs) almost never share one; a block's addresses are reused once their pod is gone,
 * oldest first.
 */
final class PodAddresses {

  private static final Logger log = LoggerFactory.getLogger(PodAddresses.class);
  static final String ROUTABLE_RANGE = "198.18.0.0/15";
  private static final int ROUTABLE_BLOCK_SIZE = 2048;
  private static final int ROUTABLE_BLOCKS = 64;

  private final boolean routable;
  private final long blockBase;
  private final int blockSize;
  private final Deque<String> released = new ArrayDeque<>();
  private int next = 1;

  private PodAddresses(boolean routable, long blockBase, int blockSize) {
    this.routable = routable;
    this.blockBase = blockBase;
    this.blockSize = blockSize;
  }

  /** This bench's block: in 198.18.0.0/15 if that range is local (in the bench's own netns). */
  static PodAddresses forBench(long pid) {
    long routableBase = toLong(198, 18, 0, 0) + (pid % ROUTABLE_BLOCKS) * ROUTABLE_BLOCK_SIZE;
    String probe = toAddress(routableBase + 1);
    if (bindable(probe)) {
      log.info("pod IPs from {} (block {}/21)", ROUTABLE_RANGE, toAddress(routableBase));
      return new PodAddresses(true, routableBase, ROUTABLE_BLOCK_SIZE);
    }
    log.info(
        "{} is not local here (it is only inside a network namespace made for the bench): pods"
            + " get loopback addresses, which EndpointSlices refuse, so Services get no endpoints",
        ROUTABLE_RANGE);
    return new PodAddresses(false, toLong(127, 1 + (int) (pid % 254), 0, 0), 1 << 16);
  }

  boolean routable() {
    return routable;
  }

  /** An address no pod of this bench holds. */
  String take() {
    if (next < blockSize - 1) {
      return toAddress(blockBase + next++);
    }
    if (released.isEmpty()) {
      throw new IllegalStateException("the bench's " + blockSize + " pod addresses are all taken");
    }
    return released.removeFirst();
  }

  /** The address's pod is gone from this node: it may go to another pod, after older ones. */
  void release(String address) {
    released.addLast(address);
  }

  private static boolean bindable(String address) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long toLong(int a, int b, int c, int d) {
    return ((long) a << 24) | ((long) b << 16) | ((long) c << 8) | d;
  }

  private static String toAddress(long value) {
    return ((value >> 24) & 255)
        + "."
        + ((value >> 16) & 255)
        + "."
        + ((value >> 8) & 255)
        + "."
        + (value & 255);
  }
}
