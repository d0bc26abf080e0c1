package dev.jmesh.benchmarks.micro;

import dev.jmesh.policy.MtlsMode;
import dev.jmesh.policy.MtlsPolicy;
import dev.jmesh.policy.PeerAuthentication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The inbound per-connection decision the agent makes: the effective PeerAuthentication mode of a
 * port ({@link MtlsPolicy#modeForPort}), with a mesh-wide policy, a namespace policy and a workload
 * policy with port-level overrides in force; and the per-snapshot compile step that precedes it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MtlsPolicyBenchmark {

  private List<PeerAuthentication> policies;
  private MtlsPolicy compiled;
  private int port;

  @Setup
  public void setUp() {
    policies = new ArrayList<>();
    policies.add(new PeerAuthentication("istio-system", "default", 1, null, MtlsMode.STRICT, Map.of()));
    policies.add(new PeerAuthentication("default", "default", 2, null, MtlsMode.PERMISSIVE, Map.of()));
    policies.add(new PeerAuthentication("default", "orders", 3, Map.of("app", "orders"), MtlsMode.STRICT,
        Map.of(8080, MtlsMode.PERMISSIVE, 9090, MtlsMode.DISABLE)));
    for (int i = 0; i < 50; i++) {
      policies.add(new PeerAuthentication("default", "other-" + i, 10 + i, Map.of("app", "other-" + i),
          MtlsMode.STRICT, Map.of()));
    }
    compiled = MtlsPolicy.compile(policies, "istio-system", "default", Map.of("app", "orders", "version", "v1"));
    port = 8080;
  }

  @Benchmark
  public MtlsMode modeForPortWithPortLevelOverride() {
    return compiled.modeForPort(port);
  }

  @Benchmark
  public MtlsMode modeForPortWorkloadDefault() {
    return compiled.modeForPort(8443);
  }

  @Benchmark
  public MtlsPolicy compileForSnapshot() {
    return MtlsPolicy.compile(policies, "istio-system", "default", Map.of("app", "orders", "version", "v1"));
  }
}
