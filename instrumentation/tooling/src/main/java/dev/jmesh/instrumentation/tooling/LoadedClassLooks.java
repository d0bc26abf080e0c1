package dev.jmesh.instrumentation.tooling;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * Which loaded classes the installer retransforms: all of them at first, then, look after look, the
 * ones loaded since the previous look, until a look finds none or {@link #MAX_LOOKS} looks were
 * made. A class first loaded while the installer works is in neither its first look nor shown to
 * its transformer as it loads (the JVM hides classes loaded while a transformer runs on that
 * thread, and a class part-way through loading when the transformer arrived); the next look finds
 * it. ByteBuddy's {@code Reiterating} does the same without a bound; premain must not spin however
 * busily other threads load classes.
 */
final class LoadedClassLooks implements AgentBuilder.RedefinitionStrategy.DiscoveryStrategy {

  static final int MAX_LOOKS = 10;

  @Override
  public Iterable<Iterable<Class<?>>> resolve(Instrumentation instrumentation) {
    return () -> new Looks(instrumentation);
  }

  private static final class Looks implements Iterator<Iterable<Class<?>>> {
    private final Instrumentation instrumentation;
    private final Set<Class<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private List<Class<?>> next;
    private int looks;
    /** The last look found nothing new. */
    private boolean quiet;

    Looks(Instrumentation instrumentation) {
      this.instrumentation = instrumentation;
    }

    @Override
    public boolean hasNext() {
      if (next == null && !quiet && looks < MAX_LOOKS) {
        looks++;
        List<Class<?>> unseen = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
          if (type != null && seen.add(type)) {
            unseen.add(type);
          }
        }
        quiet = unseen.isEmpty();
        next = quiet ? null : unseen;
      }
      return next != null;
    }

    @Override
    public Iterable<Class<?>> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      List<Class<?>> look = next;
      next = null;
      return look;
    }
  }
}
