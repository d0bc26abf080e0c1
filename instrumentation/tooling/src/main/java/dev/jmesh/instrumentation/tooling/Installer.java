package dev.jmesh.instrumentation.tooling;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.Hooks;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.VisibilityBridgeStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Applies instrumentation modules to the running JVM with ByteBuddy, the way the agent does at
 * start-up and the instrumentation tests do in their own JVM.
 *
 * <p>Retransformation without class-format changes (so classes loaded before {@code premain}, such
 * as {@code java.net.InetAddress}, are instrumented too), and an explicit ignore list: the JDK, ByteBuddy
 * and jmesh's own classes are never touched except the JDK classes an instrumentation names. Every
 * transformation error is logged and counted; tests assert the count stays zero.
 */
public final class Installer {

  /** Advice that fails is reported (once) through {@link Hooks#adviceFailed}, then suppressed. */
  private static final Advice.ExceptionHandler REPORT_TO_HOOKS = reportToHooks();

  private final Instrumentation instrumentation;
  private final ClassLoader adviceLoader;
  private final AtomicInteger errors = new AtomicInteger();
  private final Set<String> instrumented = ConcurrentHashMap.newKeySet();

  /**
   * @param adviceLoader the class loader that holds the advice classes' bytecode (the agent's own)
   */
  public Installer(Instrumentation instrumentation, ClassLoader adviceLoader) {
    this.instrumentation = instrumentation;
    this.adviceLoader = adviceLoader;
  }

  /** The names of the types instrumented so far, sorted (for the agent's {@code /config_dump}). */
  public List<String> instrumentedTypes() {
    return new ArrayList<>(new TreeSet<>(instrumented));
  }

  /** Transformation errors seen so far (a healthy agent has none). */
  public int errorCount() {
    return errors.get();
  }

  public void install(List<InstrumentationModule> modules) {
    // Advice is inlined and nothing is injected, so ByteBuddy's Nexus (which reaches for
    // sun.misc.Unsafe and makes JDK 24+ print warnings) is never needed. The shaded copy reads
    // its own relocated property name, so the application's ByteBuddy is unaffected.
    System.setProperty("net.bytebuddy.nexus.disabled", "true");
    exposeHooksTo(modules);
    ElementMatcher.Junction<TypeDescription> anyInstrumented = none();
    for (InstrumentationModule module : modules) {
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        anyInstrumented = anyInstrumented.or(type.typeMatcher());
      }
    }
    AgentBuilder builder =
        new AgentBuilder.Default(
                // Advice only rewrites the methods a type declares: no need to compile the method
                // graph of its whole hierarchy, to add bridges or to validate what is a retransform
                // of a class the JVM already verified. Each of these cost start-up.
                new ByteBuddy()
                    .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                    .with(VisibilityBridgeStrategy.Default.NEVER)
                    .with(InstrumentedType.Factory.Default.FROZEN)
                    .with(TypeValidation.DISABLED))
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            // The mesh runtime starts beside the installer and loads classes it instruments
            // (SocketChannelImpl, executors): look at the loaded classes more than once.
            .with(new LoadedClassLooks())
            .with(AgentBuilder.TypeStrategy.Default.DECORATE)
            // POOL_ONLY, not HYBRID: with HYBRID, java.net.Socket.connect stayed uninstrumented on
            // JDK 25 (the jdk-sockets tests run there too and caught it).
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(new ErrorListener())
            .ignore(neverInstrumented().and(not(anyInstrumented)));
    for (InstrumentationModule module : modules) {
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        List<AgentBuilder.Transformer> transformers = new ArrayList<>();
        type.transform(
            (methods, adviceClassName) ->
                transformers.add(
                    new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .withExceptionHandler(REPORT_TO_HOOKS)
                        .advice(methods, adviceClassName)));
        AgentBuilder.Identified.Narrowable narrowable =
            builder.type(type.typeMatcher(), type.classLoaderMatcher());
        AgentBuilder.Identified.Extendable extendable = null;
        for (AgentBuilder.Transformer transformer : transformers) {
          extendable =
              extendable == null ? narrowable.transform(transformer) : extendable.transform(transformer);
        }
        if (extendable != null) {
          builder = extendable;
        }
      }
    }
    builder.installOn(instrumentation);
  }

  private static Advice.ExceptionHandler reportToHooks() {
    try {
      return new Advice.ExceptionHandler.Simple(
          MethodInvocation.invoke(
              new MethodDescription.ForLoadedMethod(
                  Hooks.class.getMethod("adviceFailed", Throwable.class))));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("bootstrap and tooling are out of step", e);
    }
  }

  /** The JDK, ByteBuddy and jmesh itself: left alone unless an instrumentation names the type. */
  private static ElementMatcher.Junction<TypeDescription> neverInstrumented() {
    return nameStartsWith("java.")
        .or(nameStartsWith("javax."))
        .or(nameStartsWith("sun."))
        .or(nameStartsWith("jdk."))
        .or(nameStartsWith("com.sun."))
        .or(nameStartsWith("net.bytebuddy."))
        .or(nameStartsWith("dev.jmesh."))
        .or(isSynthetic());
  }

  /**
   * Advice inlined into a named JDK module ({@code java.base}, …) calls {@link Hooks}, which lives
   * in the boot loader's unnamed module: the JDK module must read it.
   */
  private void exposeHooksTo(List<InstrumentationModule> modules) {
    Set<String> names = new HashSet<>();
    for (InstrumentationModule module : modules) {
      names.addAll(module.jdkModules());
    }
    Module hooks = Hooks.class.getModule();
    for (String name : names) {
      Optional<Module> jdkModule = ModuleLayer.boot().findModule(name);
      if (jdkModule.isPresent() && !jdkModule.get().canRead(hooks)) {
        instrumentation.redefineModule(
            jdkModule.get(), Set.of(hooks), Map.of(), Map.of(), Set.of(), Map.of());
      }
    }
  }

  private final class ErrorListener extends AgentBuilder.Listener.Adapter {
    @Override
    public void onError(
        String typeName,
        ClassLoader classLoader,
        JavaModule module,
        boolean loaded,
        Throwable throwable) {
      errors.incrementAndGet();
      AgentLog.error("could not instrument " + typeName, throwable);
    }

    @Override
    public void onTransformation(
        TypeDescription type,
        ClassLoader classLoader,
        JavaModule module,
        boolean loaded,
        DynamicType dynamicType) {
      instrumented.add(type.getName());
      AgentLog.debug("instrumented " + type.getName());
    }
  }
}
