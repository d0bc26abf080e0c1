package dev.jmesh.instrumentation.tooling;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;

/**
 * The installer in this JVM. A class first loaded while the installer is at work is instrumented
 * all the same: in the agent, the mesh runtime starts on its own thread beside the installer and
 * loads JDK classes the instrumentations name (the control client's {@code SocketChannelImpl},
 * executors), and the JVM does not show a transformer the classes loaded while it runs.
 */
class InstallerTest {

  private static final String LATE_TARGET = "dev.jmesh.instrumentation.tooling.LateTarget";

  @Test
  void aClassFirstLoadedWhileTheInstallerRetransformsIsInstrumentedToo() throws Exception {
    ClassLoader loader = InstallerTest.class.getClassLoader();
    Installer installer = new Installer(ByteBuddyAgent.install(), loader);

    installer.install(
        List.of(module(new LoadsLateTargetWhileTransforming(), new Returns(LATE_TARGET))));

    assertTrue(
        LoadsLateTargetWhileTransforming.loadedInsideTransformer,
        "the test's premise: LateTarget was first loaded inside the transformer");
    assertEquals("instrumented", Trigger.name(), "the class retransformed in the first pass");
    Class<?> late = Class.forName(LATE_TARGET, true, loader);
    assertEquals("instrumented", late.getMethod("name").invoke(null));
    assertEquals(List.of(Trigger.class.getName(), LATE_TARGET), installer.instrumentedTypes());
    assertEquals(0, installer.errorCount());
  }

  /** Retransforms this (already loaded) test's helper and, while doing so, loads LateTarget. */
  private static final class LoadsLateTargetWhileTransforming implements TypeInstrumentation {
    static volatile boolean loadedInsideTransformer;

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named(Trigger.class.getName());
    }

    @Override
    public ElementMatcher<ClassLoader> classLoaderMatcher() {
      return loader -> {
        if (loader != null && !loadedInsideTransformer && insideTransformer()) {
          try {
            Class.forName(LATE_TARGET, false, loader);
            loadedInsideTransformer = true;
          } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
          }
        }
        return true;
      };
    }

    @Override
    public void transform(AdviceTarget target) {
      target.applyAdvice(named("name"), ReturnInstrumented.class.getName());
    }

    private static boolean insideTransformer() {
      return StackWalker.getInstance()
          .walk(
              frames ->
                  frames.anyMatch(
                      f -> f.getClassName().equals("sun.instrument.TransformerManager")));
    }
  }

  /** Changes what {@code name()} of the named type returns. */
  private record Returns(String typeName) implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named(typeName);
    }

    @Override
    public void transform(AdviceTarget target) {
      target.applyAdvice(named("name"), ReturnInstrumented.class.getName());
    }
  }

  /** Loaded (and so retransformed, not defined) before the installer runs. */
  static final class Trigger {
    static String name() {
      return "plain";
    }
  }

  static final class ReturnInstrumented {
    @Advice.OnMethodExit
    static void exit(@Advice.Return(readOnly = false) String value) {
      value = "instrumented";
    }
  }

  private static InstrumentationModule module(TypeInstrumentation... types) {
    return new InstrumentationModule() {
      @Override
      public String name() {
        return "installer-test";
      }

      @Override
      public List<TypeInstrumentation> typeInstrumentations() {
        return List.of(types);
      }
    };
  }
}
