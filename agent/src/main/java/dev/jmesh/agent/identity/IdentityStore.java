package dev.jmesh.agent.identity;

import dev.jmesh.bootstrap.AgentLog;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The workload's current certificate and the mesh trust bundle. Both change at run time (renewal,
 * CA rotation); listeners hear about every change and rebuild what depends on them.
 */
public final class IdentityStore {

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<WorkloadCertificate> firstCertificate = new CompletableFuture<>();
  private volatile WorkloadCertificate certificate;
  private volatile MeshTrustBundle trustBundle;

  /** The current certificate, or null before the first one arrives. */
  public WorkloadCertificate certificate() {
    return certificate;
  }

  /** The current trust bundle, or null before the first one arrives. */
  public MeshTrustBundle trustBundle() {
    return trustBundle;
  }

  /** Completes when the first certificate (with a trust bundle) is in place. */
  public CompletableFuture<WorkloadCertificate> firstCertificate() {
    return firstCertificate;
  }

  /** No certificate will come: whatever waits for the first one proceeds at once without it. */
  public void stopWaitingForFirstCertificate() {
    firstCertificate.completeExceptionally(
        new java.util.concurrent.CancellationException("the agent gave up joining the mesh"));
  }

  public void addListener(Runnable listener) {
    listeners.add(listener);
  }

  public void update(WorkloadCertificate newCertificate, MeshTrustBundle newTrustBundle) {
    synchronized (this) {
      if (newTrustBundle != null) {
        trustBundle = newTrustBundle;
      }
      if (newCertificate != null) {
        certificate = newCertificate;
      }
    }
    notifyListeners();
    if (certificate != null && trustBundle != null) {
      firstCertificate.complete(certificate);
    }
  }

  private void notifyListeners() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        AgentLog.error("cannot apply the new certificate or trust bundle", e);
      }
    }
  }
}
