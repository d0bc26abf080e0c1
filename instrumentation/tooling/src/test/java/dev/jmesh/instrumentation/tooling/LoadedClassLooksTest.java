package dev.jmesh.instrumentation.tooling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class LoadedClassLooksTest {

  private static final List<Class<?>> CLASSES =
      List.of(
          String.class, Integer.class, Long.class, Short.class, Byte.class, Double.class,
          Float.class, Character.class, Boolean.class, Object.class, Number.class, Thread.class,
          Runnable.class, List.class);

  @Test
  void looksAgainOnlyAtWhatWasLoadedSinceAndStopsAtAQuietLook() {
    // the JVM's classes grow by one between the first and the second look, then stay
    List<List<Class<?>>> looks = looks(call -> CLASSES.subList(0, call == 0 ? 3 : 4));

    assertEquals(List.of(CLASSES.subList(0, 3), CLASSES.subList(3, 4)), looks);
  }

  @Test
  void stopsAfterTenLooksHoweverBusilyClassesLoad() {
    List<List<Class<?>>> looks = looks(call -> CLASSES.subList(0, call + 1));

    assertEquals(LoadedClassLooks.MAX_LOOKS, looks.size());
  }

  /** What the installer would retransform, look by look, when look n sees {@code loaded(n)}. */
  private static List<List<Class<?>>> looks(IntFunction<List<Class<?>>> loaded) {
    int[] calls = {0};
    Instrumentation instrumentation =
        (Instrumentation)
            Proxy.newProxyInstance(
                Instrumentation.class.getClassLoader(),
                new Class<?>[] {Instrumentation.class},
                (proxy, method, args) -> {
                  if (!method.getName().equals("getAllLoadedClasses")) {
                    throw new UnsupportedOperationException(method.getName());
                  }
                  return loaded.apply(calls[0]++).toArray(new Class<?>[0]);
                });
    List<List<Class<?>>> looks = new ArrayList<>();
    for (Iterable<Class<?>> look : new LoadedClassLooks().resolve(instrumentation)) {
      List<Class<?>> types = new ArrayList<>();
      look.forEach(types::add);
      looks.add(types);
    }
    return looks;
  }
}
