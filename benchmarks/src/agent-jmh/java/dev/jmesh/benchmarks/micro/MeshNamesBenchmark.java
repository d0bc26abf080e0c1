package dev.jmesh.benchmarks.micro;

import dev.jmesh.agent.outbound.MeshNames;
import dev.jmesh.agent.outbound.ServiceDirectory;
import dev.jmesh.agent.outbound.ServiceName;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Mesh-name resolution, which the agent runs on every {@code InetAddress} look-up in the app
 * ({@code dev.jmesh.agent.outbound.MeshNames}): a name outside the mesh (the common case, which must
 * cost next to nothing), a short mesh name, a fully qualified one. 200 services in the directory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MeshNamesBenchmark {

  private MeshNames names;
  private String external;
  private String shortName;
  private String fqdn;

  @Setup
  public void setUp() {
    Set<String> services = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      services.add("default/svc-" + i);
    }
    services.add("default/bench-server");
    services.add("shop/orders");
    // A proxy rather than an anonymous class, so that the benchmark keeps compiling while the
    // interface grows; its reflective call costs a few ns on the mesh-name paths only.
    ServiceDirectory directory = (ServiceDirectory) Proxy.newProxyInstance(
        ServiceDirectory.class.getClassLoader(), new Class<?>[] {ServiceDirectory.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "hasService" -> services.contains(args[0] + "/" + args[1]);
          case "trustDomain" -> "cluster.local";
          case "hasSnapshot" -> true;
          case "instances" -> List.of();
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "benchmark directory";
          default -> method.getReturnType() == CompletableFuture.class
              ? CompletableFuture.completedFuture(null) : null;
        });
    names = new MeshNames("default", directory);
    external = new String("api.example.com");
    shortName = new String("bench-server");
    fqdn = new String("orders.shop.svc.cluster.local");
  }

  @Benchmark
  public ServiceName lookupNameOutsideMesh() {
    return names.lookup(external);
  }

  @Benchmark
  public ServiceName lookupShortMeshName() {
    return names.lookup(shortName);
  }

  @Benchmark
  public ServiceName lookupFullyQualifiedMeshName() {
    return names.lookup(fqdn);
  }
}
