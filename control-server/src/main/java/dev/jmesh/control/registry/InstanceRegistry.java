package dev.jmesh.control.registry;

import dev.jmesh.api.InstanceRegistration;
import dev.jmesh.api.ServiceInstance;
import dev.jmesh.api.SnapshotAck;
import dev.jmesh.api.SpiffeId;
import dev.jmesh.control.snapshot.MeshVersion;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live instances of the mesh, in memory. Instances register, heartbeat and deregister; one that
 * misses heartbeats for {@code expirySeconds} is dropped. Every change that agents can see bumps
 * the global {@link MeshVersion}.
 */
public final class InstanceRegistry {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Comparator<RegisteredInstance> ORDER =
      Comparator.comparing((RegisteredInstance r) -> r.instance().namespace())
          .thenComparing(r -> r.instance().service())
          .thenComparing(RegisteredInstance::instanceId);

  private final MeshVersion version;
  private final Clock clock;
  private final int heartbeatIntervalSeconds;
  private final int expirySeconds;
  private final Map<String, RegisteredInstance> instancesById = new ConcurrentHashMap<>();

  public InstanceRegistry(MeshVersion version, Duration heartbeatInterval, Clock clock) {
    this.version = version;
    this.clock = clock;
    this.heartbeatIntervalSeconds = (int) Math.max(1, ceilSeconds(heartbeatInterval));
    this.expirySeconds = 3 * heartbeatIntervalSeconds;
  }

  public int heartbeatIntervalSeconds() {
    return heartbeatIntervalSeconds;
  }

  public int expirySeconds() {
    return expirySeconds;
  }

  /** Adds a new instance of {@code identity} and returns it (with its new random id). */
  public RegisteredInstance register(
      SpiffeId identity, InstanceRegistration registration, String address, long certNotAfter) {
    long now = clock.millis();
    String id = newInstanceId();
    RegisteredInstance registered =
        new RegisteredInstance(
            toServiceInstance(id, identity, registration, address),
            identity,
            registration.adminPort(),
            registration.agentVersion(),
            now,
            now,
            null,
            null,
            certNotAfter);
    instancesById.put(id, registered);
    version.bump();
    return registered;
  }

  /**
   * Records a heartbeat with the instance's current registration. Empty when the instance is not
   * registered or has already expired (the agent then registers again).
   */
  public Optional<RegisteredInstance> heartbeat(
      String instanceId, InstanceRegistration registration, String address, long certNotAfter) {
    if (expireIfStale(instanceId)) {
      return Optional.empty();
    }
    long now = clock.millis();
    boolean[] visibleChange = {false};
    RegisteredInstance updated =
        instancesById.computeIfPresent(
            instanceId,
            (id, old) -> {
              ServiceInstance instance =
                  toServiceInstance(id, old.identity(), registration, address);
              visibleChange[0] = !instance.equals(old.instance());
              return new RegisteredInstance(
                  instance,
                  old.identity(),
                  registration.adminPort(),
                  registration.agentVersion(),
                  old.registeredAtEpochMillis(),
                  now,
                  old.ackedVersion(),
                  old.nackError(),
                  certNotAfter);
            });
    if (visibleChange[0]) {
      version.bump();
    }
    return Optional.ofNullable(updated);
  }

  /** The instance, unless it is unknown or has expired. */
  public Optional<RegisteredInstance> get(String instanceId) {
    if (expireIfStale(instanceId)) {
      return Optional.empty();
    }
    return Optional.ofNullable(instancesById.get(instanceId));
  }

  /** Removes the instance; false when it was not registered. */
  public boolean deregister(String instanceId) {
    if (instancesById.remove(instanceId) == null) {
      return false;
    }
    version.bump();
    return true;
  }

  /** Records the agent's ACK or NACK of a snapshot. False when the instance is not registered. */
  public boolean recordAck(String instanceId, SnapshotAck ack) {
    return instancesById.computeIfPresent(
            instanceId,
            (id, old) ->
                new RegisteredInstance(
                    old.instance(),
                    old.identity(),
                    old.adminPort(),
                    old.agentVersion(),
                    old.registeredAtEpochMillis(),
                    old.lastHeartbeatEpochMillis(),
                    ack.accepted() ? Long.valueOf(ack.version()) : old.ackedVersion(),
                    ack.accepted() ? null : nackReason(ack),
                    old.certificateNotAfterEpochMillis()))
        != null;
  }

  /** Drops every instance whose last heartbeat is older than the expiry; returns how many. */
  public int expireStale() {
    int expired = 0;
    for (String id : List.copyOf(instancesById.keySet())) {
      if (removeIfStale(id)) {
        expired++;
      }
    }
    if (expired > 0) {
      version.bump();
    }
    return expired;
  }

  /** The live instances, ordered by namespace, service and id. */
  public List<RegisteredInstance> live() {
    long now = clock.millis();
    List<RegisteredInstance> live = new ArrayList<>();
    for (RegisteredInstance instance : instancesById.values()) {
      if (!isStale(instance, now)) {
        live.add(instance);
      }
    }
    live.sort(ORDER);
    return live;
  }

  private boolean expireIfStale(String instanceId) {
    if (removeIfStale(instanceId)) {
      version.bump();
      return true;
    }
    return false;
  }

  private boolean removeIfStale(String instanceId) {
    RegisteredInstance instance = instancesById.get(instanceId);
    return instance != null
        && isStale(instance, clock.millis())
        && instancesById.remove(instanceId, instance);
  }

  private boolean isStale(RegisteredInstance instance, long now) {
    return now - instance.lastHeartbeatEpochMillis() > expirySeconds * 1000L;
  }

  private static ServiceInstance toServiceInstance(
      String id, SpiffeId identity, InstanceRegistration registration, String address) {
    return new ServiceInstance(
        id,
        identity.service(),
        identity.namespace(),
        identity.toString(),
        address,
        registration.ports() == null ? List.of() : List.copyOf(registration.ports()),
        registration.labels() == null
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(registration.labels())));
  }

  private static String nackReason(SnapshotAck ack) {
    return ack.error() == null || ack.error().isBlank()
        ? "version " + ack.version() + " rejected without a reason"
        : ack.error();
  }

  private static String newInstanceId() {
    byte[] random = new byte[12];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static long ceilSeconds(Duration duration) {
    long seconds = duration.toSeconds();
    return duration.toNanosPart() > 0 ? seconds + 1 : seconds;
  }
}
