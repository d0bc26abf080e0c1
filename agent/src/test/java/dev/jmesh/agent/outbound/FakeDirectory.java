package dev.jmesh.agent.outbound;

import dev.jmesh.api.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A service directory a test fills by hand. */
public final class FakeDirectory implements ServiceDirectory {

  public final List<ServiceInstance> instances = new CopyOnWriteArrayList<>();
  public final CompletableFuture<Void> first = new CompletableFuture<>();
  public volatile String trustDomain = "cluster.local";
  private volatile CompletableFuture<Void> next = new CompletableFuture<>();

  public FakeDirectory add(String namespace, String service, String address, Integer... ports) {
    instances.add(
        new ServiceInstance(
            service + "-" + instances.size(),
            service,
            namespace,
            "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + service,
            address,
            List.of(ports),
            Map.of()));
    first.complete(null);
    CompletableFuture<Void> waiting = next;
    next = new CompletableFuture<>();
    waiting.complete(null);
    return this;
  }

  @Override
  public boolean hasSnapshot() {
    return first.isDone();
  }

  @Override
  public CompletableFuture<?> firstSnapshot() {
    return first;
  }

  @Override
  public CompletableFuture<?> nextSnapshot() {
    return next;
  }

  @Override
  public String trustDomain() {
    return trustDomain;
  }

  @Override
  public boolean hasService(String namespace, String service) {
    return !instances(namespace, service).isEmpty();
  }

  @Override
  public List<ServiceInstance> instances(String namespace, String service) {
    return instances.stream()
        .filter(i -> i.namespace().equals(namespace) && i.service().equals(service))
        .toList();
  }
}
