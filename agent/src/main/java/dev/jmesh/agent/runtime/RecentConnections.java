package dev.jmesh.agent.runtime;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last connections through the agent in one direction, newest first, for config_dump. */
public final class RecentConnections {

  /**
   * One connection.
   *
   * @param target what the app asked for (outbound: service FQDN and port; inbound: the port)
   * @param endpoint the other end (outbound: the instance address; inbound: the client address)
   * @param security {@code mutual_tls}, {@code none}, or why the connection was refused
   */
  public record Entry(
      Instant at,
      String target,
      String endpoint,
      String peerSpiffeId,
      String tlsProtocol,
      String cipherSuite,
      String security) {}

  private final int capacity;
  private final Deque<Entry> entries = new ArrayDeque<>();

  public RecentConnections(int capacity) {
    this.capacity = capacity;
  }

  public synchronized void add(Entry entry) {
    entries.addFirst(entry);
    while (entries.size() > capacity) {
      entries.removeLast();
    }
  }

  public synchronized List<Entry> list() {
    return new ArrayList<>(entries);
  }
}
